// The wasm backend's GEMM against a float64 reference. Tolerance per element:
// (k + 2)·eps32·(|alpha|·Σ_p |a_ip·b_pj| + |beta·c_ij|), twice the worst-case bound for float32
// summation of k products, so any misplaced or missing term (error ~ |a||b|) fails.
import type { GemmArgs } from '../../kernels/backend';
import { createWasmBackend, type WasmBackend } from '../../kernels/wasm/index';
import { compileKernels, type KernelExports } from '../../kernels/wasm/module';
import { Helper, OP, RESERVED_BYTES } from '../../kernels/wasm/worker';
import { Engine } from '../../kernels/wasm/engine';
import { wasmApi } from '../../kernels/wasm/webassembly';
import { rng } from '../support/random';

const EPS32 = 2 ** -23;

interface Case {
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  batch?: number;
  padA?: number;
  padB?: number;
  padC?: number;
  offA?: number;
  offB?: number;
  offC?: number;
  sharedA?: boolean;
  sharedB?: boolean;
  alpha?: number;
  beta?: number;
}

/** Builds random operands for a case (C prefilled, NaN when beta = 0 to prove C is not read). */
function makeArgs(cs: Case, seed: number): GemmArgs {
  const r = rng(seed, -0.5, 0.5);
  const { m, n, k } = cs;
  const batch = cs.batch ?? 1;
  const lda = (cs.transA ? m : k) + (cs.padA ?? 0),
    ldb = (cs.transB ? k : n) + (cs.padB ?? 0),
    ldc = n + (cs.padC ?? 0);
  const aSize = (cs.transA ? k : m) * lda,
    bSize = (cs.transB ? n : k) * ldb,
    cSize = m * ldc + 3;
  const strideA = cs.sharedA ? 0 : aSize + 5,
    strideB = cs.sharedB ? 0 : bSize + 2;
  const offA = cs.offA ?? 0,
    offB = cs.offB ?? 0,
    offC = cs.offC ?? 0;
  const fill = (len: number) => Float32Array.from({ length: len }, r);
  const beta = cs.beta ?? 0;
  const c = fill(offC + batch * cSize);
  if (beta === 0) c.fill(NaN);
  return {
    m,
    n,
    k,
    batch,
    alpha: cs.alpha ?? 1,
    beta,
    a: fill(offA + (batch - 1) * strideA + aSize),
    aOffset: offA,
    lda,
    transA: !!cs.transA,
    strideA,
    b: fill(offB + (batch - 1) * strideB + bSize),
    bOffset: offB,
    ldb,
    transB: !!cs.transB,
    strideB,
    c,
    cOffset: offC,
    ldc,
    strideC: cSize,
  };
}

/** Checks g.c (after the call) against float64 on the original C; untouched elements must be unchanged. */
function expectGemm(g: GemmArgs, c0: Float32Array): void {
  const { m, n, k, alpha, beta } = g;
  const touched = new Uint8Array(g.c.length);
  let worst = 0;
  for (let t = 0; t < g.batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0,
          mag = 0;
        for (let p = 0; p < k; p++) {
          const av = g.a[g.aOffset + t * g.strideA + (g.transA ? p * g.lda + i : i * g.lda + p)];
          const bv = g.b[g.bOffset + t * g.strideB + (g.transB ? j * g.ldb + p : p * g.ldb + j)];
          s += av * bv;
          mag += Math.abs(av * bv);
        }
        const ci = g.cOffset + t * g.strideC + i * g.ldc + j;
        const old = beta === 0 ? 0 : beta * c0[ci];
        const want = alpha * s + old;
        const tol = (k + 2) * EPS32 * (Math.abs(alpha) * mag + Math.abs(old)) + 1e-30;
        const err = Math.abs(g.c[ci] - want);
        if (!(err <= tol)) throw new Error(`C[${t}][${i}][${j}] = ${g.c[ci]}, want ${want} (tol ${tol})`);
        worst = Math.max(worst, err / tol);
        touched[ci] = 1;
      }
    }
  }
  for (let i = 0; i < g.c.length; i++) {
    if (!touched[i] && !Object.is(g.c[i], c0[i])) throw new Error(`element ${i} outside C was written`);
  }
  expect(worst).toBeLessThanOrEqual(1);
}

/** Index of the first element whose bits differ, or -1 (jest's diff of long typed arrays is very slow). */
function firstDifference(x: Float32Array, y: Float32Array): number {
  if (x.length !== y.length) return -2;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return i;
  return -1;
}

function check(be: WasmBackend, cs: Case, seed: number): Float32Array {
  const g = makeArgs(cs, seed);
  const c0 = g.c.slice();
  be.gemm(g);
  expectGemm(g, c0);
  return g.c;
}

const ODD = [1, 3, 17, 63, 65, 129];
const TRANS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

