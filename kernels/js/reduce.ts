// Sum (scaled: mean) over one axis of x viewed as [outer, len, inner]; accumulates in float64.
import type { ReduceArgs, TransposeArgs } from '../backend';

export function reduce(g: ReduceArgs): void {
  const { x, outer, len, inner, scale, y } = g;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let s = 0;
      for (let j = 0, p = g.xOffset + o * len * inner + i; j < len; j++, p += inner) s += x[p];
      y[g.yOffset + o * inner + i] = s * scale;
    }
  }
}

export function transpose(g: TransposeArgs): void {
  const { x, y, rows, cols } = g;
  for (let t = 0; t < g.batch; t++) {
    const xb = g.xOffset + t * rows * cols,
      yb = g.yOffset + t * rows * cols;
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) y[yb + j * rows + i] = x[xb + i * cols + j];
  }
}
