import { forwardGradient } from '../../runtime/forward-gradient';
import { Tensor } from '../../runtime/tensor/tensor';
import { Rng } from '../../kernels/rng';
import { bealeGrad, mixed, pair, quad, QA, QC, sumSquares } from './support/hand-twins';
import { beale } from '../../runtime/models/testfns'; // its twin comes from the real transform

// Unbiasedness, checked statistically. For g = (∇f·v)v with independent unit-variance v_i:
//   normal:     Var[g_i] = ‖∇f‖² + (∇f)_i²   (E[v⁴] = 3)
//   rademacher: Var[g_i] = ‖∇f‖² − (∇f)_i²   (v_i² = 1)
// The mean of M samples has standard error √(Var/M). Each component must lie within Z = 4.5
// standard errors (two-sided false-alarm chance ≈ 7e-6 per component under the CLT); seeds are
// fixed, so the test is deterministic, and it does fail for a biased estimator (checked below).
const M = 20000,
  Z = 4.5;
const W = [0.3, -1.2, 2, 0.7, -0.4];
const trueGrad = W.map((w, i) => QC[i] * w + QA[i]);
const norm2 = trueGrad.reduce((s, g) => s + g * g, 0);

function zScores(mean: number[], variance: (gi: number) => number): number[] {
  return mean.map((m, i) => (m - trueGrad[i]) / Math.sqrt(variance(trueGrad[i]) / M));
}

/** Scales every draw: an estimator whose directions have variance s² ≠ 1, i.e. E[g] = s²∇f. */
class ScaledRng extends Rng {
  constructor(
    seed: number,
    private readonly s: number,
  ) {
    super(seed);
  }
  override fill(out: Float32Array | Float64Array | number[], d: 'normal' | 'rademacher' | 'uniform' = 'normal') {
    super.fill(out, d);
    for (let i = 0; i < out.length; i++) out[i] *= this.s;
    return out;
  }
}

describe('forwardGradient: unbiasedness', () => {
  test.each([1, 2, 3])('normal directions, seed %i: mean of 20000 forward gradients within 4.5 SE of ∇f', (seed) => {
    const { gradient } = forwardGradient(quad, [W], { directions: M, seed });
    const z = zScores(gradient[0] as number[], (g) => norm2 + g * g);
    for (const zi of z) expect(Math.abs(zi)).toBeLessThan(Z);
  });

  test('rademacher directions: same check with its variance', () => {
    const { gradient } = forwardGradient(quad, [W], { directions: M, seed: 5, distribution: 'rademacher' });
    const z = zScores(gradient[0] as number[], (g) => norm2 - g * g);
    for (const zi of z) expect(Math.abs(zi)).toBeLessThan(Z);
  });

  test('the same check rejects a biased estimator (directions with variance 0.81)', () => {
    const { gradient } = forwardGradient(quad, [W], { directions: M, rng: new ScaledRng(1, 0.9) });
    const z = zScores(gradient[0] as number[], (g) => norm2 + g * g);
    expect(Math.max(...z.map(Math.abs))).toBeGreaterThan(Z);
  });

  test("Beale at the paper's Figure 1 point: K = 20000 directions average to the true gradient", () => {
    const { value, gradient, directional } = forwardGradient(beale, [1.5, -0.1], { directions: M, seed: 9 });
    expect(value).toBe(beale(1.5, -0.1));
    expect(directional).toHaveLength(M);
    const g = bealeGrad(1.5, -0.1),
      n2 = g[0] ** 2 + g[1] ** 2;
    [0, 1].forEach((i) =>
      expect(Math.abs(((gradient[i] as number) - g[i]) / Math.sqrt((n2 + g[i] ** 2) / M))).toBeLessThan(Z),
    );
  });
});