describe('wasm gemm, one thread', () => {
  let be: WasmBackend;
  beforeAll(() => {
    be = createWasmBackend({ threads: 1 });
  });
  afterAll(() => be.dispose());

  it('reports its name, threads and variant', () => {
    expect(be.name).toBe('wasm');
    expect(be.threads).toBe(1);
    expect(['relaxed', 'simd']).toContain(be.variant);
  });

  it('odd sizes, every transpose combination', () => {
    let seed = 1;
    for (const [transA, transB] of TRANS) {
      for (let i = 0; i < ODD.length; i++) {
        // m, n, k run through all odd sizes, rotated so each combination of roles is covered.
        const m = ODD[i],
          n = ODD[(i + 2) % ODD.length],
          k = ODD[(i + 4) % ODD.length];
        check(be, { m, n, k, transA, transB }, seed++);
      }
    }
  });

  it('non-square sizes, leading dimensions and offsets', () => {
    let seed = 100;
    for (const [transA, transB] of TRANS) {
      check(be, { m: 17, n: 65, k: 3, transA, transB, padA: 3, padB: 5, padC: 7, offA: 11, offB: 13, offC: 2 }, seed++);
      check(be, { m: 129, n: 1, k: 63, transA, transB, padA: 1, padB: 2, padC: 1, offA: 1, offB: 4, offC: 9 }, seed++);
    }
  });

  it('alpha and beta accumulate into C', () => {
    check(be, { m: 65, n: 17, k: 129, alpha: -1.5, beta: 0.5, padC: 3, offC: 5 }, 200);
    check(be, { m: 3, n: 63, k: 17, alpha: 2, beta: 1, transA: true, transB: true }, 201);
  });

  it('batches with strides, shared A and shared B', () => {
    check(be, { m: 17, n: 63, k: 65, batch: 3, padA: 1, offA: 3, offB: 5, offC: 7, beta: 0.25 }, 300);
    check(be, { m: 64, n: 17, k: 9, batch: 5, sharedA: true }, 301);
    check(be, { m: 3, n: 65, k: 17, batch: 4, sharedB: true, transB: true }, 302);
    check(be, { m: 1, n: 1, k: 1, batch: 1 }, 303);
  });

  it('k = 0 scales C by beta (and writes zeros for beta = 0)', () => {
    check(be, { m: 5, n: 7, k: 0, beta: 0.5, padC: 2 }, 400);
    check(be, { m: 5, n: 7, k: 0, beta: 0 }, 401);
  });

  it('rejects bad shapes and short arrays with a clear error', () => {
    const g = makeArgs({ m: 4, n: 4, k: 4 }, 500);
    expect(() => be.gemm({ ...g, m: -1 })).toThrow(/m must be a non-negative integer, got -1/);
    expect(() => be.gemm({ ...g, k: 2.5 })).toThrow(/k must be a non-negative integer/);
    expect(() => be.gemm({ ...g, lda: 2 })).toThrow(/lda = 2 is less than the 4 stored columns of A/);
    expect(() => be.gemm({ ...g, b: new Float32Array(10) })).toThrow(/B needs element 15 but has length 10/);
    expect(() => be.gemm({ ...g, alpha: NaN })).toThrow(/alpha and beta must be finite/);
  });
});

describe('wasm gemm kernel, B packed inside the kernel', () => {
  // The kernel's packing path (src != 0) must leave the panels packB writes and the bits of
  // packB + kernel, for odd and even panel counts (every second panel packs its neighbour) and for
  // a range that starts at an odd panel (a chunk of the two-thread split).
  it("writes packB's panels and packB + kernel's bits", () => {
    const { module } = compileKernels();
    const memory = new wasmApi.Memory({ initial: 32, maximum: 32, shared: true });
    const K = new wasmApi.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
    const f32 = new Float32Array(memory.buffer);
    const next = rng(1400, -0.5, 0.5);
    for (const [m, k, n, p0, p1] of [
      [9, 37, 56, 0, 7],
      [4, 5, 64, 0, 8],
      [13, 20, 48, 1, 6],
      [70, 3, 24, 0, 3],
    ]) {
      const ld = n + 3,
        blocks = Math.ceil(m / 4),
        nPad = Math.ceil(n / 8) * 8;
      const at = (floats: number) => floats * 4;
      let top = RESERVED_BYTES / 4;
      const take = (len: number) => ((top += len), top - len);
      const a = take(blocks * 4 * k),
        src = take(k * ld),
        pbRef = take(nPad * k),
        pb = take(nPad * k),
        cRef = take(blocks * 4 * nPad),
        c = take(blocks * 4 * nPad);
      for (let i = a; i < src + k * ld; i++) f32[i] = next();
      f32.fill(NaN, pbRef, c + blocks * 4 * nPad);
      K.packB(at(src), ld, 0, k, n, p0, p1, at(pbRef));
      K.kernel(at(a), at(pbRef), at(cRef), nPad, blocks, p0, p1, k, 1.5, 0);
      K.kernelPackB(at(a), at(pb), at(c), nPad, blocks, p0, p1, k, 1.5, 0, at(src), ld);
      const same = (x: number, y: number, len: number) =>
        Buffer.compare(Buffer.from(memory.buffer, at(x), at(len)), Buffer.from(memory.buffer, at(y), at(len)));
      expect(same(pb, pbRef, nPad * k)).toBe(0);
      expect(same(c, cRef, blocks * 4 * nPad)).toBe(0);
      expect(Number.isNaN(f32[c + p0 * 8])).toBe(false);
    }
  });
});

