// gpu.js gemm and im2col on gpu.js's webasm and cpu modes against float64 references, plus the
// backend's loading rules (lazy gpu.js, gpujs-gpu refusing to fall back, registry names).
import type { GemmArgs, Im2colArgs } from '../../kernels/backend';
import { createBackend, type GpujsBackend } from '../../kernels/gpujs/index';
import { gemmRef, im2colRef, worstRatio } from './gpujs-reference';
import { rng, uniform } from '../support/random';

const U = 2 ** -24; // float32 unit roundoff

interface GemmCase {
  name: string;
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  padA?: number;
  padB?: number;
  padC?: number;
  offsets?: [number, number, number];
  batch?: number;
  shareA?: boolean;
  shareB?: boolean;
  alpha?: number;
  beta?: number;
}

const GEMM_CASES: GemmCase[] = [
  { name: '1×1×1', m: 1, n: 1, k: 1 },
  { name: '3×17×63, offsets, C full of NaN with beta 0', m: 3, n: 17, k: 63, offsets: [5, 3, 7] },
  { name: '65×3×129 transA', m: 65, n: 3, k: 129, transA: true, alpha: -0.75 },
  { name: '17×65×3 transB, padded lda/ldb/ldc', m: 17, n: 65, k: 3, transB: true, padA: 2, padB: 5, padC: 3 },
  {
    name: '63×129×17 transA+transB, beta accumulate',
    m: 63,
    n: 129,
    k: 17,
    transA: true,
    transB: true,
    alpha: 1.25,
    beta: 0.5,
    offsets: [1, 2, 3],
  },
  { name: 'batch 3 strided, shared B, beta 1', m: 3, n: 17, k: 65, batch: 3, shareB: true, padC: 1, beta: 1 },
  { name: 'batch 2 shared A, transA', m: 17, n: 3, k: 1, batch: 2, shareA: true, transA: true },
  { name: 'k = 0 scales C by beta', m: 3, n: 3, k: 0, beta: -2 },
];

function makeGemm(c: GemmCase, seed: number): GemmArgs {
  const rand = rng(seed);
  const { m, n, k } = c;
  const batch = c.batch ?? 1,
    [aOffset, bOffset, cOffset] = c.offsets ?? [0, 0, 0];
  const aRows = c.transA ? k : m,
    aCols = c.transA ? m : k;
  const bRows = c.transB ? n : k,
    bCols = c.transB ? k : n;
  const lda = aCols + (c.padA ?? 0),
    ldb = bCols + (c.padB ?? 0),
    ldc = n + (c.padC ?? 0);
  const strideA = c.shareA ? 0 : aRows * lda + 1,
    strideB = c.shareB ? 0 : bRows * ldb + 2,
    strideC = m * ldc + 3;
  const beta = c.beta ?? 0;
  const cLen = cOffset + batch * strideC;
  return {
    m,
    n,
    k,
    batch,
    alpha: c.alpha ?? 1,
    beta,
    a: uniform(rand, aOffset + Math.max(1, batch) * (strideA || aRows * lda)),
    aOffset,
    lda,
    transA: !!c.transA,
    strideA,
    b: uniform(rand, bOffset + Math.max(1, batch) * (strideB || bRows * ldb)),
    bOffset,
    ldb,
    transB: !!c.transB,
    strideB,
    // beta = 0 must not read C: NaN there would leak into the result.
    c: beta === 0 ? new Float32Array(cLen).fill(NaN) : uniform(rand, cLen),
    cOffset,
    ldc,
    strideC,
  };
}

/** Indices of C that the product writes (everything else must stay untouched). */
function written(g: GemmArgs): Set<number> {
  const s = new Set<number>();
  for (let t = 0; t < g.batch; t++)
    for (let i = 0; i < g.m; i++) for (let j = 0; j < g.n; j++) s.add(g.cOffset + t * g.strideC + i * g.ldc + j);
  return s;
}

