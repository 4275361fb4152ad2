// The elementwise table itself (kernels/elementwise.ts) and what its entries promise end to end:
// each float64 derivative reference against central differences of the value reference; the
// conventions at the edges (relu propagates NaN, relu'(0) = 0, softplus stable for large |x|) on
// every backend; softplus in annotated code through the transformer; the package root exports.
import { Rng } from '../../kernels/rng';
import { setBackend } from '../../kernels/select';
import { BINARY, BINARY_OPS, UNARY, UNARY_OPS } from '../../kernels/elementwise';
import { TENSOR_OPS } from '../../runtime/ops/manifest';
import { lookupJvp } from '../../runtime/registry';
import { tensor } from '../../runtime/tensor/create';
import { Tensor } from '../../runtime/tensor/tensor';
import * as runtime from '../../runtime/index';
import { compile, expectNoDiagnostics, load } from '../support/compile';
import { BACKENDS, expectClose, randomTensor } from './helpers';
import { centralDifference } from '../support/fd';

/** Inputs in a domain: 'awayFromZero' keeps central differences off the kink at 0. */
const POINTS = {
  real: [-30, -4, -1.3, -0.2, 0, 0.3, 1, 2.5, 7, 30],
  positive: [0.05, 0.3, 1, 2.5, 40],
  awayFromZero: [-9, -1.3, -0.5, 0.5, 1, 6],
};

// Central differences in float64 with h = 1e-5 scaled by |x| (and by x on the positive domain, log's
// own scale): truncation h²·|f'''|/6 ≤ 2e-8·|f'| and rounding 1e-16·|f|/h ≤ 1e-10 at these points,
// hence 1e-7 relative + 1e-9 absolute (a wrong derivative is off by O(1)).
describe.each(UNARY_OPS)('table entry %s', (op) => {
  const e = UNARY[op];
  test('dref is the derivative of ref (central differences)', () => {
    for (const x of POINTS[e.domain]) {
      const h = 1e-5 * Math.max(1, Math.abs(x)) * (e.domain === 'positive' ? x : 1);
      const fd = centralDifference((t) => e.ref(x + t), h);
      expect(Math.abs(e.dref(x) - fd)).toBeLessThanOrEqual(1e-7 * Math.abs(fd) + 1e-9);
    }
  });
  test('is exported with its JVP and VJP, and listed in the manifest', () => {
    const api = runtime as unknown as Record<string, unknown>;
    expect(typeof api[op]).toBe('function');
    expect(TENSOR_OPS[op]?.jvp).toBe(`${op}Jvp`);
    expect(typeof api[`${op}Vjp`]).toBe('function');
    expect([op, `${op}Jvp`, `${op}Vjp`].map((k) => (api[k] as Function).name)).toEqual([op, `${op}Jvp`, `${op}Vjp`]);
  });
});

describe.each(BINARY_OPS)('table entry %s', (op) => {
  const e = BINARY[op];
  test('dref holds the partials of ref (central differences)', () => {
    for (const a of [-2.5, -0.4, 0.7, 3])
      for (const b of [-1.5, -0.6, 0.8, 2]) {
        const h = 1e-5,
          [da, db] = e.dref(a, b);
        expect(Math.abs(da - centralDifference((t) => e.ref(a + t, b), h))).toBeLessThanOrEqual(
          1e-7 * Math.abs(da) + 1e-9,
        );
        expect(Math.abs(db - centralDifference((t) => e.ref(a, b + t), h))).toBeLessThanOrEqual(
          1e-7 * Math.abs(db) + 1e-9,
        );
      }
  });
  test('is exported with its JVP and VJP, and listed in the manifest', () => {
    const api = runtime as unknown as Record<string, unknown>;
    expect(typeof api[op]).toBe('function');
    expect(TENSOR_OPS[op]?.jvp).toBe(`${op}Jvp`);
    expect(typeof api[`${op}Vjp`]).toBe('function');
    expect([op, `${op}Jvp`, `${op}Vjp`].map((k) => (api[k] as Function).name)).toEqual([op, `${op}Jvp`, `${op}Vjp`]);
  });
});

