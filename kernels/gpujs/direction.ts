// Random directions made on the GPU (KernelBackend.fillDirection): element e of a [rows, size]
// direction is element (streamOffset + e mod size) of the float32 stream (seed, stream + ⌊e/size⌋)
// of kernels/rng.ts — the same Philox-4x32-10 words, Box–Muller pairing (normal) or bit order
// (Rademacher: element i is bit i mod 32 of word ⌊i/32⌋) — so v is never drawn on the host and
// uploaded. The GLSL is philox-gl.ts's, as a gpu.js native function; 64-bit counters arrive as
// 16-bit halves (exact in the float uniforms gpu.js passes) and are added in uint arithmetic.
import type { FillDirectionArgs } from '../backend';
import { runResident, upload, type GpujsDevice } from './device';
import { fillDirectionOnHost } from '../js/direction';
import { syncHost } from '../residency';
import { PHILOX_GLSL } from './philox-gl';
import type { KernelCache } from './runtime';

const U = (a: string, b: string) => `(uint(${a}) | (uint(${b}) << 16))`;

const SIGNATURE = `float fg_direction(float kind, float s0, float s1, float s2, float s3, float t0, float t1, float t2, float t3,
                   float o0, float o1, float o2, float o3, float row, float i)`;

/**
 * fg_direction(kind, seed, stream, offset as 16-bit halves low first, row, i): one element. gpu.js
 * reads a native function's argument and return types from the first signature in its source, so
 * the source opens with fg_direction's prototype, then the helpers it calls, then its body.
 */
export const DIRECTION_GLSL = `${SIGNATURE};
${PHILOX_GLSL}
${SIGNATURE} {
  uint seedLo = ${U('s0', 's1')}, seedHi = ${U('s2', 's3')};
  uint strLo = ${U('t0', 't1')}, strHi = ${U('t2', 't3')};
  uint offLo = ${U('o0', 'o1')}, offHi = ${U('o2', 'o3')};
  uint sLo = strLo + uint(row), sHi = strHi + (strLo + uint(row) < strLo ? 1u : 0u);
  uint eLo = offLo + uint(i), eHi = offHi + (offLo + uint(i) < offLo ? 1u : 0u);
  if (kind < 0.5) {
    uvec4 w = fg_philox10((eLo >> 2) | (eHi << 30), eHi >> 2, sLo, sHi, seedLo, seedHi);
    uint c = eLo & 3u;
    float r = sqrt(2.0 * fg_nlog(c < 2u ? w.x : w.z));
    vec2 cs = fg_cosSin(fg_unit(c < 2u ? w.y : w.w));
    return r * ((c & 1u) == 0u ? cs.x : cs.y);
  }
  uint wLo = (eLo >> 5) | (eHi << 27), wHi = eHi >> 5;
  uvec4 w = fg_philox10((wLo >> 2) | (wHi << 30), wHi >> 2, sLo, sHi, seedLo, seedHi);
  uint q = wLo & 3u;
  uint word = q == 0u ? w.x : (q == 1u ? w.y : (q == 2u ? w.z : w.w));
  return float((word >> (eLo & 31u)) & 1u) * 2.0 - 1.0;
}`;

/** Output [size, rows]: thread x the element in its row, y the row (runResident runs it flat). */
export const DIRECTION_SOURCE = `function (s0, s1, s2, s3, t0, t1, t2, t3, o0, o1, o2, o3) {
  return fg_direction(this.constants.kind, s0, s1, s2, s3, t0, t1, t2, t3, o0, o1, o2, o3, this.thread.y, this.thread.x);
}`;

const TWO16 = 65536,
  TWO32 = 4294967296;

/** A non-negative safe integer as four 16-bit halves, low first. */
function halves(what: string, v: number): number[] {
  if (!Number.isSafeInteger(v) || v < 0)
    throw new RangeError(`gpujs fillDirection: ${what} must be a non-negative safe integer, got ${v}`);
  const lo = v % TWO32,
    hi = Math.floor(v / TWO32);
  return [lo % TWO16, Math.floor(lo / TWO16), hi % TWO16, Math.floor(hi / TWO16)];
}

export function fillDirection(cache: KernelCache, device: GpujsDevice, g: FillDirectionArgs): void {
  const { rows, size } = g;
  if (g.distribution !== 'normal' && g.distribution !== 'rademacher')
    throw new Error(`gpujs fillDirection: unknown distribution '${String(g.distribution)}'`);
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(size) || size < 1)
    throw new Error(`gpujs fillDirection: rows and size must be positive integers, got ${rows}, ${size}`);
  // the row is added to the stream in uint arithmetic: its carry is exact, the sum must stay safe
  const args = [
    ...halves('seed', g.seed),
    ...halves('stream', g.stream),
    ...halves('the stream offset', g.streamOffset),
  ];
  halves('the last stream', g.stream + rows - 1);
  halves('the last element', g.streamOffset + size - 1);
  const kind = g.distribution === 'normal' ? 0 : 1;
  const scalars = ['s', 't', 'o'].flatMap((p, a) =>
    [0, 1, 2, 3].map((q): [string, number] => [`${p}${q}`, args[4 * a + q]]),
  );
  runResident(cache, device, 'direction', DIRECTION_SOURCE, [size, rows], { kind }, [], g.out, g.offset, scalars);
}

/** The cpu double's fillDirection (device.ts's createArrayDevice): the host reference, then an upload. */
export function fillDirectionUploaded(cache: KernelCache, device: GpujsDevice, g: FillDirectionArgs): void {
  syncHost(g.out); // written on the host
  fillDirectionOnHost(g);
  upload(cache, device, g.out, g.offset, g.rows * g.size);
}