describe('forwardGradient: contract', () => {
  test('one direction: gradient = (∇f·v)v exactly, v from the seed (reproducible)', () => {
    const a = forwardGradient(beale, [1, 1], { seed: 3 });
    const b = forwardGradient(beale, [1, 1], { seed: 3 });
    expect(b).toEqual(a);
    const [gx, gy] = bealeGrad(1, 1);
    const d = a.directional[0];
    const v = [(a.gradient[0] as number) / d, (a.gradient[1] as number) / d];
    expect(gx * v[0] + gy * v[1]).toBeCloseTo(d, 10);
    expect(forwardGradient(beale, [1, 1], { seed: 4 }).gradient).not.toEqual(a.gradient);
  });

  test('gradient mirrors the primals; wrt selects arguments; others are undefined', () => {
    const p = { w: [1, 2], b: 0.5 },
      xs = Float64Array.of(3, -1);
    const all = forwardGradient(mixed, [p, xs, 'a'], { seed: 1 });
    expect(all.gradient[0]).toEqual({ w: expect.any(Array), b: expect.any(Number) });
    expect(all.gradient[1]).toBeInstanceOf(Float64Array);
    expect(all.gradient[2]).toBeUndefined();
    const only1 = forwardGradient(mixed, [p, xs, 'a'], { seed: 1, wrt: 1 });
    expect(only1.gradient[0]).toBeUndefined();
    expect(only1.gradient[1]).toBeInstanceOf(Float64Array);
    // the exact partials are recovered with K large: check d/dxs against the analytic gradient
    const big = forwardGradient(mixed, [p, xs, 'a'], { seed: 2, wrt: [1], directions: 20000 });
    const g1 = big.gradient[1] as Float64Array,
      exact = [2 * 3 * 1, 2 * -2 * 2];
    const n2 = exact[0] ** 2 + exact[1] ** 2;
    exact.forEach((e, i) => expect(Math.abs((g1[i] - e) / Math.sqrt((n2 + e * e) / 20000))).toBeLessThan(Z));
  });

  test('Tensor parameters: vector mode (one run, K directions) equals K separate runs', () => {
    const t = new Tensor(Float32Array.of(0.5, -1, 2, 0.25), [2, 2]);
    const vec = forwardGradient(sumSquares, [t], { seed: 7, directions: 8 });
    const loop = forwardGradient(sumSquares, [t], { seed: 7, directions: 8, vectorized: false });
    expect(vec.directional).toEqual(loop.directional);
    expect((vec.gradient[0] as Tensor).shape).toEqual([2, 2]);
    expect(Array.from((vec.gradient[0] as Tensor).toArray())).toEqual(
      Array.from((loop.gradient[0] as Tensor).toArray()),
    );
    expect((vec.value as Tensor).item()).toBe(5.3125);
  });

  test.each([
    [
      'bad wrt',
      () => forwardGradient(beale, [1, 2], { wrt: 5 }),
      /forwardGradient\(beale\): wrt index 5 is out of range/,
    ],
    [
      'non-differentiable wrt',
      () => forwardGradient(mixed, [{ w: [1], b: 0 }, Float64Array.of(1), 'a'], { wrt: 2 }),
      /argument 2 is not differentiable/,
    ],
    ['bad K', () => forwardGradient(beale, [1, 2], { directions: 0 }), /directions must be an integer ≥ 1, got 0/],
    [
      'bad distribution',
      () => forwardGradient(beale, [1, 2], { distribution: 'uniform' as 'normal' }),
      /distribution must be one of 'normal', 'rademacher'/,
    ],
    ['seed and rng', () => forwardGradient(beale, [1, 2], { seed: 1, rng: new Rng(1) }), /either seed or rng/],
    ['bad seed', () => forwardGradient(beale, [1, 2], { seed: -2 }), /seed must be a non-negative safe integer/],
    ['non-scalar result', () => forwardGradient(pair, [1], { seed: 1 }), /must return a scalar.*returned number\[2\]/],
    // (a literal passed straight to forwardGradient is differentiated: the function must come from elsewhere)
    ['no twin', () => forwardGradient([(x: number) => x][0], [1]), /has no forward-mode twin/],
  ])('%s is a clear error', (_n, call, message) => {
    expect(call).toThrow(message);
  });

  test('without a seed, a random one is drawn and reported', () => {
    const r = forwardGradient(beale, [1, 1]);
    expect(Number.isSafeInteger(r.seed)).toBe(true);
    expect(forwardGradient(beale, [1, 1], { seed: r.seed }).gradient).toEqual(r.gradient);
  });
});