describe.each(BACKENDS)('edges on backend %s', (backendName) => {
  beforeAll(() => {
    setBackend(backendName);
  });
  afterAll(() => {
    setBackend('js');
  });

  test("relu propagates NaN (value, tangent, cotangent); relu'(0) = 0", () => {
    const x = tensor([NaN, 0, -0, -2, 3, Infinity, -Infinity]),
      dx = tensor([1, 1, 1, 1, 1, 1, 1]);
    const [y, dy] = runtime.reluJvp(x, dx);
    expect(Array.from(y.toArray())).toEqual([NaN, 0, 0, 0, 3, Infinity, 0]);
    expect(Array.from(dy!.toArray())).toEqual([NaN, 0, 0, 0, 1, 1, 0]);
    const [gx] = runtime.reluVjp(dx, y, [x], [true]);
    expect(Array.from(gx!.toArray())).toEqual([NaN, 0, 0, 0, 1, 1, 0]);
  });

  // Float32 value within 2e-6 relative of float64 (a rounding or two of log1p/exp), including
  // where log(1 + eˣ) in one piece would overflow (x ≥ 89) or round to 0 (x ≤ −17 in float32).
  test('softplus is stable for large |x| and propagates NaN', () => {
    const xs = [-80, -30, -17, -1, 0, 1, 17, 30, 88, 100, 1000, NaN];
    const [y, dy] = runtime.softplusJvp(tensor(xs), tensor(xs.map(() => 1)));
    expectClose(y.toArray().slice(0, -1), xs.slice(0, -1).map(UNARY.softplus.ref), 2e-6, 0, 'softplus');
    expectClose(dy!.toArray().slice(0, -1), xs.slice(0, -1).map(UNARY.softplus.dref), 2e-6, 0, "softplus'");
    expect(y.toArray()[xs.length - 1]).toBeNaN();
    expect(dy!.toArray()[xs.length - 1]).toBeNaN();
  });
});

// softplus in user code: the transformer maps it to softplusJvp through the manifest, on every backend.
describe('softplus in annotated code', () => {
  const source = `import { Tensor, mul, softplus, sum } from 'forwardgrad';
/** @forwardGrad */
export function energy(x: Tensor, w: Tensor): Tensor {
  return sum(mul(softplus(mul(x, w)), w), undefined);
}
`;
  const result = compile({ 'energy.ts': source });
  expectNoDiagnostics(result);
  const mod = load(result, 'energy.ts');

  test.each(BACKENDS)('twin on backend %s matches float64 central differences', (backendName) => {
    setBackend(backendName);
    try {
      const rng = new Rng(99);
      const x = randomTensor(rng, [4, 6]),
        w = randomTensor(rng, [6]),
        dx = randomTensor(rng, [4, 6]),
        dw = randomTensor(rng, [6]);
      const twin = lookupJvp(mod.energy)!.fn;
      const [y, dy] = twin(x, dx, w, dw) as [Tensor, Tensor];
      const f = (xv: Float32Array | Float64Array, wv: Float32Array | Float64Array): number => {
        let s = 0;
        for (let i = 0; i < xv.length; i++) s += UNARY.softplus.ref(xv[i] * wv[i % 6]) * wv[i % 6];
        return s;
      };
      const xa = Float64Array.from(x.toArray()),
        wa = Float64Array.from(w.toArray());
      const along = (t: number): number =>
        f(
          xa.map((v, i) => v + t * dx.toArray()[i]),
          wa.map((v, i) => v + t * dw.toArray()[i]),
        );
      // 24 float32 terms summed: value within 1e-5 relative; the tangent likewise (FD error ~1e-9).
      expectClose([y.item()], [f(xa, wa)], 1e-5, 1e-6, 'value');
      expectClose([dy.item()], [centralDifference(along)], 1e-5, 1e-5, 'tangent');
      expect(mod.energy(x, w).item()).toBe(y.item());
    } finally {
      setBackend('js');
    }
  });
});
