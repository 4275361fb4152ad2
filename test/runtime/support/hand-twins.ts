// Hand-written twins registered the way emitted code registers them, so the runtime's calling
// convention, validation and estimators can be tested without the transformer. TEST CODE ONLY.
import { registerJvp } from '../../../runtime/registry';
import { Tensor } from '../../../runtime/tensor/tensor';

/** Exact gradient of Beale (float64), the reference for the estimators; Beale itself and its twin come
 * from runtime/models/testfns.ts through the real transform. */
export function bealeGrad(x: number, y: number): [number, number] {
  const a = 1.5 - x + x * y,
    b = 2.25 - x + x * y * y,
    c = 2.625 - x + x * y ** 3;
  return [
    2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y ** 3 - 1),
    2 * a * x + 2 * b * 2 * x * y + 2 * c * 3 * x * y * y,
  ];
}

/** f(p, xs, label) = Σ_i (p.w[i]·xs[i])² + p.b³ — an object, a typed array and a non-differentiable string. */
export function mixed(p: { w: number[]; b: number }, xs: Float64Array, label: string): number {
  let s = p.b ** 3;
  for (let i = 0; i < xs.length; i++) s += (p.w[i] * xs[i]) ** 2;
  return label.length > 0 ? s : -s;
}
registerJvp(
  mixed,
  function mixed_jvp(
    p: { w: number[]; b: number },
    dp: { w: number[]; b: number },
    xs: Float64Array,
    dxs: Float64Array,
    label: string,
  ): [number, number] {
    let s = p.b ** 3,
      ds = 3 * p.b ** 2 * dp.b;
    for (let i = 0; i < xs.length; i++) {
      const u = p.w[i] * xs[i],
        du = dp.w[i] * xs[i] + p.w[i] * dxs[i];
      s += u * u;
      ds += 2 * u * du;
    }
    return label.length > 0 ? [s, ds] : [-s, -ds];
  },
  { name: 'mixed', tangentSlots: [true, true, false] },
);

/** Quadratic with a known gradient: f(w) = Σ c_i w_i² / 2 + Σ a_i w_i, ∇f = c∘w + a. */
export const QA = [3, -1, 2, 0.5, -2],
  QC = [1, 2, 0.5, 3, 1];
export function quad(w: number[]): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += (QC[i] * w[i] * w[i]) / 2 + QA[i] * w[i];
  return s;
}
registerJvp(
  quad,
  function quad_jvp(w: number[], dw: number[]): [number, number] {
    let d = 0;
    for (let i = 0; i < w.length; i++) d += (QC[i] * w[i] + QA[i]) * dw[i];
    return [quad(w), d];
  },
  { name: 'quad', tangentSlots: [true] },
);

/** Σ t² for a Tensor, returning a one-element Tensor; handles vector-mode tangents [K, ...shape]. */
export function sumSquares(t: Tensor): Tensor {
  const a = t.toArray();
  let s = 0;
  for (const v of a) s += v * v;
  return new Tensor(Float32Array.of(s), [1]);
}
registerJvp(
  sumSquares,
  function sumSquares_jvp(t: Tensor, dt: Tensor | undefined): [Tensor, Tensor | undefined] {
    const y = sumSquares(t);
    if (dt === undefined) return [y, undefined];
    const a = t.toArray(),
      d = dt.toArray(),
      K = dt.shape.length === t.shape.length + 1 ? dt.shape[0] : 1;
    const out = new Float32Array(K);
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += 2 * a[i] * d[k * a.length + i];
      out[k] = s;
    }
    return [y, new Tensor(out, K === 1 && dt.shape.length === t.shape.length ? [1] : [K])];
  },
  { name: 'sumSquares', tangentSlots: [true] },
);

/** Returns a non-scalar: forward gradients must refuse it. */
export function pair(x: number): number[] {
  return [x, 2 * x];
}
registerJvp(
  pair,
  (x: number, dx: number): [number[], number[]] => [
    [x, 2 * x],
    [dx, 2 * dx],
  ],
  { name: 'pair', tangentSlots: [true] },
);

/** A method registered on the prototype; `this.scale` is a constant. */
export class Scaler {
  constructor(public scale: number) {}
  apply(x: number): number {
    return this.scale * x * x;
  }
}
registerJvp(
  Scaler.prototype.apply,
  function apply_jvp(this: Scaler, x: number, dx: number): [number, number] {
    return [this.scale * x * x, 2 * this.scale * x * dx];
  },
  { name: 'Scaler.apply', tangentSlots: [true] },
);