function checkGemm(backend: GpujsBackend, g: GemmArgs): void {
  const before = Float32Array.from(g.c);
  const { c: want, scale } = gemmRef(g);
  backend.gemm(g);
  const inside = written(g);
  // Error bound: (k + 8)·u relative to Σ|a·b| + |beta·c| (worst-case summation error of a float32 dot).
  const rtol = (g.k + 8) * U;
  const idx = [...inside];
  expect(
    worstRatio(
      idx.map((i) => g.c[i]),
      idx.map((i) => want[i]),
      1e-30,
      rtol,
      idx.map((i) => scale[i]),
    ),
  ).toBeLessThanOrEqual(1);
  for (let i = 0; i < g.c.length; i++) if (!inside.has(i)) expect(Object.is(g.c[i], before[i])).toBe(true);
  // Not a vacuous pass: a nonzero product was computed.
  if (g.k > 0) expect(idx.some((i) => g.c[i] !== 0)).toBe(true);
}

describe.each(['webasm', 'cpu'])('gpu.js %s mode', (mode) => {
  let backend: GpujsBackend;
  beforeAll(() => {
    backend = createBackend(mode);
  });
  afterAll(() => backend.destroy());

  it('reports its name', () => expect(backend.name).toBe(`gpujs-${mode}`));

  it.each(GEMM_CASES.map((c, i) => [c.name, c, i] as const))('gemm %s matches float64', (_name, c, i) => {
    checkGemm(backend, makeGemm(c, 100 + i));
  });

  it('gemm with m = 0 or batch = 0 writes nothing', () => {
    const g = makeGemm({ name: '', m: 3, n: 3, k: 3 }, 7);
    const before = Float32Array.from(g.c);
    backend.gemm({ ...g, m: 0 });
    backend.gemm({ ...g, batch: 0 });
    expect(Array.from(g.c)).toEqual(Array.from(before));
  });

  it('gemm reuses one compiled kernel per shape, whatever the offsets', () => {
    const g = makeGemm({ name: '', m: 3, n: 17, k: 63, offsets: [5, 3, 7] }, 11);
    backend.gemm(g);
    const compiled = backend.cache.size;
    checkGemm(backend, { ...g, aOffset: 1, bOffset: 0, cOffset: 2, c: Float32Array.from(g.c) });
    expect(backend.cache.size).toBe(compiled);
  });

  it('keeps at most maxKernels compiled kernels, recompiling an evicted shape correctly', () => {
    const saved = backend.cache.maxKernels;
    backend.cache.maxKernels = 2;
    try {
      for (const [m, n, k] of [
        [2, 3, 4],
        [3, 4, 5],
        [4, 5, 6],
        [2, 3, 4],
      ]) {
        checkGemm(backend, makeGemm({ name: '', m, n, k, beta: 0.5 }, m));
        expect(backend.cache.size).toBeLessThanOrEqual(2);
      }
    } finally {
      backend.cache.maxKernels = saved;
    }
  });

  it('gemm splits a batch whose operands exceed the float index range, and refuses one that cannot', () => {
    const g = makeGemm({ name: '', m: 3, n: 5, k: 7, batch: 5 }, 12);
    backend.cache.maxIndex = 3 * g.strideB; // 3 batch items fit: calls of 3 and 2
    try {
      checkGemm(backend, g);
      backend.cache.maxIndex = 10; // one item alone is larger
      expect(() => backend.gemm(g)).toThrow(/gemm A spans 21 elements; gpu.js indexes in float32/);
    } finally {
      backend.cache.maxIndex = 1 << 24;
    }
  });

  it('gemm rejects bad arguments with the reason', () => {
    const g = makeGemm({ name: '', m: 3, n: 4, k: 5 }, 13);
    expect(() => backend.gemm({ ...g, lda: 4 })).toThrow(
      'gpujs gemm: lda = 4 is smaller than the 5 columns it strides',
    );
    expect(() => backend.gemm({ ...g, m: 2.5 })).toThrow('gpujs gemm: m must be a non-negative integer, got 2.5');
    expect(() => backend.gemm({ ...g, aOffset: 100 })).toThrow(
      /gemm A needs elements \[100, 115\) but its buffer has 16/,
    );
    expect(() => backend.gemm({ ...g, cOffset: 4 })).toThrow(
      'gpujs gemm: C needs elements [4, 16) but its buffer has 15',
    );
    expect(() => backend.gemm({ ...g, alpha: NaN })).toThrow('gpujs gemm: alpha and beta must be finite');
  });

  const IM2COL: [string, Omit<Im2colArgs, 'x' | 'cols' | 'xOffset' | 'colsOffset'>][] = [
    [
      '3×3 pad 1 stride 1 (the paper CNN layer)',
      { c: 3, h: 5, w: 7, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, outH: 5, outW: 7 },
    ],
    [
      'non-square 2×3 kernel, stride 2×1, pad 0×1',
      { c: 2, h: 9, w: 8, kh: 2, kw: 3, strideH: 2, strideW: 1, padH: 0, padW: 1, outH: 4, outW: 8 },
    ],
    [
      '1×1 kernel, one channel',
      { c: 1, h: 1, w: 3, kh: 1, kw: 1, strideH: 1, strideW: 1, padH: 0, padW: 0, outH: 1, outW: 3 },
    ],
  ];
  it.each(IM2COL)('im2col %s equals the reference exactly', (_name, shape) => {
    const rand = rng(shape.c * 31 + shape.kw);
    const xOffset = 3,
      colsOffset = 2;
    const x = uniform(rand, xOffset + shape.c * shape.h * shape.w);
    const cols = new Float32Array(colsOffset + shape.c * shape.kh * shape.kw * shape.outH * shape.outW + 1).fill(7);
    const args: Im2colArgs = { ...shape, x, xOffset, cols, colsOffset };
    const want = im2colRef(args);
    backend.im2col(args);
    expect(Array.from(cols)).toEqual(Array.from(want));
  });

  it('im2col rejects a non-integer size', () => {
    const x = new Float32Array(4),
      cols = new Float32Array(4);
    expect(() =>
      backend.im2col({
        x,
        xOffset: 0,
        c: 1,
        h: 2,
        w: 2,
        kh: 0,
        kw: 1,
        strideH: 1,
        strideW: 1,
        padH: 0,
        padW: 0,
        outH: 2,
        outW: 2,
        cols,
        colsOffset: 0,
      }),
    ).toThrow('gpujs im2col: kh must be an integer ≥ 1, got 0');
  });
});

