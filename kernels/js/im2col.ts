// Reference im2col: cols[(ch·kh + ki)·kw + kj][oy·outW + ox] = x[ch][oy·sh + ki − ph][ox·sw + kj − pw] (0 outside).
import type { Im2colArgs } from '../backend';

export function im2col(g: Im2colArgs): void {
  const { x, c, h, w, kh, kw, strideH, strideW, padH, padW, outH, outW, cols } = g;
  const plane = outH * outW;
  let row = g.colsOffset;
  for (let ch = 0; ch < c; ch++) {
    const xc = g.xOffset + ch * h * w;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++, row += plane) {
        for (let oy = 0; oy < outH; oy++) {
          const iy = oy * strideH + ki - padH;
          const o = row + oy * outW;
          if (iy < 0 || iy >= h) {
            cols.fill(0, o, o + outW);
            continue;
          }
          for (let ox = 0; ox < outW; ox++) {
            const ix = ox * strideW + kj - padW;
            cols[o + ox] = ix >= 0 && ix < w ? x[xc + iy * w + ix] : 0;
          }
        }
      }
    }
  }
}