describe('wasm gemm, two threads', () => {
  let one: WasmBackend, two: WasmBackend;
  beforeAll(() => {
    one = createWasmBackend({ threads: 1 });
    // Threshold 0 so every call is split between the main thread and the helper.
    two = createWasmBackend({ threads: 2, minParallelFlops: 0 });
    expect(two.waitForThreads(20000)).toBe(true);
  });
  afterAll(async () => {
    await one.dispose();
    await two.dispose();
  });

  it('gives the same bits as one thread on odd sizes, transposes, batches and beta', () => {
    let seed = 600;
    const cases: Case[] = [
      ...TRANS.map(([transA, transB]) => ({ m: 63, n: 129, k: 65, transA, transB, padC: 1 })),
      { m: 17, n: 17, k: 3, batch: 3, beta: 0.5, offC: 3 },
      { m: 65, n: 63, k: 17, batch: 7, sharedA: true },
      { m: 3, n: 129, k: 17, batch: 2, sharedB: true },
      { m: 1, n: 9, k: 1 },
      { m: 5, n: 300, k: 9, batch: 100 }, // 4 chunks (8 job records) per item: two job lists
    ];
    for (const cs of cases) {
      const s = seed++;
      expect(firstDifference(check(two, cs, s), check(one, cs, s))).toBe(-1);
    }
  });

  it('keeps working on the main thread after dispose', async () => {
    const b = createWasmBackend({ threads: 2, minParallelFlops: 0 });
    b.waitForThreads(20000);
    await b.dispose();
    check(b, { m: 17, n: 65, k: 63 }, 700);
  });
});

describe('wasm gemm, small memory (calls split to fit)', () => {
  let be: WasmBackend;
  beforeAll(() => {
    be = createWasmBackend({ threads: 2, memoryMB: 1, minParallelFlops: 0 });
    be.waitForThreads(20000);
  });
  afterAll(() => be.dispose());

  it('splits along m, n and the batch', () => {
    // Sizes chosen against the 1 MB arena (245,760 floats): packed + raw A, packed + raw B and C.
    check(be, { m: 300, n: 120, k: 400, batch: 2, padA: 1, offC: 3 }, 800); // per item, then along m
    check(be, { m: 20, n: 400, k: 300, transB: true, beta: 0.5 }, 801); // along n
    check(be, { m: 65, n: 129, k: 63, batch: 20, sharedA: true }, 802); // groups of 9 items
  });

  it('says when k alone does not fit', () => {
    const g = makeArgs({ m: 1, n: 1, k: 200000 }, 803);
    expect(() => be.gemm(g)).toThrow(/too large for the kernel memory/);
  });
});

describe('wasm gemm variants', () => {
  it('the plain-SIMD build agrees with the reference too', async () => {
    const be = createWasmBackend({ threads: 1, variant: 'simd' });
    expect(be.variant).toBe('simd');
    check(be, { m: 65, n: 63, k: 129, transA: true, beta: 0.5 }, 900);
    await be.dispose();
  });
});

