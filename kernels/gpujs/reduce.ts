// Axis sums and batched transposes as gpu.js kernels. The reduction runs one thread per output
// (x = inner index, y = outer), so SIMD lanes read contiguous x while the loop walks the axis;
// it accumulates in float32 (the js reference in float64: tests allow for the difference).
import type { ReduceArgs, TransposeArgs } from '../backend';
import { KernelCache, copyOut } from './runtime';
import { operand, runResident } from './device';

export const REDUCE_SOURCE = `function (x) {
  let p = this.thread.y * this.constants.len * this.constants.inner + this.thread.x;
  let s = 0.0;
  for (let j = 0; j < this.constants.len; j++) {
    s += x[p];
    p += this.constants.inner;
  }
  return s * this.constants.scale;
}`;

/** Output [rows, cols, batch]: y[t][j][i] = x[t][i][j] with thread (x = i, y = j, z = t). */
export const TRANSPOSE_SOURCE = `function (x) {
  return x[(this.thread.z * this.constants.rows + this.thread.x) * this.constants.cols + this.thread.y];
}`;

function checkSizes(what: string, g: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of keys) {
    const v = g[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      throw new Error(`gpujs ${what}: ${key} must be a non-negative integer, got ${String(v)}`);
  }
}

export function reduce(cache: KernelCache, g: ReduceArgs): void {
  checkSizes('reduce', g as unknown as Record<string, unknown>, ['outer', 'len', 'inner']);
  if (!Number.isFinite(g.scale)) throw new Error(`gpujs reduce: scale must be finite, got ${g.scale}`);
  const { outer, len, inner } = g;
  if (outer * inner === 0) return;
  const device = cache.device;
  if (device && len > 0) {
    const x = operand(cache, device, g.x, g.xOffset, outer * len * inner, 'reduce x');
    runResident(
      cache,
      device,
      'reduce',
      REDUCE_SOURCE,
      [inner, outer],
      { len, inner, scale: g.scale },
      [['x', x]],
      g.y,
      g.yOffset,
    );
    return;
  }
  cache.slice(g.y, g.yOffset, outer * inner, 'reduce y');
  if (len === 0) {
    g.y.fill(0, g.yOffset, g.yOffset + outer * inner);
    return;
  }
  const x = cache.slice(g.x, g.xOffset, outer * len * inner, 'reduce x');
  const kern = cache.get('reduce', REDUCE_SOURCE, [inner, outer], { len, inner, scale: g.scale });
  copyOut(cache.run('reduce', kern, [x]), g.y, g.yOffset);
}

export function transpose(cache: KernelCache, g: TransposeArgs): void {
  checkSizes('transpose', g as unknown as Record<string, unknown>, ['batch', 'rows', 'cols']);
  const { batch, rows, cols } = g;
  const size = batch * rows * cols;
  if (size === 0) return;
  const device = cache.device;
  if (device) {
    const x = operand(cache, device, g.x, g.xOffset, size, 'transpose x');
    runResident(
      cache,
      device,
      'transpose',
      TRANSPOSE_SOURCE,
      [rows, cols, batch],
      { rows, cols },
      [['x', x]],
      g.y,
      g.yOffset,
    );
    return;
  }
  const x = cache.slice(g.x, g.xOffset, size, 'transpose x');
  cache.slice(g.y, g.yOffset, size, 'transpose y');
  const kern = cache.get('transpose', TRANSPOSE_SOURCE, [rows, cols, batch], { rows, cols });
  copyOut(cache.run('transpose', kern, [x]), g.y, g.yOffset);
}
