// Counter-based random numbers: Philox-4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random
// numbers: as easy as 1, 2, 3", SC'11). Element i of stream (seed, stream) is a pure function of
// (seed, stream, i), so any slice of a perturbation vector can be regenerated instead of stored.
//
// Layout: key = (seed mod 2^32, floor(seed / 2^32)); counter = (block lo, block hi, stream lo,
// stream hi). Block b yields four 32-bit words: word_w is word (w mod 4) of block ⌊w/4⌋.
//   uniform    element i = (word_i + 0.5)·2^-32, in (0, 1) (never 0, so log() is safe)
//   rademacher element i = ±1 from bit (i mod 32) of word ⌊i/32⌋
//   normal     elements (2j, 2j+1) = Box–Muller of (word_2j, word_2j+1): r·cos θ, r·sin θ
//
// One Philox source per language: philox4x32 below (the JavaScript reference, used by Rng and
// where WebAssembly SIMD is missing) and kernels/wasm/assembly/rng.as (built into rng.wasm by
// kernels/wasm/build.mjs), which makes the words of every fill where it runs; known-answer vectors
// check both (test/runtime/rng.test.ts), and a self-check at load falls back to the reference.
//
// Float32Array normal fills take a fast path where WebAssembly SIMD is available
// (rng.wasm's `normals`: Philox on 16 blocks at once, Box–Muller in float32 with
// polynomial log/sin/cos): the same words and pairing, so the same samples up to float32 rounding,
// but they may differ from the float64 stream (Float64Array, number[], the JavaScript path) in the
// last bits: |fast − float64| ≤ 1e-6 for |z| < 6.8 (test/runtime/rng-fast.test.ts). Either way a
// float32 element depends only on (seed, stream, i); `normalFloat32Implementation` says which runs.
// Float32Array Rademacher fills take rng.wasm's `rademacher` (bit-identical to the JavaScript loop).
//
// Where the destination is a view of a registered memory (the wasm backend's, where the tensor
// pool places tensors: registerKernelMemory), float32 normal fills write straight into it through
// a second instance of rng.wasm over that memory, instead of generating into rng.wasm's own memory
// and copying out; only a few elements at the ends of an unaligned slice take the copying path.
// Same kernel, same numbers. (Rademacher fills, bandwidth-bound, always copy: see fillRademacherF32.)

import { WasmMemory, WasmModule, wasmApi } from './wasm/webassembly';
import { addressOf } from './wasm/place';
import { RNG_WASM } from './wasm/build/binaries';
import { NormalHelper, UNIT_GROUPS } from './rng-helper';
import { envVar, hardwareThreads } from './host';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const M0_HI = M0 >>> 16,
  M0_LO = M0 & 0xffff;
const M1_HI = M1 >>> 16,
  M1_LO = M1 & 0xffff;
const TWO32 = 4294967296;
const INV32 = 1 / TWO32;
const TWO_PI = 2 * Math.PI;

/**
 * High 32 bits of a·M for 32-bit a and M = mHi·2^16 + mLo, from four 16×16-bit partial products
 * (all exact in doubles and kept as small integers by the JIT: ~2× faster than float splitting).
 */
function mulhi(a: number, mHi: number, mLo: number): number {
  const aLo = a & 0xffff,
    aHi = a >>> 16;
  const p0 = aLo * mLo,
    p1 = aHi * mLo,
    p2 = aLo * mHi,
    p3 = aHi * mHi;
  const mid = (p0 >>> 16) + (p1 & 0xffff) + (p2 & 0xffff);
  return (p3 + (p1 >>> 16) + (p2 >>> 16) + (mid >>> 16)) >>> 0;
}

/** One Philox-4x32-10 block: writes 4 words for counter (c0..c3) and key (k0, k1) into out[o..o+3]. */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array | number[],
  o = 0,
): void {
  c0 >>>= 0;
  c1 >>>= 0;
  c2 >>>= 0;
  c3 >>>= 0;
  k0 >>>= 0;
  k1 >>>= 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(c0, M0_HI, M0_LO),
      lo0 = Math.imul(c0, M0) >>> 0;
    const hi1 = mulhi(c2, M1_HI, M1_LO),
      lo1 = Math.imul(c2, M1) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[o] = c0;
  out[o + 1] = c1;
  out[o + 2] = c2;
  out[o + 3] = c3;
}