describe('wasm gemm, packed-B cache (bVersion)', () => {
  let be: WasmBackend;
  beforeAll(() => {
    be = createWasmBackend({ threads: 2, minParallelFlops: 0 });
    be.waitForThreads(20000);
  });
  afterAll(() => be.dispose());

  it('reuses packed B only for the same array, arguments and version', () => {
    for (const cs of [
      { m: 17, n: 65, k: 63, transB: true },
      { m: 5, n: 33, k: 17, batch: 3, offB: 2 },
      { m: 9, n: 17, k: 5, batch: 4, sharedB: true },
    ] as Case[]) {
      const g = { ...makeArgs(cs, 1000), bVersion: 1 };
      const c0 = g.c.slice();
      be.gemm(g); // fills the cache
      expectGemm(g, c0);
      g.c.set(c0);
      be.gemm(g); // hit
      expectGemm(g, c0);
      // Writing to B without a new version is the caller's contract broken: the cached copy is used,
      // which shows the hit path really skips packing.
      const stale = g.c.slice();
      g.b.fill(3);
      g.c.set(c0);
      be.gemm(g);
      expect(firstDifference(g.c, stale)).toBe(-1);
      g.c.set(c0);
      be.gemm({ ...g, bVersion: 2 }); // new version: repacked
      expectGemm(g, c0);
      const other = { ...g, b: Float32Array.from(g.b, (v, i) => v + (i % 7)), bVersion: 2 }; // same version, other array
      other.c.set(c0);
      be.gemm(other);
      expectGemm(other, c0);
      g.c.set(c0);
      be.gemm({ ...g, bOffset: g.bOffset, ldb: g.ldb, bVersion: 2, alpha: 0.5 }); // same B, other A/alpha: hit is valid
      expectGemm({ ...g, alpha: 0.5 }, c0);
    }
  });

  it("keeps one packed B per array and shape (a model's layers alternate without repacking)", () => {
    // Three weights used in turn, as a 3-layer forward does: after the first round each call must
    // hit its own entry. Writing to every B without a new version (the contract broken on purpose)
    // shows the hits: the results stay those of the packed copies.
    const layers = [
      { m: 9, n: 40, k: 33 },
      { m: 9, n: 17, k: 40 },
      { m: 9, n: 40, k: 33 }, // same shape as the first, another array
    ].map((cs, i) => ({ ...makeArgs(cs, 1020 + i), bVersion: 1 }));
    const c0 = layers.map((g) => g.c.slice());
    const run = () =>
      layers.map((g, i) => {
        g.c.set(c0[i]);
        be.gemm(g);
        return g.c.slice();
      });
    const first = run();
    layers.forEach((g, i) => expectGemm(g, c0[i]));
    for (const g of layers) g.b.fill(2);
    const again = run();
    again.forEach((c, i) => expect(firstDifference(c, first[i])).toBe(-1));
    // A new version of the second array repacks only that one (into its own slot).
    layers[1].bVersion = 2;
    const third = run();
    expect(firstDifference(third[0], first[0])).toBe(-1);
    expect(firstDifference(third[2], first[2])).toBe(-1);
    expectGemm(layers[1], c0[1]);
    expect(firstDifference(third[1], first[1])).toBeGreaterThanOrEqual(0);
  });

  it('calls without bVersion keep the cache; too large a B is not cached', () => {
    const small = createWasmBackend({ threads: 1, memoryMB: 1 });
    check(small, { m: 4, n: 400, k: 300 }, 1100); // no version
    const g = { ...makeArgs({ m: 4, n: 400, k: 300 }, 1101), bVersion: 7 };
    const c0 = g.c.slice();
    small.gemm(g); // 120,000 packed floats > a quarter of the arena: runs uncached
    expectGemm(g, c0);
    g.b.fill(1);
    g.c.set(c0);
    small.gemm(g);
    expectGemm(g, c0); // repacked, so it sees the new B
    return small.dispose();
  });
});

describe('wasm helper thread hand-off', () => {
  it('takes the first job list posted right after it reports ready (no lost wake-up)', async () => {
    for (let i = 0; i < 4; i++) {
      const be = createWasmBackend({ threads: 2, minParallelFlops: 0 });
      expect(be.waitForThreads(20000)).toBe(true);
      for (let j = 0; j < 3; j++) check(be, { m: 5, n: 17, k: 3 }, 1200 + j);
      await be.dispose();
    }
  });

  it('runs a list the helper has not taken on the main thread instead of waiting for it', async () => {
    // The helper is still booting (a worker takes tens of ms to start): every unit must be
    // claimed and run by the main thread, and give what one direct call gives.
    const { module } = compileKernels();
    const memory = new wasmApi.Memory({ initial: 16, maximum: 16, shared: true });
    const K = new wasmApi.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
    const helper = new Helper({ module, memory, spinMs: 0.05 });
    const e = new Engine(K, memory, helper, { minParallelFlops: 0 });
    const k = 33,
      n = 100,
      panels = 13,
      src = RESERVED_BYTES,
      dst = src + 4 * k * n,
      ref = dst + 4 * k * panels * 8;
    const next = rng(1300, -0.5, 0.5);
    for (let i = 0; i < k * n; i++) e.f32[src / 4 + i] = next();
    K.packB(src, n, 0, k, n, 0, panels, ref);
    for (let p = 0; p < panels; p++) e.post(OP.packB, [src, n, 0, k, n, p, p + 1, dst]);
    e.launch(1);
    e.finish();
    expect(helper.ready).toBe(false);
    const len = k * panels * 8;
    expect(Array.from(e.f32.subarray(dst / 4, dst / 4 + len))).toEqual(
      Array.from(e.f32.subarray(ref / 4, ref / 4 + len)),
    );
    await helper.dispose();
  });
});
