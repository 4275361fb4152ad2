// The wasm backend's tensor heap (kernels/wasm/heap.ts) and the kernels' in-place paths. An
// operand in the kernel memory is packed where it is and C/y written in place; anything else goes
// through the arena. Both paths run the same microkernel on the same packed values, so they must
// give the same bits: every test here compares in place against copied exactly (the copy path
// itself is checked against float64 references in wasm-gemm/wasm-conv2d/wasm-im2col.test.ts), and
// checks that nothing around an in-place output was written.
import type { Conv2dArgs, GemmArgs } from '../../kernels/backend';
import { createWasmBackend, type WasmBackend } from '../../kernels/wasm/index';
import { rng } from '../support/random';

/** Index of the first element whose bits differ, -1 if none, -2 on a length mismatch. */
function firstDifference(x: Float32Array, y: Float32Array): number {
  if (x.length !== y.length) return -2;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return i;
  return -1;
}

const GUARD = 37; // floats of sentinel on each side of an in-place output
const SENTINEL = -12345.5;

/** A copy of src in be's heap, between two sentinel blocks (the heap grows down: after, src, before). */
function place(be: WasmBackend, src: Float32Array): { arr: Float32Array; guards: Float32Array[] } {
  const after = be.allocate(GUARD)!.fill(SENTINEL);
  const arr = be.allocate(src.length)!;
  const before = be.allocate(GUARD)!.fill(SENTINEL);
  arr.set(src);
  return { arr, guards: [after, before] };
}

function expectGuards(guards: Float32Array[]): void {
  for (const g of guards) expect(g.every((v) => v === SENTINEL)).toBe(true);
}

interface Case {
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  batch?: number;
  pad?: number;
  off?: number;
  sharedA?: boolean;
  sharedB?: boolean;
  alpha?: number;
  beta?: number;
}

/** Random operands with padded leading dimensions, offsets and batch strides (C is NaN when beta = 0: never read). */
function makeGemm(cs: Case, seed: number): GemmArgs {
  const r = rng(seed, -0.5, 0.5);
  const { m, n, k } = cs;
  const batch = cs.batch ?? 1,
    pad = cs.pad ?? 0,
    off = cs.off ?? 0;
  const lda = (cs.transA ? m : k) + pad,
    ldb = (cs.transB ? k : n) + pad,
    ldc = n + pad;
  const aSize = (cs.transA ? k : m) * lda,
    bSize = (cs.transB ? n : k) * ldb,
    cSize = m * ldc + 3;
  const strideA = cs.sharedA ? 0 : aSize + 5,
    strideB = cs.sharedB ? 0 : bSize + 2;
  const fill = (len: number) => Float32Array.from({ length: len }, r);
  const beta = cs.beta ?? 0;
  const c = fill(off + batch * cSize + 2);
  if (beta === 0) c.fill(NaN);
  return {
    m,
    n,
    k,
    batch,
    alpha: cs.alpha ?? 1,
    beta,
    a: fill(off + (batch - 1) * strideA + aSize + 1),
    aOffset: off,
    lda,
    transA: !!cs.transA,
    strideA,
    b: fill(off + 1 + (batch - 1) * strideB + bSize),
    bOffset: off + 1,
    ldb,
    transB: !!cs.transB,
    strideB,
    c,
    cOffset: off + 2,
    ldc,
    strideC: cSize,
  };
}

const GEMM_CASES: Case[] = [
  // every transpose combination, ragged m and n (edge scratch), padding and offsets
  ...[false, true].flatMap((transA) =>
    [false, true].map((transB) => ({ m: 17, n: 29, k: 13, transA, transB, pad: 3, off: 5 })),
  ),
  { m: 16, n: 32, k: 9 }, // exact tiles: no edges
  { m: 3, n: 5, k: 7 }, // smaller than one tile
  { m: 6, n: 8, k: 4, beta: 1 }, // ragged rows only, accumulate
  { m: 8, n: 13, k: 4, alpha: -1.5, beta: 0.5 }, // ragged columns only
  { m: 65, n: 63, k: 31, alpha: 2, beta: -0.25, transA: true, pad: 1 },
  { m: 9, n: 19, k: 11, batch: 3, beta: 0.5, off: 2 },
  { m: 12, n: 10, k: 7, batch: 4, sharedA: true },
  { m: 5, n: 33, k: 6, batch: 3, sharedB: true, transB: true },
  { m: 7, n: 300, k: 9, batch: 40, pad: 2 }, // several job lists on two threads
];