function checkIndex(what: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0)
    throw new RangeError(`rng: ${what} must be a non-negative safe integer, got ${v}`);
}

type FloatOut = Float32Array | Float64Array | number[];

const CHUNK = 4096; // words generated per batch (a multiple of 4)

/**
 * Generates the raw words of elements [first, first+count) of stream (seed, stream) into
 * scratch[0 … count) (count ≤ CHUNK, first a multiple of 4). Rounds inlined: this is the hot loop
 * of the JavaScript path, used only where the WebAssembly kernel is unavailable.
 */
function wordsAtJs(k0: number, k1: number, s0: number, s1: number, first: number, count: number): void {
  for (let i = 0; i < count; i += 4) {
    const b = (first + i) / 4;
    let c0 = b >>> 0,
      c1 = Math.floor(b / TWO32) >>> 0,
      c2 = s0,
      c3 = s1,
      a0 = k0,
      a1 = k1;
    for (let r = 0; r < 10; r++) {
      const hi0 = mulhi(c0, M0_HI, M0_LO);
      const lo0 = Math.imul(c0, M0) >>> 0;
      const hi1 = mulhi(c2, M1_HI, M1_LO);
      const lo1 = Math.imul(c2, M1) >>> 0;
      c0 = (hi1 ^ c1 ^ a0) >>> 0;
      c1 = lo1;
      c2 = (hi0 ^ c3 ^ a1) >>> 0;
      c3 = lo0;
      a0 = (a0 + W0) >>> 0;
      a1 = (a1 + W1) >>> 0;
    }
    scratch[i] = c0;
    scratch[i + 1] = c1;
    scratch[i + 2] = c2;
    scratch[i + 3] = c3;
  }
}

/*
 * The kernel module (build/rng.wasm, source kernels/wasm/assembly/rng.as) over its own shared memory:
 *   philox(k0, k1, s0, s1, blo, bhi, groups, dst)   the 16·groups words of blocks b … b+4·groups−1
 *   normals(k0, k1, s0, s1, blo, bhi, groups, dst)  their 16·groups float32 normals
 *   rademacher(k0, k1, s0, s1, blo, bhi, groups, dst) their 512·groups ±1 floats (one per bit)
 *   boxMuller(src, groups, dst)                     normals of given words (for tests)
 * (b = bhi·2^32 + blo, written at byte dst in element order). Memory: control block
 * (kernels/rng-helper.ts); output region S (a chunk of normals, written by both threads); region F
 * (the main thread's: the fallback when the helper stalls, and Rademacher chunks; never written by
 * the helper); W (words: the chunk of every fill, and test input). A 32×32→64-bit product is one SIMD extmul there (JavaScript needs four 16-bit
 * partial products): ~5× the JavaScript word rate.
 */
type RngExports = {
  philox(k0: number, k1: number, s0: number, s1: number, blo: number, bhi: number, groups: number, dst: number): void;
  normals(k0: number, k1: number, s0: number, s1: number, blo: number, bhi: number, groups: number, dst: number): void;
  boxMuller(src: number, groups: number, dst: number): void;
  rademacher(
    k0: number,
    k1: number,
    s0: number,
    s1: number,
    blo: number,
    bhi: number,
    groups: number,
    dst: number,
  ): void;
};
type RngKernels = {
  k: RngExports;
  module: WasmModule;
  memory: WasmMemory;
  s: Float32Array;
  f: Float32Array;
  words: Uint32Array;
};
/** Normals per chunk (128 KB: stays in L2 until copied out), groups of 16 per chunk, words in W. */
const FAST_FLOATS = 32768,
  FAST_GROUPS = FAST_FLOATS / 16,
  WORDS = 16384;
const REGION_S = 65536,
  REGION_F = REGION_S + 4 * FAST_FLOATS,
  REGION_W = REGION_F + 4 * FAST_FLOATS,
  FAST_PAGES = 16;
/** Chunks of fewer groups stay on the main thread (two units at least: a hand-off costs microseconds). */
const MIN_SPLIT_GROUPS = 2 * UNIT_GROUPS;

