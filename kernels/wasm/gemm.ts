// SGEMM on the wasm kernels: packs op(A) into 4-row blocks and op(B) into 8-column panels
// (zero-padded so the 4×8 microkernel has no edge cases), runs the kernel, and writes C. An operand
// that lives in the kernel memory (a tensor from the heap, heap.ts) is packed straight from where it
// is and C is written in place (its ragged edges, m mod 4 rows and n mod 8 columns, go through a
// small scratch); any other operand is copied into the per-call arena first, and C copied back.
// With the helper thread, every batch item's panels are split into chunks that either thread claims.
// A generated B (GemmArgs.bSource: a lazy random direction) is generated into the arena where a
// copied B would go, by this thread, then packed from there like one (generation on the helper
// thread is left to do: kernels/rng.ts would need an instance in the helper).
// C must not overlap A or B (as in BLAS).
import type { GemmArgs } from '../backend';
import { Engine } from './engine';
import { addressOf } from './place';
import { OP } from './worker';

const ceilTo = (x: number, q: number) => Math.ceil(x / q) * q;
/**
 * Chunks per item on two threads: enough that the thread that is free picks up the slack when the
 * other starts late; fewer pay less per-chunk overhead (each packs its own slice of B): at 64×784×1024
 * and 64×1024×1024, 4 chunks beat 8 by 5-8% and 16 by ~15%; 2 was as fast as 4 but does not balance.
 */
const CHUNKS = 4;
/**
 * Shortest k for which the kernel packs B itself: with a few rows (an im2col of one channel, k = 9)
 * its strided reads of B lose to packB's row-by-row pass (measured 8% slower there).
 */
const FUSE_MIN_K = 32;

/** Checks shapes, leading dimensions and that every touched element lies inside its array. */
function validate(g: GemmArgs): void {
  const ints: (keyof GemmArgs)[] = [
    'm',
    'n',
    'k',
    'batch',
    'lda',
    'ldb',
    'ldc',
    'aOffset',
    'bOffset',
    'cOffset',
    'strideA',
    'strideB',
    'strideC',
  ];
  for (const key of ints) {
    const v = g[key] as number;
    if (!Number.isInteger(v) || v < 0) throw new Error(`wasm gemm: ${key} must be a non-negative integer, got ${v}`);
  }
  if (!Number.isFinite(g.alpha) || !Number.isFinite(g.beta))
    throw new Error(`wasm gemm: alpha and beta must be finite, got ${g.alpha}, ${g.beta}`);
  const { m, n, k, batch } = g;
  if (m === 0 || n === 0 || batch === 0) return;
  const check = (
    name: string,
    arr: { length: number },
    off: number,
    ld: number,
    rows: number,
    cols: number,
    stride: number,
  ) => {
    if (rows > 0 && cols > 0 && ld < cols)
      throw new Error(`wasm gemm: ld${name} = ${ld} is less than the ${cols} stored columns of ${name.toUpperCase()}`);
    const last = off + (batch - 1) * stride + (rows - 1) * ld + cols - 1;
    if (rows > 0 && cols > 0 && last >= arr.length) {
      throw new Error(
        `wasm gemm: ${name.toUpperCase()} needs element ${last} but has length ${arr.length} (m=${m} n=${n} k=${k} batch=${batch})`,
      );
    }
  };
  check('a', g.a, g.aOffset, g.lda, g.transA ? k : m, g.transA ? m : k, g.strideA);
  check('b', g.bSource ?? g.b, g.bOffset, g.ldb, g.transB ? n : k, g.transB ? k : n, g.strideB);
  check('c', g.c, g.cOffset, g.ldc, m, n, g.strideC);
}

/** Where a call's packed op(B) comes from: packed into the arena, packed into the cache, or cached. */
type BMode = 'none' | 'fill' | 'hit';

/** Byte addresses of A, B and C at their offsets in the kernel memory, -1 for each that is not there. */
interface Place {
  a: number;
  b: number;
  c: number;
}

function placeOf(e: Engine, g: GemmArgs): Place {
  const mem = e.f32.buffer;
  const b = g.bSource ? -1 : addressOf(mem, g.b, g.bOffset);
  return { a: addressOf(mem, g.a, g.aOffset), b, c: addressOf(mem, g.c, g.cOffset) };
}

