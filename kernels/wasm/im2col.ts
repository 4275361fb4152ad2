// im2col in tight JS: per (channel, ki, kj) row, the valid output columns of each output row are
// computed once (no per-element bounds test), the padding is zero-filled, and stride 1 copies
// contiguous runs. Copying into wasm to do this there would cost as much as doing it here.
import type { Im2colArgs } from '../backend';

export function im2col(g: Im2colArgs): void {
  const { x, c, h, w, kh, kw, strideH: sh, strideW: sw, padH, padW, outH, outW, cols } = g;
  for (const [key, v] of Object.entries({ c, h, w, kh, kw, sh, sw, outH, outW })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`wasm im2col: ${key} must be a positive integer, got ${v}`);
  }
  const plane = outH * outW;
  if (g.xOffset + c * h * w > x.length)
    throw new Error(`wasm im2col: x needs ${g.xOffset + c * h * w} elements, has ${x.length}`);
  if (g.colsOffset + c * kh * kw * plane > cols.length)
    throw new Error(`wasm im2col: cols needs ${g.colsOffset + c * kh * kw * plane} elements, has ${cols.length}`);
  let row = g.colsOffset;
  for (let ch = 0; ch < c; ch++) {
    const xc = g.xOffset + ch * h * w;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++, row += plane) {
        // Output columns ox with 0 ≤ ox·sw + kj − padW < w.
        const lo = Math.min(outW, Math.max(0, Math.ceil((padW - kj) / sw)));
        const hi = Math.max(lo, Math.min(outW, Math.floor((w - 1 + padW - kj) / sw) + 1));
        for (let oy = 0; oy < outH; oy++) {
          const iy = oy * sh + ki - padH;
          const o = row + oy * outW;
          if (iy < 0 || iy >= h) {
            cols.fill(0, o, o + outW);
            continue;
          }
          for (let ox = 0; ox < lo; ox++) cols[o + ox] = 0;
          let src = xc + iy * w + lo * sw + kj - padW;
          if (sw === 1) for (let ox = lo; ox < hi; ox++) cols[o + ox] = x[src++];
          else for (let ox = lo; ox < hi; ox++, src += sw) cols[o + ox] = x[src];
          for (let ox = hi; ox < outW; ox++) cols[o + ox] = 0;
        }
      }
    }
  }
}
