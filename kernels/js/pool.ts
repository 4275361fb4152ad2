// Max pooling (no padding; ties go to the first element in row-major window order) with the
// tangent gathered through the same winner in the same pass. NaN propagates: a window holding a NaN
// has the (first) NaN as its winner, as in PyTorch and NumPy's max, so a diverging input is never hidden.
import type { MaxPool2dArgs } from '../backend';

export function maxPool2d(g: MaxPool2dArgs): void {
  const { x, y, planes, h, w, kh, kw, strideH, strideW, outH, outW, argmax, dx, dy } = g;
  const K = g.directions ?? 1,
    P = planes * outH * outW,
    X = planes * h * w;
  const dxo = g.dxOffset ?? 0,
    dyo = g.dyOffset ?? 0;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * h * w;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, o++) {
        let best = -Infinity,
          at = base + oy * strideH * w + ox * strideW;
        for (let ki = 0; ki < kh; ki++) {
          const r = base + (oy * strideH + ki) * w + ox * strideW;
          for (let kj = 0; kj < kw; kj++) {
            const v = x[g.xOffset + r + kj];
            // v !== v: v is NaN; it wins unless the winner already is one (v > best is false for NaN).
            if (v > best || (v !== v && best === best)) {
              best = v;
              at = r + kj;
            }
          }
        }
        y[g.yOffset + o] = best;
        if (argmax) argmax[o] = at;
        if (dx && dy) for (let k = 0; k < K; k++) dy[dyo + k * P + o] = dx[dxo + k * X + at];
      }
    }
  }
}
