// sum / mean over all elements or one axis. Linear ops: the tangent is the same reduction of ẋ,
// done in the same kernel call when [x; ẋ] are stacked (outer grows by K).
import { Tensor } from '../tensor/tensor';
import { JvpResult, Tangent, activeTensor, allocOut, backend, directions, expectTensor, isStacked, opError, shapeStr } from './tangents';

function reduceJvp(op: 'sum' | 'mean', x: Tensor, dx: Tangent, axis?: number): JvpResult {
  expectTensor(op, 'x', x);
  let outer = 1, len = x.size, inner = 1, shape: number[] = [];
  if (axis !== undefined) {
    if (!Number.isInteger(axis) || axis < -x.rank || axis >= x.rank) {
      throw opError(op, `axis ${axis} is out of range for shape ${shapeStr(x.shape)}`);
    }
    const ax = axis < 0 ? axis + x.rank : axis;
    outer = x.shape.slice(0, ax).reduce((p, d) => p * d, 1);
    len = x.shape[ax];
    inner = x.shape.slice(ax + 1).reduce((p, d) => p * d, 1);
    shape = x.shape.filter((_, i) => i !== ax);
  }
  if (op === 'mean' && len === 0) throw opError(op, `mean over an empty axis (shape ${shapeStr(x.shape)})`);
  const scale = op === 'mean' ? 1 / len : 1;
  const dir = directions(op, [x, dx]);
  const [y, dy] = allocOut(shape, dir);
  const t = activeTensor(dx);
  const k = backend();
  if (t && isStacked(x, t)) {
    k.reduce({ x: x.buffer, xOffset: x.offset, outer: outer * (1 + dir.K), len, inner, scale, y: y.buffer, yOffset: y.offset });
  } else {
    k.reduce({ x: x.buffer, xOffset: x.offset, outer, len, inner, scale, y: y.buffer, yOffset: y.offset });
    if (t && dy) k.reduce({ x: t.buffer, xOffset: t.offset, outer: outer * dir.K, len, inner, scale, y: dy.buffer, yOffset: dy.offset });
  }
  return [y, dy];
}

export const sumJvp = (x: Tensor, dx: Tangent, axis?: number): JvpResult => reduceJvp('sum', x, dx, axis);
export const meanJvp = (x: Tensor, dx: Tangent, axis?: number): JvpResult => reduceJvp('mean', x, dx, axis);
export const sum = (x: Tensor, axis?: number): Tensor => sumJvp(x, undefined, axis)[0];
export const mean = (x: Tensor, axis?: number): Tensor => meanJvp(x, undefined, axis)[0];