/** Words of `blocks` consecutive blocks from counter (c0, c1, c2, c3) (c1 takes c0's carry) under key (k0, k1). */
function philoxBlocksJs(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  blocks: number,
): Uint32Array {
  const out = new Uint32Array(4 * blocks);
  for (let j = 0; j < blocks; j++) {
    const lo = (c0 >>> 0) + j; // the 64-bit counter as two words (c1·2^32 + c0 may exceed 2^53)
    philox4x32(lo % TWO32, ((c1 >>> 0) + Math.floor(lo / TWO32)) % TWO32, c2, c3, k0, k1, out, 4 * j);
  }
  return out;
}

function philoxBlocksWasm(
  kern: RngKernels,
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  blocks: number,
): Uint32Array {
  if (4 * blocks > WORDS - 12) throw new RangeError(`philoxBlocks: at most ${(WORDS - 12) / 4} blocks, got ${blocks}`);
  kern.k.philox(k0 | 0, k1 | 0, c2 | 0, c3 | 0, c0 | 0, c1 | 0, Math.ceil(blocks / 4), REGION_W);
  return kern.words.slice(0, 4 * blocks);
}

function loadKernels(): RngKernels | undefined {
  try {
    const memory = new wasmApi.Memory({ initial: FAST_PAGES, maximum: FAST_PAGES, shared: true });
    const module = new wasmApi.Module(Uint8Array.from(atob(RNG_WASM), (c) => c.charCodeAt(0)));
    const k = new wasmApi.Instance(module, { env: { memory } }).exports as unknown as RngExports;
    const f32 = (at: number) => new Float32Array(memory.buffer, at, FAST_FLOATS);
    const kern = {
      k,
      module,
      memory,
      s: f32(REGION_S),
      f: f32(REGION_F),
      words: new Uint32Array(memory.buffer, REGION_W, WORDS),
    };
    // Self-check against the JavaScript rounds: five blocks across a 2^32 counter carry, high key and stream words.
    const args = [0xfffffffe, 7, 5, 0x80000001, 0x89abcdef, 0x1234567, 5] as const;
    const got = philoxBlocksWasm(kern, ...args),
      want = philoxBlocksJs(...args);
    return want.every((x, i) => got[i] === x) ? kern : undefined;
  } catch {
    return undefined; // no WebAssembly SIMD (or shared memory) here: the JavaScript path gives the same words
  }
}

const kernels = typeof wasmApi === 'object' ? loadKernels() : undefined;

/** Instances of rng.wasm over other memories (the wasm backend's), by the memory's buffer. */
const attached = new WeakMap<ArrayBufferLike, RngExports>();

/**
 * Lets float32 normal fills write straight into arrays that are views of `memory`
 * (the wasm backend's kernel memory, where the tensor pool places tensors), through a second
 * instance of rng.wasm over it: the kernel writes only inside the destination's elements, so the
 * memory's other contents are safe. `memory` must never grow (its buffer identifies the views).
 * Returns whether fills will write in place (false where the SIMD kernel is unavailable).
 */
export function registerKernelMemory(memory: WasmMemory): boolean {
  if (!kernels) return false;
  if (attached.has(memory.buffer)) return true;
  try {
    attached.set(
      memory.buffer,
      new wasmApi.Instance(kernels.module, { env: { memory } }).exports as unknown as RngExports,
    );
    return true;
  } catch {
    return false; // e.g. a memory that is not shared: fills copy as before
  }
}
/** The words of the current chunk: region W of the kernel memory (never grown) or a plain array. */
const scratch = kernels ? kernels.words : new Uint32Array(CHUNK);

function wordsAtWasm(k0: number, k1: number, s0: number, s1: number, first: number, count: number): void {
  const b = first / 4;
  kernels!.k.philox(k0 | 0, k1 | 0, s0 | 0, s1 | 0, b | 0, Math.floor(b / TWO32) | 0, Math.ceil(count / 16), REGION_W);
}

const wordsAt = kernels ? wordsAtWasm : wordsAtJs;

/** Which implementation generates the words ('wasm' or 'js'), for benchmarks and tests. */
export const rngImplementation: 'wasm' | 'js' = kernels ? 'wasm' : 'js';

/**
 * The words of `blocks` consecutive Philox blocks, counter (c0, c1, c2, c3) (c0 counting up, carrying
 * into c1) under key (k0, k1), from either implementation, for known-answer tests; 'wasm' gives
 * undefined where the kernel is unavailable.
 */
