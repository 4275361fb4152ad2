// sum / mean over all elements or one axis. Linear ops: the tangent is the same reduction of ẋ,
// done in the same kernel call when [x; ẋ] are stacked (outer grows by K).
// Reverse mode: x̄ = ȳ broadcast back over the reduced axis (× 1/len for mean).
import { Tensor, empty } from '../tensor/tensor';
import type { OpRule } from './rule';
import {
  JvpResult,
  Tangent,
  activeTensor,
  allocOut,
  backend,
  directions,
  expectTensor,
  isStacked,
  opError,
  shapeStr,
} from './tangents';

/** x as [outer, len, inner] around the reduced axis, and the output shape. */
function layout(
  op: string,
  x: Tensor,
  axis: number | undefined,
): { outer: number; len: number; inner: number; shape: number[] } {
  let outer = 1,
    len = x.size,
    inner = 1,
    shape: number[] = [];
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
  return { outer, len, inner, shape };
}

function reduceJvp(op: 'sum' | 'mean', x: Tensor, dx: Tangent, axis?: number): JvpResult {
  expectTensor(op, 'x', x);
  const { outer, len, inner, shape } = layout(op, x, axis);
  if (op === 'mean' && len === 0) throw opError(op, `mean over an empty axis (shape ${shapeStr(x.shape)})`);
  const scale = op === 'mean' ? 1 / len : 1;
  const dir = directions(op, [x, dx]);
  const [y, dy] = allocOut(shape, dir);
  const t = activeTensor(dx);
  const k = backend();
  if (t && isStacked(x, t)) {
    k.reduce({
      x: x.kernelBuffer,
      xOffset: x.offset,
      outer: outer * (1 + dir.K),
      len,
      inner,
      scale,
      y: y.kernelBuffer,
      yOffset: y.offset,
    });
  } else {
    k.reduce({ x: x.kernelBuffer, xOffset: x.offset, outer, len, inner, scale, y: y.kernelBuffer, yOffset: y.offset });
    if (t && dy)
      k.reduce({
        x: t.kernelBuffer,
        xOffset: t.offset,
        outer: outer * dir.K,
        len,
        inner,
        scale,
        y: dy.kernelBuffer,
        yOffset: dy.offset,
      });
  }
  return [y, dy];
}

export const sumJvp = (x: Tensor, dx: Tangent, axis?: number): JvpResult => reduceJvp('sum', x, dx, axis);
export const meanJvp = (x: Tensor, dx: Tangent, axis?: number): JvpResult => reduceJvp('mean', x, dx, axis);

function reduceVjp(
  op: 'sum' | 'mean',
  gy: Tensor,
  args: readonly unknown[],
  needs: readonly boolean[],
): (Tensor | undefined)[] {
  if (!needs[0]) return [undefined, undefined];
  const x = args[0] as Tensor;
  const { outer, len, inner } = layout(op, x, args[1] as number | undefined);
  const scale = op === 'mean' ? 1 / len : 1;
  const gx = empty(x.shape),
    out = gx.buffer,
    g = gy.buffer;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < len; j++) {
      const dst = gx.offset + (o * len + j) * inner,
        src = gy.offset + o * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = scale * g[src + i];
    }
  }
  return [gx, undefined];
}

export const sumVjp = (gy: Tensor, _y: Tensor, args: readonly unknown[], needs: readonly boolean[]) =>
  reduceVjp('sum', gy, args, needs);
export const meanVjp = (gy: Tensor, _y: Tensor, args: readonly unknown[], needs: readonly boolean[]) =>
  reduceVjp('mean', gy, args, needs);

export const REDUCE_RULES: Record<string, OpRule> = {
  sum: { jvp: sumJvp, vjp: sumVjp, rule: 'ẏ = sum(ẋ) over the same axis', vjpRule: 'x̄ = ȳ broadcast over the axis' },
  mean: {
    jvp: meanJvp,
    vjp: meanVjp,
    rule: 'ẏ = mean(ẋ) over the same axis',
    vjpRule: 'x̄ = ȳ/len broadcast over the axis',
  },
};
