// reshape (a view: no copy, tangent reshaped alike) and 2-D transpose (tangent transposed per direction).
import { Tensor, sizeOf } from '../tensor/tensor';
import { JvpResult, Tangent, activeTensor, allocOut, backend, directions, expectTensor, opError, shapeStr } from './tangents';

function resolveShape(x: Tensor, shape: readonly number[]): number[] {
  if (!Array.isArray(shape)) throw opError('reshape', `shape must be an array of integers, got ${String(shape)}`);
  const free = shape.filter((d) => d === -1).length;
  const bad = shape.some((d) => !Number.isInteger(d) || d < -1);
  const known = shape.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  if (bad || free > 1 || (free === 1 && (known === 0 || x.size % known !== 0))) {
    throw opError('reshape', `cannot reshape ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  }
  const out = shape.map((d) => (d === -1 ? x.size / known : d));
  if (sizeOf(out) !== x.size) throw opError('reshape', `cannot reshape ${shapeStr(x.shape)} (${x.size} elements) to ${shapeStr(shape)} (${sizeOf(out)} elements)`);
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
export const reshape = (x: Tensor, shape: readonly number[]): Tensor => reshapeJvp(x, undefined, shape)[0];

export function transposeJvp(x: Tensor, dx: Tangent): JvpResult {
  expectTensor('transpose', 'x', x);
  if (x.rank !== 2) throw opError('transpose', `expects a 2-D tensor, got shape ${shapeStr(x.shape)}`);
  const [rows, cols] = x.shape;
  const dir = directions('transpose', [x, dx]);
  const [y, dy] = allocOut([cols, rows], dir);
  const t = activeTensor(dx);
  const k = backend();
  k.transpose({ x: x.buffer, xOffset: x.offset, batch: 1, rows, cols, y: y.buffer, yOffset: y.offset });
  if (t && dy) k.transpose({ x: t.buffer, xOffset: t.offset, batch: dir.K, rows, cols, y: dy.buffer, yOffset: dy.offset });
  return [y, dy];
}
export const transpose = (x: Tensor): Tensor => transposeJvp(x, undefined)[0];