export function philoxBlocks(
  implementation: 'js' | 'wasm',
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  blocks = 1,
): Uint32Array | undefined {
  if (implementation === 'js') return philoxBlocksJs(c0, c1, c2, c3, k0, k1, blocks);
  if (implementation === 'wasm') return kernels && philoxBlocksWasm(kernels, c0, c1, c2, c3, k0, k1, blocks);
  throw new RangeError(`philoxBlocks: implementation must be 'js' or 'wasm', got ${JSON.stringify(implementation)}`);
}

/**
 * Walks elements [offset, offset+n) in chunks: `emit(j0, w0, len)` gets the words of output
 * positions j0 … j0+len-1 in scratch[w0 …] (w0 > 0 only for the first, unaligned chunk).
 */
function forChunks(
  seed: number,
  stream: number,
  offset: number,
  n: number,
  emit: (j0: number, w0: number, len: number) => void,
): void {
  checkIndex('seed', seed);
  checkIndex('stream', stream);
  checkIndex('offset', offset);
  const k0 = seed >>> 0,
    k1 = Math.floor(seed / TWO32) >>> 0;
  const s0 = stream >>> 0,
    s1 = Math.floor(stream / TWO32) >>> 0;
  let j = 0;
  while (j < n) {
    const e = offset + j,
      first = e - (e % 4),
      skip = e - first;
    const count = Math.min(CHUNK, Math.ceil((offset + n - first) / 4) * 4);
    wordsAt(k0, k1, s0, s1, first, count);
    const len = Math.min(count - skip, n - j);
    emit(j, skip, len);
    j += len;
  }
}

/** out[j] = element offset+j of the uniform (0,1) stream (seed, stream). */
export function fillUniform(out: FloatOut, seed: number, stream = 0, offset = 0): FloatOut {
  forChunks(seed, stream, offset, out.length, (j0, w0, len) => {
    for (let q = 0; q < len; q++) out[j0 + q] = (scratch[w0 + q] + 0.5) * INV32;
  });
  return out;
}

/**
 * out[j] = element offset+j of the Rademacher (±1, equal odds) stream (seed, stream). Element i is
 * bit (i mod 32) of word ⌊i/32⌋: one Philox block serves 128 elements.
 */
export function fillRademacher(out: FloatOut, seed: number, stream = 0, offset = 0): FloatOut {
  // (the type test first: the load-time check of `signs` calls this with a Float64Array before it is set)
  if (out instanceof Float32Array && signs) return fillRademacherF32(signs, out, seed, stream, offset);
  const n = out.length;
  if (n === 0) {
    forChunks(seed, stream, 0, 0, () => {});
    return out;
  } // still validates the arguments
  const firstWord = Math.floor(offset / 32),
    lastWord = Math.floor((offset + n - 1) / 32);
  forChunks(seed, stream, firstWord, lastWord - firstWord + 1, (k0, w0, len) => {
    for (let q = 0; q < len; q++) {
      let word = scratch[w0 + q];
      const base = (firstWord + k0 + q) * 32;
      const from = base < offset ? offset : base,
        to = base + 32 > offset + n ? offset + n : base + 32;
      word >>>= from - base;
      for (let j = from - offset, end = to - offset; j < end; j++, word >>>= 1) out[j] = (word & 1) * 2 - 1;
    }
  });
  return out;
}

/**
 * The float32 normal kernel, once its output agrees with the float64 path: an unaligned slice
 * across a 2^32 block carry, high key and stream words.
 */
function checkNormals(kern: RngKernels): RngKernels | undefined {
  const seed = 0x12345 * TWO32 + 0x89abcdef,
    stream = 0x101 * TWO32 + 5,
    offset = (8 * TWO32 - 2) * 4 - 3;
  const got = fillNormalF32(kern, new Float32Array(40), seed, stream, offset);
  const want = fillNormalF64(new Float64Array(40), seed, stream, offset);
  return want.every((x, i) => Math.abs(got[i] - x) < 1e-5) ? kern : undefined;
}

/** out[j] = element offset+j of the standard normal stream (seed, stream). */
export function fillNormal(out: FloatOut, seed: number, stream = 0, offset = 0): FloatOut {
  if (fast && out instanceof Float32Array) return fillNormalF32(fast, out, seed, stream, offset);
  return fillNormalF64(out, seed, stream, offset);
}

/** Decided on first use: setNormalThreads, else FORWARDGRAD_RNG_THREADS, else 2 with ≥ 2 cores. */
let threadsChosen: 1 | 2 | undefined;
let helper: NormalHelper | undefined;

