// General axis permutation y = x.transpose(perm) for `batch` stacked tensors (a primal and its K
// tangent directions), by output-order walk with an odometer over input strides.
import type { PermuteArgs } from '../backend';

export function permute(g: PermuteArgs): void {
  const { x, y, shape, perm } = g;
  const rank = shape.length,
    size = shape.reduce((p, d) => p * d, 1);
  const inStride = new Array<number>(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) {
    inStride[d] = s;
    s *= shape[d];
  }
  const outShape = perm.map((p) => shape[p]),
    step = perm.map((p) => inStride[p]);
  const idx = new Array<number>(rank).fill(0);
  for (let t = 0; t < g.batch; t++) {
    const xb = g.xOffset + t * size,
      yb = g.yOffset + t * size;
    idx.fill(0);
    let src = 0;
    for (let i = 0; i < size; i++) {
      y[yb + i] = x[xb + src];
      for (let d = rank - 1; d >= 0; d--) {
        // odometer: advance the last output axis, carry left
        src += step[d];
        if (++idx[d] < outShape[d]) break;
        src -= step[d] * outShape[d];
        idx[d] = 0;
      }
    }
  }
}
