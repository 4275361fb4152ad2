// Reverse of im2col: every column entry is added back to the input pixel it was copied from
// (entries that came from the zero padding are dropped). x[ch][iy][ix] += cols[(ch·kh + ki)·kw + kj][oy·outW + ox].
import type { Im2colArgs } from '../backend';

export function col2im(g: Im2colArgs): void {
  const { x, c, h, w, kh, kw, strideH, strideW, padH, padW, outH, outW, cols } = g;
  const plane = outH * outW;
  let row = g.colsOffset;
  for (let ch = 0; ch < c; ch++) {
    const xc = g.xOffset + ch * h * w;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++, row += plane) {
        for (let oy = 0; oy < outH; oy++) {
          const iy = oy * strideH + ki - padH;
          if (iy < 0 || iy >= h) continue;
          const o = row + oy * outW,
            xr = xc + iy * w;
          for (let ox = 0; ox < outW; ox++) {
            const ix = ox * strideW + kj - padW;
            if (ix >= 0 && ix < w) x[xr + ix] += cols[o + ox];
          }
        }
      }
    }
  }
}
