// forwardGradient in a user's own loop: tangent buffers reused between calls, intermediates back to
// the pool, and `out` to write the gradient into, without changing a single bit of the result.
import { forwardGradient } from '../../runtime/forward-gradient';
import { jvp } from '../../runtime/jvp';
import { fillNormal } from '../../kernels/rng';
import { memoryInfo } from '../../runtime/tensor/pool';
import { Tensor } from '../../runtime/tensor/tensor';
import { tensor } from '../../runtime/tensor/create';
import { initMlp, mlpLoss, type MlpParams } from '../../runtime/models/index';
import { quad } from './support/hand-twins';

const SIZES = [6, 5, 4, 3] as const;
const x = tensor(fillNormal(new Float32Array(2 * 6), 11, 0, 0) as Float32Array, [2, 6]);
const labels = Int32Array.of(0, 2);
const FIELDS = ['w1', 'b1', 'w2', 'b2', 'w3', 'b3'] as const;
const arr = (g: MlpParams) => FIELDS.map((k) => Array.from(g[k].toArray()));

describe('forwardGradient: reuse between calls', () => {
  test('K = 1: g = fround(d·v) with v = fillNormal(seed, stream 0, leaf offset), with and without out, call after call', () => {
    const p = initMlp(1, SIZES);
    const out = [
      Object.fromEntries(FIELDS.map((k) => [k, new Tensor(new Float32Array(p[k].size), p[k].shape)])),
      undefined,
      undefined,
    ];
    for (const seed of [3, 4, 3]) {
      const fresh = forwardGradient(mlpLoss, [p, x, labels], { wrt: 0, seed });
      const into = forwardGradient(mlpLoss, [p, x, labels], { wrt: 0, seed, out });
      expect(into.gradient).toBe(out);
      expect(into.directional).toEqual(fresh.directional);
      expect(arr(into.gradient[0] as MlpParams)).toEqual(arr(fresh.gradient[0] as MlpParams));
      // the estimator itself, recomputed here: leaves in field order, each at its flat offset
      const d = fresh.directional[0];
      let offset = 0;
      for (const k of FIELDS) {
        const v = fillNormal(new Float32Array(p[k].size), seed, 0, offset) as Float32Array;
        expect(Array.from((fresh.gradient[0] as MlpParams)[k].toArray())).toEqual(
          Array.from(v, (vi) => Math.fround(d * vi)),
        );
        offset += p[k].size;
      }
    }
  });

  test('K = 4 (vector mode and separate runs): out gives the fresh result bit for bit', () => {
    const p = initMlp(2, SIZES);
    for (const vectorized of [true, false]) {
      const fresh = forwardGradient(mlpLoss, [p, x, labels], { wrt: 0, seed: 5, directions: 4, vectorized });
      const out = forwardGradient(mlpLoss, [p, x, labels], { wrt: 0, seed: 9, directions: 4, vectorized }).gradient; // dirty buffers
      const into = forwardGradient(mlpLoss, [p, x, labels], { wrt: 0, seed: 5, directions: 4, vectorized, out });
      expect(into.directional).toEqual(fresh.directional);
      expect(arr(into.gradient[0] as MlpParams)).toEqual(arr(fresh.gradient[0] as MlpParams));
    }
  });

  test('a new structure (other sizes) gets new tangents; going back gives the same result as before', () => {
    const small = initMlp(1, SIZES),
      wide = initMlp(1, [6, 7, 4, 3]);
    const a = forwardGradient(mlpLoss, [small, x, labels], { wrt: 0, seed: 8 });
    const b = forwardGradient(mlpLoss, [wide, x, labels], { wrt: 0, seed: 8 });
    expect((b.gradient[0] as MlpParams).w1.shape).toEqual([6, 7]);
    const c = forwardGradient(mlpLoss, [small, x, labels], { wrt: 0, seed: 8 });
    expect(c.directional).toEqual(a.directional);
    expect(arr(c.gradient[0] as MlpParams)).toEqual(arr(a.gradient[0] as MlpParams));
  });

  test('a loop with out allocates no pool buffers after its first step', () => {
    const p = initMlp(3, SIZES);
    const out = forwardGradient(mlpLoss, [p, x, labels], { wrt: 0, seed: 1 }).gradient;
    const step = (seed: number) =>
      (forwardGradient(mlpLoss, [p, x, labels], { wrt: 0, seed, out }).value as Tensor).dispose();
    step(2);
    const before = memoryInfo().allocations;
    for (let s = 3; s < 8; s++) step(s);
    expect(memoryInfo().allocations).toBe(before);
  });

  test('plain arrays: out is filled in place and returned', () => {
    const W = [0.3, -1.2, 2, 0.7, -0.4];
    const out = [[0, 0, 0, 0, 0]];
    const r = forwardGradient(quad, [W], { seed: 4, out });
    expect(r.gradient).toBe(out);
    expect(out[0]).toEqual(forwardGradient(quad, [W], { seed: 4 }).gradient[0]);
  });

  test.each([
    [
      'out not an array',
      () => ({ out: {} as unknown[] }),
      /forwardGradient: out must be an array with one entry per argument \(3\)/,
    ],
    ['out too short', () => ({ out: [undefined] }), /out must be an array with one entry per argument \(3\)/],
    [
      'out for an argument not in wrt',
      () => ({ out: [undefined, x, undefined] }),
      /out\[1\] must be undefined \(argument 1 is not in wrt\)/,
    ],
    [
      'out with a wrong shape',
      () => {
        const p = initMlp(1, SIZES);
        return { out: [{ ...p, w1: tensor(new Float32Array(6), [6, 1]) }, undefined, undefined] };
      },
      /out must mirror the primals in wrt/,
    ],
  ])('%s is a clear error', (_n, options, message) => {
    const p = initMlp(1, SIZES);
    expect(() => forwardGradient(mlpLoss, [p, x, labels], { wrt: 0, seed: 1, ...options() })).toThrow(message);
  });

  test('out aliasing the primals is an error (it would overwrite them)', () => {
    const p = initMlp(1, SIZES);
    expect(() => forwardGradient(mlpLoss, [p, x, labels], { wrt: 0, seed: 1, out: [p, undefined, undefined] })).toThrow(
      /out shares arg0\.w1's storage with the primal/,
    );
  });

  test('a misspelt option names the new key', () => {
    expect(() => forwardGradient(quad, [[1, 2, 3, 4, 5]], { outt: [] } as never)).toThrow(
      /unknown option 'outt' \(did you mean 'out'\?\)/,
    );
  });
});

describe('jvp in a user loop', () => {
  test("the twin's intermediates go back to the pool: no new buffers after the first call", () => {
    const p = initMlp(4, SIZES);
    const v = Object.fromEntries(
      FIELDS.map((k) => [k, tensor(fillNormal(new Float32Array(p[k].size), 6, 0, 0) as Float32Array, p[k].shape)]),
    );
    const call = () => {
      const [y, dy] = jvp<Tensor, Tensor>(mlpLoss, [p, x, labels], [v, undefined, undefined]);
      const r = dy.item();
      y.dispose();
      dy.dispose();
      return r;
    };
    const first = call();
    const before = memoryInfo().allocations;
    for (let i = 0; i < 5; i++) expect(call()).toBe(first);
    expect(memoryInfo().allocations).toBe(before);
  });
});