describe('gpujs backend loading', () => {
  it('gpujs-gpu refuses to run without a GPU context instead of silently using webasm', () => {
    expect(() => createBackend('gpu')).toThrow(
      /gpujs-gpu: no GPU context for gpu.js here \(it would fall back to WebAssemblyKernel\)/,
    );
  });

  it('rejects an unknown mode', () => {
    expect(() => createBackend('webgl9')).toThrow("gpujs: unknown mode 'webgl9'; use one of webasm, cpu, gpu");
  });

  it('is registered in kernels/select.ts, and gpu.js loads only when a gpujs backend is selected', () => {
    let gpujsLoaded = false;
    jest.isolateModules(() => {
      jest.doMock('gpu.js', () => {
        gpujsLoaded = true;
        return jest.requireActual('gpu.js');
      });
      const select = require('../../kernels/select') as typeof import('../../kernels/select');
      expect(select.setBackend('js').name).toBe('js');
      expect(gpujsLoaded).toBe(false);
      const selected = select.setBackend('gpujs-cpu');
      expect(selected.name).toBe('gpujs-cpu');
      expect(gpujsLoaded).toBe(true);
      const c = new Float32Array(1);
      selected.gemm({
        ...makeGemm({ name: '', m: 1, n: 1, k: 1 }, 1),
        a: Float32Array.of(3),
        b: Float32Array.of(-2),
        c,
        alpha: 1.5,
      });
      expect(c[0]).toBe(-9);
      expect(() => select.setBackend('gpujs-gpu')).toThrow(
        /backend 'gpujs-gpu' failed to load: gpujs-gpu: no GPU context/,
      );
    });
  });
});