/** Runs g with the operands in `mask` (1 = A, 2 = B, 4 = C) copied into the heap; returns C's contents. */
function runPlaced(be: WasmBackend, g: GemmArgs, mask: number, extra: Partial<GemmArgs> = {}): Float32Array {
  const a = mask & 1 ? place(be, g.a) : undefined,
    b = mask & 2 ? place(be, g.b) : undefined,
    c = mask & 4 ? place(be, g.c) : undefined;
  const out = c ? c.arr : g.c.slice();
  be.gemm({ ...g, a: a?.arr ?? g.a, b: b?.arr ?? g.b, c: out, ...extra });
  if (c) expectGuards(c.guards);
  return out.slice();
}

describe.each([
  ['one thread', { threads: 1 }],
  ['two threads', { threads: 2, minParallelFlops: 0 }],
])('wasm gemm in place, %s', (_name, opts) => {
  let be: WasmBackend;
  beforeAll(() => {
    be = createWasmBackend({ ...opts, memoryMB: 64 });
    if (opts.threads === 2) expect(be.waitForThreads(20000)).toBe(true);
  });
  afterAll(() => be.dispose());

  it('gives the copy path bits for every operand placement, flag, offset and batch layout', () => {
    let seed = 1;
    for (const cs of GEMM_CASES) {
      const g = makeGemm(cs, seed++);
      const copied = runPlaced(be, g, 0);
      expect(copied.some((v) => !Number.isNaN(v))).toBe(true);
      for (let mask = 1; mask < 8; mask++) {
        const d = firstDifference(runPlaced(be, g, mask), copied);
        if (d !== -1) throw new Error(`case ${JSON.stringify(cs)}, placed ${mask}: C differs at ${d}`);
      }
    }
  });

  it('keeps the packed-B cache valid for B in the heap and across new heap blocks', () => {
    const g = makeGemm({ m: 12, n: 40, k: 33 }, 50);
    const want = runPlaced(be, g, 0);
    const b = place(be, g.b).arr,
      c = place(be, g.c).arr;
    const args = { ...g, b, c, bVersion: 1 };
    be.gemm(args); // fills the cache
    expect(firstDifference(c, want)).toBe(-1);
    c.fill(NaN);
    be.gemm(args); // hit
    expect(firstDifference(c, want)).toBe(-1);
    // A new heap block lowers the arena's end; the cache sits below the arena and stays valid.
    be.allocate(40 * 33 * 2)!.fill(7);
    c.fill(NaN);
    be.gemm(args);
    expect(firstDifference(c, want)).toBe(-1);
  });
});

function makeConv(p: { batch: number; c: number; hw: number; o: number; k: number; pad: number }, seed: number) {
  const r = rng(seed, -0.5, 0.5);
  const out = p.hw + 2 * p.pad - p.k + 1;
  const args: Conv2dArgs = {
    x: Float32Array.from({ length: 3 + p.batch * p.c * p.hw * p.hw }, r),
    xOffset: 3,
    batch: p.batch,
    c: p.c,
    h: p.hw,
    w: p.hw,
    weight: Float32Array.from({ length: 5 + p.o * p.c * p.k * p.k }, r),
    weightOffset: 5,
    o: p.o,
    kh: p.k,
    kw: p.k,
    strideH: 1,
    strideW: 1,
    padH: p.pad,
    padW: p.pad,
    outH: out,
    outW: out,
    y: new Float32Array(7 + p.batch * p.o * out * out + 2).fill(NaN),
    yOffset: 7,
  };
  return args;
}

