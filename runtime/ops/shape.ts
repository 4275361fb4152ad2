// reshape (a view: no copy, tangent reshaped alike) and transpose / axis permutation (the tangent
// permuted alike, direction by direction).
// Reverse mode: x̄ = ȳ viewed in x's shape (no copy), and ȳ permuted by the inverse permutation.
import { Tensor, sizeOf } from '../tensor/tensor';
import type { OpRule } from './rule';
import {
  JvpResult,
  Tangent,
  activeTensor,
  allocOut,
  backend,
  directions,
  expectTensor,
  opError,
  shapeStr,
} from './tangents';

function resolveShape(x: Tensor, shape: readonly number[]): number[] {
  if (!Array.isArray(shape)) throw opError('reshape', `shape must be an array of integers, got ${String(shape)}`);
  const free = shape.filter((d) => d === -1).length;
  const bad = shape.some((d) => !Number.isInteger(d) || d < -1);
  const known = shape.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  if (bad || free > 1 || (free === 1 && (known === 0 || x.size % known !== 0))) {
    throw opError('reshape', `cannot reshape ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  }
  const out = shape.map((d) => (d === -1 ? x.size / known : d));
  if (sizeOf(out) !== x.size)
    throw opError(
      'reshape',
      `cannot reshape ${shapeStr(x.shape)} (${x.size} elements) to ${shapeStr(shape)} (${sizeOf(out)} elements)`,
    );
  return out;
}

export function reshapeJvp(x: Tensor, dx: Tangent, shape: readonly number[]): JvpResult {
  expectTensor('reshape', 'x', x);
  const out = resolveShape(x, shape);
  const dir = directions('reshape', [x, dx]);
  const t = activeTensor(dx);
  const y = new Tensor(x.storage, out, x.offset);
  const dy = t ? new Tensor(t.storage, dir.axis ? [dir.K, ...out] : out, t.offset) : undefined;
  return [y, dy];
}

/** The permutation to apply: reversed axes by default (numpy), validated otherwise. */
function permutation(x: Tensor, perm: readonly number[] | undefined): number[] {
  if (perm === undefined) return x.shape.map((_, i) => x.rank - 1 - i);
  const ok =
    Array.isArray(perm) &&
    perm.length === x.rank &&
    perm.every((p) => Number.isInteger(p) && p >= 0 && p < x.rank) &&
    new Set(perm).size === x.rank;
  if (!ok)
    throw opError(
      'transpose',
      `perm ${JSON.stringify(perm)} is not a permutation of the ${x.rank} axes of ${shapeStr(x.shape)}`,
    );
  return [...perm];
}

/** transpose(x) reverses the axes (a 2-D transpose); transpose(x, perm) permutes them. */
export function transposeJvp(x: Tensor, dx: Tangent, perm?: readonly number[]): JvpResult {
  expectTensor('transpose', 'x', x);
  const p = permutation(x, perm);
  const dir = directions('transpose', [x, dx]);
  const [y, dy] = allocOut(
    p.map((a) => x.shape[a]),
    dir,
  );
  const t = activeTensor(dx);
  const r = x.rank;
  // Swapping the last two axes (with any leading ones kept) is the backend's batched transpose.
  const lastTwo = r >= 2 && p[r - 2] === r - 1 && p[r - 1] === r - 2 && p.slice(0, r - 2).every((a, i) => a === i);
  const run = (src: Tensor, dst: Tensor, batch: number): void => {
    if (lastTwo) {
      const rows = x.shape[r - 2],
        cols = x.shape[r - 1];
      backend().transpose({
        x: src.kernelBuffer,
        xOffset: src.offset,
        batch: batch * (x.size / (rows * cols || 1)),
        rows,
        cols,
        y: dst.kernelBuffer,
        yOffset: dst.offset,
      });
    } else {
      backend().permute({
        x: src.kernelBuffer,
        xOffset: src.offset,
        shape: x.shape,
        perm: p,
        batch,
        y: dst.kernelBuffer,
        yOffset: dst.offset,
      });
    }
  };
  run(x, y, 1);
  if (t && dy) run(t, dy, dir.K);
  return [y, dy];
}

/** A view of ȳ in x's shape: shares ȳ's buffer (the tape may accumulate into it: ȳ is consumed). */
export function reshapeVjp(
  gy: Tensor,
  _y: Tensor,
  args: readonly unknown[],
  needs: readonly boolean[],
): (Tensor | undefined)[] {
  if (!needs[0]) return [undefined, undefined];
  return [new Tensor(gy.storage, (args[0] as Tensor).shape, gy.offset), undefined];
}

export function transposeVjp(
  gy: Tensor,
  _y: Tensor,
  args: readonly unknown[],
  needs: readonly boolean[],
): (Tensor | undefined)[] {
  if (!needs[0]) return [undefined, undefined];
  const p = permutation(args[0] as Tensor, args[1] as readonly number[] | undefined);
  const inverse = new Array<number>(p.length);
  p.forEach((a, i) => {
    inverse[a] = i;
  });
  return [transposeJvp(gy, undefined, inverse)[0], undefined];
}

export const SHAPE_RULES: Record<string, OpRule> = {
  reshape: {
    jvp: reshapeJvp,
    vjp: reshapeVjp,
    rule: 'ẏ = reshape(ẋ) (a view)',
    vjpRule: 'x̄ = reshape(ȳ, x.shape) (a view)',
  },
  transpose: {
    jvp: transposeJvp,
    vjp: transposeVjp,
    rule: 'ẏ = transpose(ẋ, perm) per direction',
    vjpRule: 'x̄ = transpose(ȳ, perm⁻¹)',
  },
};