function normalThreads(): 1 | 2 {
  if (threadsChosen === undefined) {
    const v = envVar('FORWARDGRAD_RNG_THREADS');
    if (v === undefined || v === '') threadsChosen = hardwareThreads() >= 2 ? 2 : 1;
    else if (v === '1' || v === '2') threadsChosen = v === '1' ? 1 : 2;
    else throw new Error(`FORWARDGRAD_RNG_THREADS must be 1 or 2, got '${v}'`);
  }
  return threadsChosen;
}

/**
 * Threads for large float32 normal fills: 1 (main thread) or 2 (main + one helper, started on first
 * use; the default on a machine with ≥ 2 cores, like the wasm backend's threads; also
 * FORWARDGRAD_RNG_THREADS=1|2). The numbers are the same either way. Two threads win on an idle
 * second core (the paper MLP's v: 4.3 → 3.2 ms a step, fgd step 11.9 → 9.9 ms, bench/NOTES.md) and
 * lose a little when another process holds it (5.4 vs 4.6 ms at load 10), as the GEMM's do.
 */
export function setNormalThreads(n: 1 | 2): void {
  if (n !== 1 && n !== 2) throw new RangeError(`setNormalThreads: threads must be 1 or 2, got ${String(n)}`);
  threadsChosen = n;
  // A started helper stays parked (asleep in Atomics.wait, unref'd) and serves the next switch to 2:
  // a second helper on the same control block would find `ready` already set and miss its first job.
}

/** Starts the helper if needed and blocks until it runs (≤ timeoutMs); returns whether it does. */
export function waitForNormalThreads(timeoutMs = 10000): boolean {
  return (
    normalThreads() === 2 &&
    fast !== undefined &&
    (helper ??= NormalHelper.start(fast.module, fast.memory, fast.k))?.waitReady(timeoutMs) === true
  );
}

/** Elements per Philox block and per kernel group (4 blocks) of the float32 kernels. */
const NORMAL = { block: 4, group: 16 },
  RADEMACHER = { block: 128, group: 512 };

type Keys = [k0: number, k1: number, s0: number, s1: number];

function keysOf(seed: number, stream: number, offset: number): Keys {
  checkIndex('seed', seed);
  checkIndex('stream', stream);
  checkIndex('offset', offset);
  return [seed | 0, Math.floor(seed / TWO32) | 0, stream | 0, Math.floor(stream / TWO32) | 0];
}

/** Whether float32 normal fills of `arr` write in place (it is a view of a registered memory). */
export function fillsInPlace(arr: Float32Array): boolean {
  return attached.has(arr.buffer);
}

/**
 * Normals for out in place when it is a view of a registered memory: from its first element at a
 * block start, whole groups only (the kernel writes every element of its groups). Returns the
 * range [j0, j1) written; [0, 0) where out is not such a view. The rest takes the copying path.
 */
function normalsInPlace(out: Float32Array, offset: number, keys: Keys): [number, number] {
  const k = attached.get(out.buffer);
  if (k === undefined) return [0, 0];
  const n = out.length,
    j0 = Math.min(n, (NORMAL.block - (offset % NORMAL.block)) % NORMAL.block),
    j1 = j0 + Math.floor((n - j0) / NORMAL.group) * NORMAL.group;
  if (j1 > j0) {
    const b = (offset + j0) / NORMAL.block;
    k.normals(...keys, b | 0, Math.floor(b / TWO32) | 0, (j1 - j0) / NORMAL.group, addressOf(out.buffer, out, j0));
  }
  return [j0, j1];
}

/**
 * Float32 Rademacher signs from the SIMD kernel, in chunks of up to FAST_FLOATS generated into
 * region F (L2-sized) and copied out, wherever out lives: writing a destination in the backend's
 * memory in place was slower when it is not in cache (1.86 M: 0.74 vs 0.62 ms at the fastest,
 * bench/NOTES.md): the kernel's stores read each line first, the copy (memcpy) does not.
 */