describe('wasm conv2dNchw and im2col in place', () => {
  let be: WasmBackend, noHeap: WasmBackend;
  beforeAll(() => {
    be = createWasmBackend({ threads: 2, minParallelFlops: 0, memoryMB: 64 });
    noHeap = createWasmBackend({ threads: 1, memoryMB: 64, heapShare: 0 });
    expect(be.waitForThreads(20000)).toBe(true);
  });
  afterAll(async () => {
    await be.dispose();
    await noHeap.dispose();
  });

  it('conv2dNchw gives the copy path bits for every placement of x, weight and y', () => {
    const geos = [
      { batch: 2, c: 8, hw: 8, o: 16, k: 3, pad: 1 }, // y rows match the kernel's: written in place
      { batch: 3, c: 5, hw: 7, o: 7, k: 3, pad: 0 }, // ragged o and pixels: y through the arena
      { batch: 9, c: 4, hw: 6, o: 8, k: 2, pad: 1 }, // ≥ 8 images: whole images to each thread
      { batch: 3, c: 1, hw: 9, o: 6, k: 3, pad: 1 }, // one channel, 3×3: its own kernel
    ];
    let seed = 100;
    for (const geo of geos) {
      const a = makeConv(geo, seed++);
      const copied = a.y.slice();
      be.conv2dNchw({ ...a, y: copied });
      for (let mask = 1; mask < 8; mask++) {
        const x = mask & 1 ? place(be, a.x).arr : a.x,
          w = mask & 2 ? place(be, a.weight).arr : a.weight,
          y = mask & 4 ? place(be, a.y) : undefined;
        const out = y ? y.arr : a.y.slice();
        be.conv2dNchw({ ...a, x, weight: w, y: out });
        if (y) expectGuards(y.guards);
        const d = firstDifference(out, copied);
        if (d !== -1) throw new Error(`conv ${JSON.stringify(geo)}, placed ${mask}: y differs at ${d}`);
      }
    }
  });

  it('conv2dNchw with accumulate: in place (kernel adds) and through the arena (copy-out adds) give the same bits', () => {
    const geos = [
      { batch: 2, c: 8, hw: 8, o: 16, k: 3, pad: 1 }, // y in place: the kernel adds
      { batch: 3, c: 5, hw: 7, o: 7, k: 3, pad: 0 }, // ragged: the copy-out adds
      { batch: 9, c: 4, hw: 6, o: 8, k: 2, pad: 1 }, // whole images to each thread
      { batch: 2, c: 1, hw: 9, o: 6, k: 3, pad: 1 }, // one channel, 3×3: its own kernel
      { batch: 2, c: 2, hw: 9, o: 6, k: 3, pad: 1 }, // small-channel path: gemm with beta = 1
    ];
    let seed = 500;
    for (const geo of geos) {
      const a = makeConv(geo, seed++);
      const r = rng(seed++, -1, 1);
      const y0 = Float32Array.from(a.y, (v, i) => (i < a.yOffset || i >= a.y.length - 2 ? v : r()));
      const want = y0.slice();
      noHeap.conv2dNchw({ ...a, y: want, accumulate: true });
      const plain = a.y.slice();
      noHeap.conv2dNchw({ ...a, y: plain });
      for (let i = a.yOffset; i < a.y.length - 2; i++) expect(want[i]).toBe(Math.fround(y0[i] + plain[i])); // the arena path adds once per output
      for (let mask = 0; mask < 8; mask++) {
        const x = mask & 1 ? place(be, a.x).arr : a.x,
          w = mask & 2 ? place(be, a.weight).arr : a.weight,
          y = mask & 4 ? place(be, y0) : undefined;
        const out = y ? y.arr : y0.slice();
        be.conv2dNchw({ ...a, x, weight: w, y: out, accumulate: true });
        if (y) expectGuards(y.guards);
        const d = firstDifference(out, want);
        if (d !== -1) throw new Error(`conv ${JSON.stringify(geo)}, placed ${mask}: y differs at ${d}`);
      }
    }
  });

  it('conv2dNchw with outGroups (the K weight tangents into ẏ_k): in place and through the arena give the same bits', () => {
    const geos = [
      { batch: 2, c: 8, hw: 8, o: 32, k: 3, pad: 1 }, // groups of 16: the kernel writes each in place
      { batch: 3, c: 5, hw: 7, o: 12, k: 3, pad: 0 }, // groups of 6 (panels straddle): the copy-out places them
      { batch: 9, c: 4, hw: 6, o: 16, k: 2, pad: 1 }, // groups of 8, whole images to each thread
      { batch: 2, c: 1, hw: 9, o: 12, k: 3, pad: 1 }, // one channel, 3×3, groups of 6
      { batch: 2, c: 2, hw: 9, o: 12, k: 3, pad: 1 }, // small-channel path: one gemm per group
    ];
    let seed = 700;
    for (const geo of geos) {
      const a = makeConv(geo, seed++);
      const size = geo.o % 16 === 0 ? 16 : geo.o % 8 === 0 ? 8 : 6,
        out = a.outH * a.outW;
      const stride = geo.batch * size * out + 5,
        total = a.yOffset + (geo.o / size - 1) * stride + geo.batch * size * out + 2;
      const r = rng(seed++, -1, 1);
      const y0 = Float32Array.from({ length: total }, r);
      for (const accumulate of [false, true]) {
        const args = { ...a, outGroups: { size, stride }, accumulate };
        const want = y0.slice();
        noHeap.conv2dNchw({ ...args, y: want });
        for (let mask = 0; mask < 8; mask++) {
          const x = mask & 1 ? place(be, a.x).arr : a.x,
            w = mask & 2 ? place(be, a.weight).arr : a.weight,
            y = mask & 4 ? place(be, y0) : undefined;
          const got = y ? y.arr : y0.slice();
          be.conv2dNchw({ ...args, x, weight: w, y: got });
          if (y) expectGuards(y.guards);
          const d = firstDifference(got, want);
          if (d !== -1)
            throw new Error(`conv ${JSON.stringify(geo)} accumulate ${accumulate}, placed ${mask}: y differs at ${d}`);
        }
      }
    }
  });

  it('the small-channel path (im2col + gemm, its buffer in the heap) gives the bits of a backend without a heap', () => {
    const a = makeConv({ batch: 3, c: 2, hw: 9, o: 6, k: 3, pad: 1 }, 200);
    const want = a.y.slice(),
      got = a.y.slice();
    noHeap.conv2dNchw({ ...a, y: want });
    const used = be.heapInfo().blocks;
    be.conv2dNchw({ ...a, y: got });
    expect(be.heapInfo().blocks).toBe(used + 1); // the im2col buffer
    expect(firstDifference(got, want)).toBe(-1);
  });

  it('im2col reads and writes heap views like plain arrays', () => {
    const a = makeConv({ batch: 1, c: 3, hw: 5, o: 1, k: 3, pad: 1 }, 300);
    const n = 3 * 9 * 25;
    const args = {
      x: a.x,
      xOffset: 3,
      c: 3,
      h: 5,
      w: 5,
      kh: 3,
      kw: 3,
      strideH: 1,
      strideW: 1,
      padH: 1,
      padW: 1,
      outH: 5,
      outW: 5,
      cols: new Float32Array(n + 1),
      colsOffset: 1,
    };
    be.im2col(args);
    const cols = place(be, new Float32Array(n + 1).fill(NaN));
    be.im2col({ ...args, x: place(be, a.x).arr, cols: cols.arr });
    expectGuards(cols.guards);
    expect(firstDifference(cols.arr.subarray(1), args.cols.subarray(1))).toBe(-1);
  });
});