/** Scratch floats for C's ragged edges when C is written in place: m mod 4 rows, then n mod 8 columns. */
function edgeSizes(m: number, n: number): { bottom: number; right: number } {
  const full = Math.floor(n / 8) * 8;
  return { bottom: m % 4 ? 4 * full : 0, right: n % 8 ? ceilTo(m, 4) * 8 : 0 };
}

/** Floats one call needs: `fixed` once, `item` per batch item held at once. */
function sizes(g: GemmArgs, mode: BMode, at: Place): { fixed: number; item: number } {
  const { m, n, k, batch } = g;
  const mPad = ceilTo(m, 4),
    nPad = ceilTo(n, 8);
  const sharedA = g.strideA === 0,
    sharedB = g.strideB === 0 && batch > 1;
  const packedB = mode === 'none' ? nPad * k : 0,
    rawB = mode === 'hit' || at.b >= 0 ? 0 : k * n;
  const edges = edgeSizes(m, n);
  return {
    fixed: mPad * k + (at.a >= 0 ? 0 : m * k) + (sharedB ? packedB + rawB : 0),
    item:
      (sharedA ? 0 : mPad * k) +
      (sharedB ? 0 : packedB + rawB) +
      (at.c >= 0 ? edges.bottom + edges.right : mPad * nPad),
  };
}

/** One packed op(B) kept in the cache: the array (weakly), what shapes its packing, the caller's version, where it lives. */
interface CacheEntry {
  b: WeakRef<Float32Array>;
  shape: string;
  version: number;
  /** First float of the packed copy, in [Engine.base, Engine.start). */
  at: number;
}

export class WasmGemm {
  /**
   * Packed copies of B, one per (array, shape), laid out one after another from `Engine.base`: a
   * model's layers each keep their weights packed (one entry thrashed between layers: every call of
   * a 3-layer forward repacked its B). A new version of an array that has an entry repacks into the
   * same slot; a new array goes after the last entry, and when the cache would exceed a quarter of
   * the memory beside the heap, every entry is dropped first.
   */
  private entries: CacheEntry[] = [];

  constructor(private readonly e: Engine) {
    e.onReclaim = () => {
      this.entries = [];
    };
  }

  gemm(g: GemmArgs): void {
    validate(g);
    if (g.m === 0 || g.n === 0 || g.batch === 0) return;
    if (g.k === 0) return scaleC(g);
    if (g.bVersion !== undefined && g.bSource === undefined && this.cached(g)) return;
    this.fitted(g);
  }

  /**
   * Runs g with its packed op(B) kept after the call (bVersion given). An entry matches on every
   * argument that shapes the packed copy, the caller's version, and the array's identity (held
   * weakly). Returns false when the packed B would take over a quarter of the memory beside the
   * tensor heap, or the call does not fit beside the cache (which is then dropped).
   */
  private cached(g: GemmArgs): boolean {
    const e = this.e;
    const shape = [g.bOffset, g.ldb, g.transB, g.k, g.n, g.strideB, g.batch].join();
    this.entries = this.entries.filter((x) => x.b.deref() !== undefined);
    const i = this.entries.findIndex((x) => x.shape === shape && x.b.deref() === g.b);
    const hit = i >= 0 && this.entries[i].version === g.bVersion;
    const copies = g.strideB === 0 ? 1 : g.batch;
    const packed = copies * ceilTo(g.n, 8) * g.k;
    const budget = (e.end - e.base) / 4;
    let at: number;
    if (hit) at = this.entries[i].at;
    else {
      if (packed > budget) return false;
      if (i >= 0) {
        at = this.entries[i].at; // same array and shape, new contents: its slot (same size)
        this.entries.splice(i, 1); // invalid until the fill completes
      } else {
        if (e.start - e.base + packed > budget) e.reclaim();
        at = e.start;
        e.start += packed;
      }
    }
    const mode: BMode = hit ? 'hit' : 'fill';
    const { fixed, item } = sizes(g, mode, placeOf(e, g));
    const room = e.end - e.start - fixed;
    if (room < item) {
      e.reclaim();
      return false;
    }
    this.run(g, groupSize(g.batch, room, item), mode, at);
    if (!hit) this.entries.push({ b: new WeakRef(g.b), shape, version: g.bVersion!, at });
    return true;
  }