function fillRademacherF32(
  kern: RngKernels,
  out: Float32Array,
  seed: number,
  stream: number,
  offset: number,
): Float32Array {
  const [k0, k1, s0, s1] = keysOf(seed, stream, offset),
    n = out.length;
  for (let j = 0; j < n;) {
    const e = offset + j,
      b = Math.floor(e / RADEMACHER.block),
      skip = e - RADEMACHER.block * b;
    const groups = Math.min(FAST_FLOATS / RADEMACHER.group, Math.ceil((skip + n - j) / RADEMACHER.group));
    kern.k.rademacher(k0, k1, s0, s1, b | 0, Math.floor(b / TWO32) | 0, groups, REGION_F);
    const len = Math.min(RADEMACHER.group * groups - skip, n - j);
    out.set(len === FAST_FLOATS ? kern.f : kern.f.subarray(skip, skip + len), j);
    j += len;
  }
  return out;
}

/**
 * Float32 normals from the SIMD kernel: in place where out is a view of a registered memory (on
 * this thread), else in chunks of up to FAST_GROUPS groups (a slice may start mid-block) generated
 * into region S and copied out. With the helper ready, a chunk is a job list both threads work
 * through (kernels/rng-helper.ts); if the helper stalls, this thread computes the chunk again in
 * region F (never S, which a late helper may still write).
 */
function fillNormalF32(
  fast: RngKernels,
  out: Float32Array,
  seed: number,
  stream: number,
  offset: number,
): Float32Array {
  const keys = keysOf(seed, stream, offset),
    [k0, k1, s0, s1] = keys;
  const { k } = fast,
    n = out.length;
  let h: NormalHelper | undefined;
  const two = normalThreads() === 2; // first use validates FORWARDGRAD_RNG_THREADS
  if (two && n >= 16 * MIN_SPLIT_GROUPS && (h = helper ??= NormalHelper.start(fast.module, fast.memory, k)) && !h.ready)
    h = undefined;
  // In place on this thread only: the helper's instance addresses rng.wasm's own memory.
  const [p0, p1] = h === undefined ? normalsInPlace(out, offset, keys) : [0, 0];
  const viaS = (from: number, to: number) => {
    for (let j = from; j < to;) {
      const e = offset + j,
        b = Math.floor(e / 4),
        skip = e - 4 * b;
      const groups = Math.min(FAST_GROUPS, Math.ceil((skip + to - j) / 16));
      const blo = b | 0,
        bhi = Math.floor(b / TWO32) | 0;
      let from = fast.s;
      if (h !== undefined && h.ready && groups >= MIN_SPLIT_GROUPS) {
        if (!h.normals([k0, k1, s0, s1, blo, bhi], groups, REGION_S)) {
          k.normals(k0, k1, s0, s1, blo, bhi, groups, REGION_F);
          from = fast.f;
        }
      } else k.normals(k0, k1, s0, s1, blo, bhi, groups, REGION_S);
      const len = Math.min(16 * groups - skip, to - j);
      out.set(len === FAST_FLOATS ? from : from.subarray(skip, skip + len), j);
      j += len;
    }
  };
  viaS(0, p0);
  viaS(p1, n);
  return out;
}

/** Box–Muller of given words by the float32 kernel (16·g words → 16·g normals), for tests; undefined without it. */
export function fastNormalsOfWords(words: Uint32Array): Float32Array | undefined {
  if (!fast) return undefined;
  if (words.length % 16 !== 0)
    throw new RangeError(`fastNormalsOfWords: length must be a multiple of 16, got ${words.length}`);
  const res = new Float32Array(words.length);
  for (let i = 0; i < words.length; i += WORDS) {
    const m = Math.min(WORDS, words.length - i);
    fast.words.set(words.subarray(i, i + m));
    fast.k.boxMuller(REGION_W, m / 16, REGION_S);
    res.set(fast.s.subarray(0, m), i);
  }
  return res;
}

/** Normals through the float64 Box–Muller (rounded on store for Float32Array). */
function fillNormalF64(out: FloatOut, seed: number, stream = 0, offset = 0): FloatOut {
  forChunks(seed, stream, offset, out.length, (j0, w0, len) => {
    let q = 0;
    if (w0 % 2 === 1) {
      // odd start: the sin half of a pair
      const p = w0 - 1;
      out[j0] =
        Math.sqrt(-2 * Math.log((scratch[p] + 0.5) * INV32)) * Math.sin(TWO_PI * ((scratch[p + 1] + 0.5) * INV32));
      q = 1;
    }
    for (; q + 1 < len; q += 2) {
      const p = w0 + q;
      const r = Math.sqrt(-2 * Math.log((scratch[p] + 0.5) * INV32));
      const t = TWO_PI * ((scratch[p + 1] + 0.5) * INV32);
      out[j0 + q] = r * Math.cos(t);
      out[j0 + q + 1] = r * Math.sin(t);
    }
    if (q < len) {
      // odd end: the cos half of a pair
      const p = w0 + q;
      out[j0 + q] =
        Math.sqrt(-2 * Math.log((scratch[p] + 0.5) * INV32)) * Math.cos(TWO_PI * ((scratch[p + 1] + 0.5) * INV32));
    }
  });
  return out;
}