describe('wasm tensor heap', () => {
  it('hands out 16-byte aligned, disjoint views of the kernel memory and counts them', async () => {
    const be = createWasmBackend({ threads: 1, memoryMB: 2, heapShare: 0.5 });
    const x = be.allocate(5)!,
      y = be.allocate(3)!,
      z = be.allocate(0)!;
    for (const v of [x, y, z]) {
      expect(v.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(v.byteOffset % 16).toBe(0);
    }
    expect([x.length, y.length, z.length]).toEqual([5, 3, 0]);
    expect(y.byteOffset + y.byteLength).toBeLessThanOrEqual(x.byteOffset); // grows down
    expect(x.byteOffset).toBe(x.buffer.byteLength - 32); // 5 floats rounded up to 8
    expect(y.byteOffset).toBe(x.byteOffset - 16);
    expect(be.heapInfo()).toEqual({ usedBytes: 32 + 16, capacityBytes: be.heapInfo().capacityBytes, blocks: 3 });
    expect(be.heapInfo().capacityBytes).toBeCloseTo((2 * 2 ** 20 - 65536) / 2, -2);
    await be.dispose();
  });

  it('returns undefined when full (and always with heapShare 0); rejects bad arguments', async () => {
    const be = createWasmBackend({ threads: 1, memoryMB: 2, heapShare: 0.5 });
    const cap = be.heapInfo().capacityBytes / 4;
    expect(be.allocate(cap + 1)).toBeUndefined();
    expect(be.allocate(cap - 100)).toBeDefined();
    expect(be.allocate(200)).toBeUndefined();
    expect(be.allocate(100)).toBeDefined();
    expect(() => be.allocate(-1)).toThrow(/allocate needs a non-negative integer element count, got -1/);
    expect(() => be.allocate(1.5)).toThrow(/got 1.5/);
    await be.dispose();
    const none = createWasmBackend({ threads: 1, memoryMB: 2, heapShare: 0 });
    expect(none.allocate(1)).toBeUndefined();
    await none.dispose();
    expect(() => createWasmBackend({ threads: 1, heapShare: 1 })).toThrow(/heapShare must be in \[0, 1\), got 1/);
  });

  it('a heap share above 3/4 may reach the packed-B cache: it is dropped, never read stale', async () => {
    const be = createWasmBackend({ threads: 1, memoryMB: 2, heapShare: 0.95 });
    const g = { ...makeGemm({ m: 4, n: 256, k: 400 }, 450), bVersion: 1 }; // 102,400 packed floats: cached
    const want = runPlaced(be, g, 0);
    const c = g.c.slice();
    be.gemm({ ...g, c });
    expect(firstDifference(c, want)).toBe(-1);
    be.allocate(be.heapInfo().capacityBytes / 4 - 4)!.fill(3); // over the cache
    c.fill(NaN);
    be.gemm({ ...g, c });
    expect(firstDifference(c, want)).toBe(-1);
    await be.dispose();
  });

  it('with the heap full, kernels still fit the arena beside it (split), or say which sizes and setting', async () => {
    const be = createWasmBackend({ threads: 1, memoryMB: 2, heapShare: 0.75 });
    // Fill the heap: about 480 KB of arena and cache remain.
    be.allocate(be.heapInfo().capacityBytes / 4 - 4);
    const g = makeGemm({ m: 200, n: 150, k: 300, beta: 0.5 }, 400); // ~1 MB copied through the arena: split along m
    const big = createWasmBackend({ threads: 1, memoryMB: 16 });
    const want = runPlaced(big, g, 0);
    expect(firstDifference(runPlaced(be, g, 0), want)).toBe(-1);
    const conv = makeConv({ batch: 1, c: 64, hw: 28, o: 64, k: 3, pad: 1 }, 401); // one image ≈ 1.5 MB of arena
    expect(() => be.conv2dNchw(conv)).toThrow(
      /one image needs \d+ bytes of arena, more than the \d+ left beside the tensor heap \(kernel memory 2\.0 MB, of which the tensor heap holds 1\.5 MB; set FORWARDGRAD_WASM_MEMORY_MB higher\)/,
    );
    await be.dispose();
    await big.dispose();
  });
});

describe('wasm tensor heap: release and reuse', () => {
  /** Fills every block with its own value and checks them all: a test for overlap between live blocks. */
  function expectDisjoint(live: Map<Float32Array, number>): void {
    for (const [arr, v] of live) arr.fill(v);
    for (const [arr, v] of live) if (!arr.every((x) => x === v)) throw new Error(`block of ${arr.length} overwritten`);
  }

  it('reuses a released block, merges neighbouring holes, and gives the lowest room back to the arena', async () => {
    const be = createWasmBackend({ threads: 1, memoryMB: 2, heapShare: 0.5 });
    const top = be.allocate(8)!, // the heap grows down: top, a, b, c
      a = be.allocate(5)!,
      b = be.allocate(12)!,
      c = be.allocate(3)!;
    expect(be.heapInfo()).toMatchObject({ usedBytes: 4 * (8 + 8 + 12 + 4), blocks: 4 });
    be.release(b);
    expect(be.heapInfo()).toMatchObject({ usedBytes: 4 * (8 + 8 + 4), blocks: 3 });
    // A smaller block goes into b's hole (its top), not below c.
    const d = be.allocate(4)!;
    expect(d.byteOffset).toBe(b.byteOffset + 4 * 8);
    be.release(d);
    // a, b's hole and c merge with each other and with the arena below: only `top` is left.
    be.release(a);
    be.release(c);
    expect(be.heapInfo()).toMatchObject({ usedBytes: 32, blocks: 1 });
    const e = be.allocate(28)!; // exactly a + b + c's room, right below top
    expect(e.byteOffset).toBe(top.byteOffset - 4 * 28);
    // Holes above and below merge into one: release the middle last.
    be.release(e);
    const [x, y, z] = [be.allocate(4)!, be.allocate(4)!, be.allocate(4)!];
    be.release(x);
    be.release(z); // z touches the arena: gone into it
    be.release(y); // merges with x's hole, and the whole reaches the arena
    const w = be.allocate(12)!;
    expect(w.byteOffset).toBe(top.byteOffset - 4 * 12);
    expect(be.heapInfo()).toMatchObject({ usedBytes: 32 + 48, blocks: 2 });
    await be.dispose();
  });

  it('random allocate/release: aligned, disjoint, counted exactly, holes reused (a fixed seed)', async () => {
    const be = createWasmBackend({ threads: 1, memoryMB: 2, heapShare: 0.5 });
    const r = rng(77, 0, 1);
    const live = new Map<Float32Array, number>();
    const cap = be.heapInfo().capacityBytes;
    let next = 1,
      misses = 0,
      handedOut = 0;
    for (let step = 0; step < 2000; step++) {
      if (live.size > 0 && r() < 0.45) {
        const arrs = [...live.keys()];
        const arr = arrs[Math.floor(r() * arrs.length)];
        live.delete(arr);
        be.release(arr);
      } else {
        const n = Math.floor(r() ** 3 * 20000); // mostly small, some large (up to ~8% of the heap)
        const arr = be.allocate(n);
        if (!arr) {
          misses++;
          continue;
        }
        expect(arr.length).toBe(n);
        expect(arr.byteOffset % 16).toBe(0);
        live.set(arr, next++);
        handedOut += arr.byteLength;
      }
      if (step % 50 === 0) expectDisjoint(live);
      const used = [...live.keys()].reduce((s, a) => s + 16 * Math.ceil(a.length / 4), 0);
      expect(be.heapInfo()).toEqual({ usedBytes: used, capacityBytes: cap, blocks: live.size });
    }
    expectDisjoint(live);
    // The run filled the heap (misses) and handed out several times its capacity: released room was reused.
    expect(misses).toBeGreaterThan(0);
    expect(handedOut).toBeGreaterThan(3 * cap);
    // Everything back: the whole capacity is one block's room again.
    for (const arr of live.keys()) be.release(arr);
    expect(be.heapInfo()).toEqual({ usedBytes: 0, capacityBytes: cap, blocks: 0 });
    expect(be.allocate(cap / 4)).toBeDefined();
    await be.dispose();
  });

  it('exhausted, then released: the room is handed out again', async () => {
    const be = createWasmBackend({ threads: 1, memoryMB: 2, heapShare: 0.5 });
    const quarter = be.heapInfo().capacityBytes / 16;
    const blocks = [0, 1, 2, 3].map(() => be.allocate(quarter)!);
    expect(be.allocate(4)).toBeUndefined(); // full
    be.release(blocks[1]);
    be.release(blocks[2]); // one hole of two quarters, in the middle
    expect(be.allocate(2 * quarter + 4)).toBeUndefined(); // does not fit the hole
    const big = be.allocate(2 * quarter)!;
    expect(big.byteOffset).toBe(blocks[2].byteOffset);
    expect(be.allocate(1)).toBeUndefined();
    await be.dispose();
  });

  it('release rejects arrays it did not hand out and second releases, naming what is wrong', async () => {
    const be = createWasmBackend({ threads: 1, memoryMB: 2, heapShare: 0.5 });
    const a = be.allocate(10)!,
      empty = be.allocate(0)!;
    expect(() => be.release(new Float32Array(10))).toThrow(/release needs a Float32Array from this backend’s allocate/);
    expect(() => be.release(a.subarray(4))).toThrow(
      /release got 6 floats at byte \d+, which is not a block handed out/,
    );
    be.release(a);
    expect(() => be.release(a)).toThrow(/or was released already/);
    be.release(empty);
    expect(() => be.release(empty)).toThrow(/release got an empty block, but none is handed out/);
    expect(be.heapInfo()).toMatchObject({ usedBytes: 0, blocks: 0 });
    await be.dispose();
  });
});
