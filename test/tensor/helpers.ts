// Shared test support: seeded random tensors, float64 views, tolerance checks, and the list of
// backends to run kernel tests on (every registered backend that loads here).
import { Rng } from '../../kernels/rng';
import { listBackends } from '../../kernels/select';
import { Ref } from '../../kernels/reference/ops';
import type { Domain } from '../../kernels/elementwise';
import { Tensor } from '../../runtime/tensor/tensor';
import { tensor } from '../../runtime/tensor/create';

export const BACKENDS = listBackends();

export function randomTensor(
  rng: Rng,
  shape: readonly number[],
  opts: { positive?: boolean; awayFromZero?: boolean } = {},
): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v = rng.normal();
    if (opts.positive) v = 0.5 + Math.abs(v);
    else if (opts.awayFromZero) v = Math.sign(v || 1) * (0.5 + Math.abs(v));
    data[i] = v;
  }
  return tensor(data, shape);
}

/** randomTensor's options for an elementwise table domain (kernels/elementwise.ts). */
export const domainInput = (d: Domain): { positive?: boolean; awayFromZero?: boolean } => ({
  positive: d === 'positive',
  awayFromZero: d === 'awayFromZero',
});

export const toRef = (t: Tensor): Ref => ({ data: Float64Array.from(t.toArray()), shape: t.shape });

/**
 * Asserts |actual − expected| ≤ atol + rtol·|expected| elementwise (and equal lengths), reporting the
 * worst element so a failure says where and by how much.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  atol = rtol,
  what = 'value',
): void {
  expect(actual.length).toBe(expected.length);
  let worst = -1,
    worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol}; ${expected.length} elements)`,
    );
  }
}

/** Direction k of a vector-mode tangent [K, ...shape] as its own tensor. */
export function direction(t: Tensor, k: number): Tensor {
  const shape = t.shape.slice(1),
    n = shape.reduce((p, d) => p * d, 1);
  return tensor(t.toArray().slice(k * n, (k + 1) * n), shape);
}

/** K stacked directions of `shape` as one tangent [K, ...shape]. */
export function stackDirections(ts: Tensor[]): Tensor {
  const n = ts[0].size,
    out = new Float32Array(n * ts.length);
  ts.forEach((t, k) => out.set(t.toArray(), k * n));
  return tensor(out, [ts.length, ...ts[0].shape]);
}
