// im2col as a gpu.js kernel: thread (x = ox, y = oy, z = cols row (ch·kh + ki)·kw + kj), so the
// output's row-major order is exactly the cols layout and x runs along contiguous memory.
import type { Im2colArgs } from '../backend';
import { KernelCache, copyOut } from './runtime';
import { operand, runResident } from './device';

export const IM2COL_SOURCE = `function (x) {
  const ch = Math.floor(this.thread.z / this.constants.khw);
  const r = this.thread.z - ch * this.constants.khw;
  const ki = Math.floor(r / this.constants.kw);
  const kj = r - ki * this.constants.kw;
  const iy = this.thread.y * this.constants.strideH + ki - this.constants.padH;
  const ix = this.thread.x * this.constants.strideW + kj - this.constants.padW;
  let v = 0;
  if (iy >= 0 && iy < this.constants.h && ix >= 0 && ix < this.constants.w) {
    v = x[(ch * this.constants.h + iy) * this.constants.w + ix];
  }
  return v;
}`;

export function im2col(cache: KernelCache, g: Im2colArgs): void {
  const keys = ['c', 'h', 'w', 'kh', 'kw', 'strideH', 'strideW', 'padH', 'padW', 'outH', 'outW'] as const;
  for (const key of keys) {
    const min = key === 'padH' || key === 'padW' ? 0 : 1;
    if (!Number.isInteger(g[key]) || g[key] < min)
      throw new Error(`gpujs im2col: ${key} must be an integer ≥ ${min}, got ${g[key]}`);
  }
  const { c, h, w, kh, kw, outH, outW } = g;
  const constants = { khw: kh * kw, kw, h, w, strideH: g.strideH, strideW: g.strideW, padH: g.padH, padW: g.padW };
  const device = cache.device;
  if (device) {
    // Resident (device.ts): the columns are one output texture, read in place by the gemm after.
    const x = operand(cache, device, g.x, g.xOffset, c * h * w, 'im2col x');
    runResident(
      cache,
      device,
      'im2col',
      IM2COL_SOURCE,
      [outW, outH, c * kh * kw],
      constants,
      [['x', x]],
      g.cols,
      g.colsOffset,
    );
    return;
  }
  const x = cache.slice(g.x, g.xOffset, c * h * w, 'im2col x');
  cache.slice(g.cols, g.colsOffset, c * kh * kw * outH * outW, 'im2col cols'); // bounds check only
  const kern = cache.get('im2col', IM2COL_SOURCE, [outW, outH, c * kh * kw], constants);
  copyOut(cache.run('im2col', kern, [x]), g.cols, g.colsOffset);
}
