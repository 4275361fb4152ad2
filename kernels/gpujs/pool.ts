// Max pooling as a gpu.js kernel, tangent gathered through the same winner in the same pass.
// Thread (x = ox, y = plane·outH + oy, z = slot); slot 0 is the max, slot 1 the argmax (an index
// relative to xOffset, exact as a float below 2^24), slot k + 2 tangent k. Ties go to the first
// element in row-major window order (strict >), and the first NaN of a window wins, as in kernels/js/pool.ts.
import type { MaxPool2dArgs } from '../backend';
import { KernelCache, forEachRow } from './runtime';
import { operand, runResident, type Operand } from './device';

export const MAX_POOL_SOURCE = `function (x, dx) {
  const p = Math.floor(this.thread.y / this.constants.outH);
  const oy = this.thread.y - p * this.constants.outH;
  const start = p * this.constants.hw + oy * this.constants.strideH * this.constants.w + this.thread.x * this.constants.strideW;
  let best = x[start];
  let at = start;
  for (let ki = 0; ki < this.constants.kh; ki++) {
    for (let kj = 0; kj < this.constants.kw; kj++) {
      const q = start + ki * this.constants.w + kj;
      const v = x[q];
      if (v > best || (v !== v && best === best)) {
        best = v;
        at = q;
      }
    }
  }
  let out = best;
  if (this.thread.z === 1) {
    out = at;
  }
  if (this.thread.z > 1) {
    out = dx[(this.thread.z - 2) * this.constants.size + at];
  }
  return out;
}`;

/**
 * The resident form (device.ts): no argmax slot (forward mode never asks for it), so the output
 * [outW, planes·outH, 1 + K] is exactly y followed by its K tangents, one texture.
 */
export const MAX_POOL_RESIDENT_SOURCE = MAX_POOL_SOURCE.replace(
  `let out = best;
  if (this.thread.z === 1) {
    out = at;
  }
  if (this.thread.z > 1) {
    out = dx[(this.thread.z - 2) * this.constants.size + at];
  }`,
  `let out = best;
  if (this.thread.z > 0) {
    out = dx[(this.thread.z - 1) * this.constants.size + at];
  }`,
);

if (MAX_POOL_RESIDENT_SOURCE === MAX_POOL_SOURCE)
  throw new Error('gpujs maxPool2d: the resident source was not derived');

export function maxPool2d(cache: KernelCache, g: MaxPool2dArgs): void {
  for (const key of ['planes', 'h', 'w', 'kh', 'kw', 'strideH', 'strideW', 'outH', 'outW'] as const) {
    const min = key === 'planes' ? 0 : 1;
    if (!Number.isInteger(g[key]) || g[key] < min)
      throw new Error(`gpujs maxPool2d: ${key} must be an integer ≥ ${min}, got ${g[key]}`);
  }
  const { planes, h, w, kh, kw, strideH, strideW, outH, outW } = g;
  if ((outH - 1) * strideH + kh > h || (outW - 1) * strideW + kw > w) {
    throw new Error(
      `gpujs maxPool2d: ${outH}×${outW} windows of ${kh}×${kw} (stride ${strideH}×${strideW}) do not fit in ${h}×${w}`,
    );
  }
  if (planes === 0) return;
  const withTangent = g.dx !== undefined && g.dy !== undefined;
  const K = withTangent ? (g.directions ?? 1) : 0;
  if (withTangent && (!Number.isInteger(K) || K < 1))
    throw new Error(`gpujs maxPool2d: directions must be an integer ≥ 1, got ${K}`);
  const X = planes * h * w,
    P = planes * outH * outW,
    rowsPerSlot = planes * outH;
  const device = cache.device;
  const stacked = !withTangent || (g.dy === g.y && (g.dyOffset ?? 0) === g.yOffset + P);
  if (device && !g.argmax && stacked && Number.isInteger(K) && K >= 0) {
    // Resident (device.ts): y, or [y; dy] stacked in one buffer, is one output texture.
    const ops: [string, Operand][] = [
      ['x', operand(cache, device, g.x, g.xOffset, X, 'maxPool2d x')],
      [
        'dx',
        withTangent
          ? operand(cache, device, g.dx!, g.dxOffset ?? 0, K * X, 'maxPool2d dx')
          : { arg: new Float32Array(1), base: 0, host: true },
      ],
    ];
    const constants = { outH, hw: h * w, w, strideH, strideW, kh, kw, size: X };
    runResident(
      cache,
      device,
      'maxPool2d',
      MAX_POOL_RESIDENT_SOURCE,
      [outW, rowsPerSlot, 1 + K],
      constants,
      ops,
      g.y,
      g.yOffset,
    );
    return;
  }
  const x = cache.slice(g.x, g.xOffset, X, 'maxPool2d x');
  cache.slice(g.y, g.yOffset, P, 'maxPool2d y');
  const dx = withTangent ? cache.slice(g.dx!, g.dxOffset ?? 0, K * X, 'maxPool2d dx') : new Float32Array(1);
  const dyo = g.dyOffset ?? 0;
  if (withTangent) cache.slice(g.dy!, dyo, K * P, 'maxPool2d dy');
  if (g.argmax && g.argmax.length < P)
    throw new Error(`gpujs maxPool2d: argmax has ${g.argmax.length} elements for ${P} outputs`);
  const slots = withTangent ? K + 2 : g.argmax ? 2 : 1;
  const constants = { outH, hw: h * w, w, strideH, strideW, kh, kw, size: X };
  const kern = cache.get('maxPool2d', MAX_POOL_SOURCE, [outW, rowsPerSlot, slots], constants);
  forEachRow(cache.run('maxPool2d', kern, [x, dx]), (row, r) => {
    const slot = Math.floor(r / rowsPerSlot),
      o = (r - slot * rowsPerSlot) * outW;
    if (slot === 0) g.y.set(row, g.yOffset + o);
    else if (slot === 1) {
      if (g.argmax) for (let j = 0; j < outW; j++) g.argmax[o + j] = row[j];
    } else g.dy!.set(row, dyo + (slot - 2) * P + o);
  });
}