  /** Splits along the batch, m or n until one call fits in memory (dropping the B cache first). */
  private fitted(g: GemmArgs): void {
    const { m, n, k, batch } = g;
    const { fixed, item } = sizes(g, 'none', placeOf(this.e, g));
    const room = this.e.room(fixed + item) - fixed;
    if (room >= item) return this.run(g, groupSize(batch, room, item), 'none');
    if (batch > 1) {
      for (let t = 0; t < batch; t++) {
        this.fitted({
          ...g,
          batch: 1,
          aOffset: g.aOffset + t * g.strideA,
          bOffset: g.bOffset + t * g.strideB,
          cOffset: g.cOffset + t * g.strideC,
        });
      }
      return;
    }
    if (m >= n && m > 4) {
      const m1 = ceilTo(m / 2, 4);
      this.fitted({ ...g, m: m1 });
      this.fitted({
        ...g,
        m: m - m1,
        aOffset: g.aOffset + m1 * (g.transA ? 1 : g.lda),
        cOffset: g.cOffset + m1 * g.ldc,
      });
    } else if (n > 8) {
      const n1 = ceilTo(n / 2, 8);
      this.fitted({ ...g, n: n1 });
      this.fitted({ ...g, n: n - n1, bOffset: g.bOffset + n1 * (g.transB ? g.ldb : 1), cOffset: g.cOffset + n1 });
    } else {
      throw new Error(
        `wasm gemm: k = ${k} is too large for the kernel memory: one call needs ${(fixed + item) * 4} bytes of arena, ${(this.e.end - this.e.start) * 4} are left beside the tensor heap (${this.e.describe()})`,
      );
    }
  }
  /** One call that fits: `group` batch items per hand-off; `mode` says where packed B lives (from `cacheAt` when cached). */
  private run(g: GemmArgs, group: number, mode: BMode, cacheAt = 0): void {
    const { m, n, k, batch, alpha, beta } = g;
    const mPad = ceilTo(m, 4),
      nPad = ceilTo(n, 8),
      blocks = mPad / 4,
      panels = nPad / 8;
    const sharedA = g.strideA === 0,
      sharedB = g.strideB === 0 && batch > 1;
    const [aRows, aCols] = g.transA ? [k, m] : [m, k];
    const [bRows, bCols] = g.transB ? [n, k] : [k, n];
    const transB = g.transB ? 1 : 0;
    const e = this.e,
      K = e.k;
    const at = placeOf(e, g);
    const inCache = mode !== 'none';
    const packB = mode !== 'hit'; // this call packs op(B)
    // Float offsets in the arena: raw-A scratch, shared packed operands, then per-item regions.
    let top = e.start;
    const rawA = top;
    if (at.a < 0) top += m * k;
    const packA = (t: number, dst: number) => {
      if (at.a >= 0) return K.packA(at.a + 4 * t * g.strideA, g.lda, g.transA ? 1 : 0, m, k, dst * 4);
      e.copyIn(g.a, g.aOffset + t * g.strideA, g.lda, aRows, aCols, rawA);
      K.packA(rawA * 4, aCols, g.transA ? 1 : 0, m, k, dst * 4);
    };
    /** Where packB reads item t's op(B) (byte address, leading dimension): in place, or copied to `raw`. */
    const sourceB = (t: number, raw: number): [number, number] => {
      if (at.b >= 0) return [at.b + 4 * t * g.strideB, g.ldb];
      if (g.bSource) e.generateIn(g.bSource, g.bOffset + t * g.strideB, g.ldb, bRows, bCols, raw);
      else e.copyIn(g.b, g.bOffset + t * g.strideB, g.ldb, bRows, bCols, raw);
      return [raw * 4, bCols];
    };
    const rawB = at.b >= 0 ? 0 : k * n;
    const cachedPb = (t: number) => cacheAt + (sharedB ? 0 : t) * nPad * k;
    let sharedPa = -1,
      sharedPb = -1;
    if (sharedA) {
      sharedPa = top;
      top += mPad * k;
      packA(0, sharedPa);
    }
    if (sharedB) {
      sharedPb = inCache ? cachedPb(0) : top;
      if (!inCache) top += nPad * k;
      if (packB) {
        const [src, ld] = sourceB(0, top);
        top += rawB;
        K.packB(src, ld, transB, k, n, 0, panels, sharedPb * 4);
      }
    }
    // C in place: full 4×8 tiles straight into C, the ragged rows/columns into scratch (copied after).
    const inPlaceC = at.c >= 0;
    const fullBlocks = Math.floor(m / 4),
      fullPanels = Math.floor(n / 8);
    const edges = edgeSizes(m, n);
    const itemFloats = sizes(g, mode, at).item;
    const parallel = e.parallel(2 * m * n * k * batch, panels);
    const packEach = packB && !sharedB;
    type Item = { pa: number; pb: number; bSrc: number; bLd: number; pc: number; c: number; t: number };
    // A row-major op(B) packed per item has its full panels packed inside the kernel (gemm.as: row
    // block 0 reads B where it is); packB then only does the ragged n mod 8 columns (or, for a
    // transposed B, everything).
    const fuse = packEach && !g.transB && k >= FUSE_MIN_K;
    /**
     * Kernel argument lists (alpha, beta apart) for panels [p0, p1) of one item: a fixed count per
     * chunk; the ragged panel always gets its own call (the kernel packs full panels only). A list
     * with src (index 8) != 0 is a `kernelPackB` call.
     */
    const calls = (it: Item, p0: number, p1: number): number[][] => {
      const q1 = Math.max(p0, Math.min(p1, fullPanels)); // full panels of this chunk
      const src = fuse ? it.bSrc : 0,
        ld = fuse ? it.bLd : 0;
      if (!inPlaceC)
        return [
          [it.pa * 4, it.pb * 4, it.pc * 4, nPad, blocks, p0, q1, k, src, ld],
          [it.pa * 4, it.pb * 4, it.pc * 4, nPad, blocks, q1, p1, k, 0, 0],
        ];
      const bottom = it.pc,
        right = it.pc + edges.bottom;
      // The first call with a row block packs: the full blocks', or the ragged rows' when m < 4.
      const packer = fullBlocks > 0 ? 0 : 1;
      return [
        [it.pa * 4, it.pb * 4, it.c * 4, g.ldc, fullBlocks, p0, q1, k, packer === 0 ? src : 0, ld],
        [
          (it.pa + fullBlocks * 4 * k) * 4,
          it.pb * 4,
          bottom * 4,
          fullPanels * 8,
          m % 4 ? 1 : 0,
          p0,
          q1,
          k,
          packer === 1 ? src : 0,
          ld,
        ],
        [
          it.pa * 4,
          (it.pb + fullPanels * 8 * k) * 4,
          right * 4,
          8,
          blocks,
          0,
          n % 8 && p1 > fullPanels ? 1 : 0,
          k,
          0,
          0,
        ],
      ];
    };
    /** Panels a packB record does for chunk [p0, p1): the ragged one when the kernel packs the rest. */
    const packFrom = (p0: number) => (fuse ? Math.max(p0, fullPanels) : p0);
    /** Copies C's ragged edges between C (in the memory, float index c) and their scratch. */
    const edgeCopy = (it: Item, toScratch: boolean) => {
      const f = e.f32,
        r0 = fullBlocks * 4,
        c0 = fullPanels * 8;
      const move = (dst: number, src: number, len: number) =>
        toScratch ? f.copyWithin(dst, src, src + len) : f.copyWithin(src, dst, dst + len);
      if (edges.bottom) for (let r = r0; r < m; r++) move(it.pc + (r - r0) * c0, it.c + r * g.ldc, c0);
      if (edges.right) for (let r = 0; r < m; r++) move(it.pc + edges.bottom + r * 8, it.c + r * g.ldc + c0, n - c0);
    };
    // Two threads: each item's panels are cut into chunks (a packB + kernel records, or kernels),
    // claimed by whichever thread is free. The helper is woken once the list is complete (woken
    // before the copies, its waiting cost the main thread time on a busy machine: measured 2-6%).
    const cuts = evenCuts(panels, CHUNKS);
    const chunks = cuts.length - 1,
      unit = (packEach ? 1 : 0) + (inPlaceC ? 3 : 2);
    const maxGroup = parallel
      ? Math.max(1, Math.min(Math.floor(Engine.MAX_JOBS / (chunks * unit)), Math.floor(Engine.MAX_UNITS / chunks)))
      : group;
    group = Math.min(group, maxGroup);

    for (let t0 = 0; t0 < batch; t0 += group) {
      const t1 = Math.min(batch, t0 + group);
      const items: Item[] = [];
      try {
        for (let t = t0, base = top; t < t1; t++, base += itemFloats) {
          let p = base;
          const pa = sharedA ? sharedPa : p;
          if (!sharedA) p += mPad * k;
          let bSrc = -1,
            bLd = 0;
          if (packEach) {
            [bSrc, bLd] = sourceB(t, p);
            p += rawB;
          }
          const pb = sharedB ? sharedPb : inCache ? cachedPb(t) : p;
          if (!sharedB && !inCache) p += nPad * k;
          const pc = p; // padded C, or the edge scratch when C is in place
          const c = inPlaceC ? at.c / 4 + t * g.strideC : -1;
          if (!sharedA) packA(t, pa);
          const it = { pa, pb, bSrc, bLd, pc, c, t };
          if (beta !== 0) {
            if (inPlaceC) edgeCopy(it, true);
            else {
              const cOff = g.cOffset + t * g.strideC;
              for (let r = 0; r < m; r++)
                e.f32.set(g.c.subarray(cOff + r * g.ldc, cOff + r * g.ldc + n), pc + r * nPad);
            }
          }
          items.push(it);
          if (parallel) {
            for (let ch = 0; ch < chunks; ch++) {
              const p0 = cuts[ch],
                p1 = cuts[ch + 1];
              if (packEach) e.post(OP.packB, [bSrc, bLd, transB, k, n, packFrom(p0), p1, pb * 4]);
              for (const args of calls(it, p0, p1)) e.post(args[8] ? OP.kernelPackB : OP.kernel, args, alpha, beta);
            }
          }
        }
      } catch (err) {
        e.abandon();
        throw err;
      }
      if (parallel) {
        e.launch(unit);
        e.finish();
      } else {
        for (const it of items) {
          if (packEach && packFrom(0) < panels) K.packB(it.bSrc, it.bLd, transB, k, n, packFrom(0), panels, it.pb * 4);
          for (const a of calls(it, 0, panels)) {
            if (a[4] === 0 || a[6] <= a[5]) continue; // no row blocks or no panels
            if (a[8]) K.kernelPackB(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], alpha, beta, a[8], a[9]);
            else K.kernel(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], alpha, beta);
          }
        }
      }
      for (const it of items) {
        if (inPlaceC) {
          edgeCopy(it, false);
          continue;
        }
        const cOff = g.cOffset + it.t * g.strideC;
        if (g.ldc === n && n === nPad) g.c.set(e.f32.subarray(it.pc, it.pc + m * n), cOff);
        else
          for (let r = 0; r < m; r++) g.c.set(e.f32.subarray(it.pc + r * nPad, it.pc + r * nPad + n), cOff + r * g.ldc);
      }
    }
  }
}

/** Panel boundaries of `parts` equal chunks. */
function evenCuts(panels: number, parts: number): number[] {
  const chunk = Math.max(1, Math.ceil(panels / parts)),
    cuts = [];
  for (let p = 0; p < panels; p += chunk) cuts.push(p);
  cuts.push(panels);
  return cuts;
}

function groupSize(batch: number, room: number, item: number): number {
  return Math.max(1, Math.min(batch, Math.floor(room / item), Engine.MAX_GROUP));
}

/** k = 0: op(A)·op(B) is zero, so C = beta·C (beta = 0 writes zeros, never reading C). */
function scaleC(g: GemmArgs): void {
  for (let t = 0; t < g.batch; t++) {
    for (let r = 0; r < g.m; r++) {
      const o = g.cOffset + t * g.strideC + r * g.ldc;
      for (let j = o; j < o + g.n; j++) g.c[j] = g.beta === 0 ? 0 : g.beta * g.c[j];
    }
  }
}