const fast = kernels && checkNormals(kernels);

/** The Rademacher kernel, once its output equals the JavaScript bit loop's on an unaligned slice across a block carry. */
function checkRademacher(kern: RngKernels): RngKernels | undefined {
  const seed = 0x12345 * TWO32 + 0x89abcdef,
    stream = 0x101 * TWO32 + 5,
    offset = (2 * TWO32 - 1) * 128 - 37;
  const got = fillRademacherF32(kern, new Float32Array(600), seed, stream, offset);
  const want = fillRademacher(new Float64Array(600), seed, stream, offset);
  return want.every((x, i) => got[i] === x) ? kern : undefined;
}
/** The kernels when Float32Array Rademacher fills use `rademacher` (else the JavaScript bit loop). */
const signs = kernels && checkRademacher(kernels);
/** Which code makes Float32Array Rademacher fills: the SIMD kernel or the JavaScript loop (same numbers). */
export const rademacherFloat32Implementation: 'wasm-simd' | 'js' = signs ? 'wasm-simd' : 'js';
/** Which code makes Float32Array normals: the SIMD kernel ('wasm-simd') or the float64 path ('js'). */
export const normalFloat32Implementation: 'wasm-simd' | 'js' = fast ? 'wasm-simd' : 'js';

export type Distribution = 'normal' | 'rademacher' | 'uniform';

/** The fill function for a distribution name (a table, so callers can pass the name through). */
export const FILLERS: Readonly<Record<Distribution, typeof fillNormal>> = {
  normal: fillNormal,
  rademacher: fillRademacher,
  uniform: fillUniform,
};

/** A seeded sequential generator for users: draws walk one Philox stream in order. */
export class Rng {
  private readonly words = new Uint32Array(4);
  private block = 0;
  private used = 4;
  private spare: number | undefined;

  constructor(
    readonly seed: number,
    readonly stream = 0,
  ) {
    checkIndex('seed', seed);
    checkIndex('stream', stream);
  }

  /** The next raw 32-bit word. */
  nextUint32(): number {
    if (this.used === 4) {
      const b = this.block++;
      philox4x32(
        b >>> 0,
        Math.floor(b / TWO32),
        this.stream >>> 0,
        Math.floor(this.stream / TWO32),
        this.seed >>> 0,
        Math.floor(this.seed / TWO32),
        this.words,
      );
      this.used = 0;
    }
    return this.words[this.used++];
  }

  /** Uniform in (0, 1). */
  uniform(): number {
    return (this.nextUint32() + 0.5) * INV32;
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const t = TWO_PI * this.uniform();
    this.spare = r * Math.sin(t);
    return r * Math.cos(t);
  }

  /** ±1 with equal odds. */
  rademacher(): number {
    return this.nextUint32() >= 0x80000000 ? 1 : -1;
  }

  /** Integer in [0, n) (multiply-shift; bias below 2^-32·n, negligible for array sizes). */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0 || n > TWO32)
      throw new RangeError(`rng.int: n must be an integer in [1, 2^32], got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** Fills `out` with draws from `distribution`, continuing this generator's sequence. */
  fill(out: FloatOut, distribution: Distribution = 'normal'): FloatOut {
    const draw =
      distribution === 'normal'
        ? () => this.normal()
        : distribution === 'rademacher'
          ? () => this.rademacher()
          : () => this.uniform();
    for (let i = 0; i < out.length; i++) out[i] = draw();
    return out;
  }
}

/** A seed from the platform's entropy source, for runs where the user gave none (record it). */
export function randomSeed(): number {
  const w = new Uint32Array(2);
  globalThis.crypto.getRandomValues(w);
  return (w[0] & 0x1fffff) * TWO32 + w[1];
}
