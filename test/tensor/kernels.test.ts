// Kernel-level checks of every loaded backend for the parts of the interface the ops above do not
// reach: gemm with transposes, alpha/beta, offsets, batches and shared (stride 0) operands against
// a float64 product; im2col, argmax/probs outputs and shared tangents against the js reference
// (itself checked against float64 by ops-jvp.test.ts).
import type { CompleteBackend, GemmArgs } from '../../kernels/backend';
import { jsBackend } from '../../kernels/js';
import { Rng } from '../../kernels/rng';
import { loadBackend } from '../../kernels/select';
import { BACKENDS, expectClose } from './helpers';

const rng = new Rng(2024);
const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal());

/** Float64 C = alpha·op(A)·op(B) + beta·C for every batch item, straight from the definition. */
function gemm64(g: GemmArgs): Float64Array {
  const c = Float64Array.from(g.c);
  for (let t = 0; t < g.batch; t++)
    for (let i = 0; i < g.m; i++)
      for (let j = 0; j < g.n; j++) {
        let s = 0;
        for (let p = 0; p < g.k; p++) {
          const a = g.a[g.aOffset + t * g.strideA + (g.transA ? p * g.lda + i : i * g.lda + p)];
          const b = g.b[g.bOffset + t * g.strideB + (g.transB ? j * g.ldb + p : p * g.ldb + j)];
          s += a * b;
        }
        const at = g.cOffset + t * g.strideC + i * g.ldc + j;
        c[at] = g.alpha * s + (g.beta === 0 ? 0 : g.beta * g.c[at]);
      }
  return c;
}

function gemmCase(
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  batch: number,
  shareA: boolean,
  alpha: number,
  beta: number,
): GemmArgs {
  const lda = (transA ? m : k) + 2,
    ldb = (transB ? k : n) + 1,
    ldc = n + 3;
  const aItem = (transA ? k : m) * lda,
    bItem = (transB ? n : k) * ldb,
    cItem = m * ldc;
  const strideA = shareA ? 0 : aItem + 5;
  return {
    m,
    n,
    k,
    transA,
    transB,
    lda,
    ldb,
    ldc,
    alpha,
    beta,
    batch,
    a: rand(3 + aItem + strideA * batch),
    aOffset: 3,
    strideA,
    b: rand(1 + (bItem + 2) * batch),
    bOffset: 1,
    strideB: bItem + 2,
    c: rand(7 + cItem * batch),
    cOffset: 7,
    strideC: cItem,
  };
}

const GEMM_CASES: [number, number, number, boolean, boolean, number, boolean, number, number][] = [
  [1, 1, 1, false, false, 1, false, 1, 0],
  [3, 17, 65, false, false, 1, false, 1, 0],
  [17, 63, 3, true, false, 1, false, 1, 1],
  [65, 5, 17, false, true, 2, true, 0.5, 0],
  [129, 9, 33, true, true, 3, false, -1, 0.25],
  [8, 129, 64, false, false, 4, true, 1, 1],
];

describe.each(BACKENDS)('kernels of backend %s', (name) => {
  let b: CompleteBackend;
  beforeAll(() => {
    b = loadBackend(name);
  });

  test.each(GEMM_CASES)('gemm m=%i n=%i k=%i transA=%s transB=%s batch=%i sharedA=%s alpha=%f beta=%f', (...args) => {
    const g = gemmCase(...args);
    const expected = gemm64(g);
    b.gemm(g);
    // Only C's addressed elements change; the rest (ldc padding) must be untouched.
    expectClose(g.c, expected, 1e-4, 1e-4, 'C');
  });

  test.each([
    [3, 7, 6, 3, 2, 1, 1, 0, 0],
    [2, 9, 9, 3, 3, 2, 2, 1, 1],
    [1, 5, 7, 1, 1, 1, 1, 0, 0],
    [2, 8, 5, 3, 3, 2, 1, 1, 0],
  ])('im2col c=%i h=%i w=%i kernel %i×%i stride %i,%i padding %i,%i equals js', (c, h, w, kh, kw, sh, sw, ph, pw) => {
    const outH = Math.floor((h + 2 * ph - kh) / sh) + 1,
      outW = Math.floor((w + 2 * pw - kw) / sw) + 1;
    const x = rand(4 + c * h * w),
      n = c * kh * kw * outH * outW;
    const args = {
      x,
      xOffset: 4,
      c,
      h,
      w,
      kh,
      kw,
      strideH: sh,
      strideW: sw,
      padH: ph,
      padW: pw,
      outH,
      outW,
      colsOffset: 2,
    };
    const mine = new Float32Array(n + 2).fill(NaN),
      ref = new Float32Array(n + 2).fill(NaN);
    b.im2col({ ...args, cols: mine });
    jsBackend.im2col({ ...args, cols: ref });
    expect(Array.from(mine.subarray(2))).toEqual(Array.from(ref.subarray(2)));
  });

  test('maxPool2d argmax and gathered K=2 tangent equal js', () => {
    const x = rand(2 * 3 * 7 * 5),
      dx = rand(2 * x.length);
    const args = {
      x,
      xOffset: 0,
      planes: 6,
      h: 7,
      w: 5,
      kh: 3,
      kw: 2,
      strideH: 2,
      strideW: 1,
      outH: 3,
      outW: 4,
      yOffset: 0,
      dx,
      dxOffset: 0,
      dyOffset: 0,
      directions: 2,
    };
    const out = () => ({ y: new Float32Array(72), argmax: new Int32Array(72), dy: new Float32Array(144) });
    const mine = out(),
      ref = out();
    b.maxPool2d({ ...args, ...mine });
    jsBackend.maxPool2d({ ...args, ...ref });
    expect(Array.from(mine.y)).toEqual(Array.from(ref.y));
    expect(Array.from(mine.argmax)).toEqual(Array.from(ref.argmax));
    expect(Array.from(mine.dy)).toEqual(Array.from(ref.dy));
  });

  test('softmaxCrossEntropy probs and K=3 dloss equal js', () => {
    const logits = rand(4 * 7),
      dl = rand(3 * 28),
      labels = Int32Array.of(0, 6, 3, 3);
    const run = (k: CompleteBackend) => {
      const probs = new Float32Array(28),
        dloss = new Float32Array(3);
      const loss = k.softmaxCrossEntropy({
        logits,
        logitsOffset: 0,
        rows: 4,
        cols: 7,
        labels,
        dlogits: dl,
        dlogitsOffset: 0,
        dloss,
        directions: 3,
        probs,
      });
      return { loss, probs, dloss };
    };
    const mine = run(b),
      ref = run(jsBackend);
    expectClose([mine.loss], [ref.loss], 1e-5, 1e-6, 'loss');
    expectClose(mine.probs, ref.probs, 1e-5, 1e-6, 'probs');
    expectClose(mine.dloss, ref.dloss, 1e-5, 1e-6, 'dloss');
  });

  test('binary with a tangent shared by all directions (stride 0) equals js', () => {
    const a = rand(12),
      bb = rand(4),
      da = rand(12),
      db = rand(4);
    const run = (k: CompleteBackend) => {
      const y = new Float32Array(12),
        dy = new Float32Array(36);
      k.binary({
        op: 'mul',
        n: 12,
        a,
        aOffset: 0,
        aLen: 12,
        b: bb,
        bOffset: 0,
        bLen: 4,
        y,
        yOffset: 0,
        da,
        daOffset: 0,
        daStride: 0,
        db,
        dbOffset: 0,
        dbStride: 0,
        dy,
        dyOffset: 0,
        directions: 3,
      });
      return [...y, ...dy];
    };
    expectClose(run(b), run(jsBackend), 1e-6, 1e-6, 'y and dy');
  });

  test('permute [2,3,4] by (2, 0, 1) for 2 stacked tensors moves every element where the definition says', () => {
    const shape = [2, 3, 4],
      perm = [2, 0, 1],
      n = 24,
      x = rand(1 + 2 * n),
      y = new Float32Array(2 + 2 * n).fill(NaN);
    b.permute({ x, xOffset: 1, shape, perm, batch: 2, y, yOffset: 2 });
    // y[k][i][j] = x[i][j][k] (output axes are input axes 2, 0, 1), per stacked tensor
    const want: number[] = [];
    for (let t = 0; t < 2; t++)
      for (let k = 0; k < 4; k++)
        for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) want.push(x[1 + t * n + (i * 3 + j) * 4 + k]);
    expect(Array.from(y.subarray(2))).toEqual(want);
  });

  // [C,1,1]-style broadcasting (element j spans `inner` outputs), either operand repeating, with K = 2
  // directions, against float64: one float32 product (y) and a two-term sum (dy), hence 1e-6.
  test.each([
    ['b', 3, 5],
    ['a', 3, 5],
    ['b', 4, 1],
    ['a', 1, 7],
  ] as const)(
    'binary mul with %s repeating: len %i, inner %i (period broadcasting) against float64',
    (small, len, inner) => {
      const n = 2 * len * inner,
        K = 2,
        rows = len; // the small operand repeats twice over the output
      const full = rand(n),
        part = rand(rows),
        dfull = rand(K * n),
        dpart = rand(K * rows);
      const [a, aLen, aInner, da] = small === 'a' ? [part, len, inner, dpart] : [full, n, 1, dfull];
      const [bb, bLen, bInner, db] = small === 'b' ? [part, len, inner, dpart] : [full, n, 1, dfull];
      const y = new Float32Array(n),
        dy = new Float32Array(K * n);
      b.binary({
        op: 'mul',
        n,
        a,
        aOffset: 0,
        aLen,
        aInner,
        b: bb,
        bOffset: 0,
        bLen,
        bInner,
        y,
        yOffset: 0,
        da,
        daOffset: 0,
        db,
        dbOffset: 0,
        dy,
        dyOffset: 0,
        directions: K,
      });
      const ia = (i: number) => Math.floor(i / aInner) % aLen,
        ib = (i: number) => Math.floor(i / bInner) % bLen;
      const want = Array.from({ length: n }, (_, i) => a[ia(i)] * bb[ib(i)]);
      const dwant = Array.from({ length: K * n }, (_, t) => {
        const k = Math.floor(t / n),
          i = t % n;
        return bb[ib(i)] * da[k * aLen + ia(i)] + a[ia(i)] * db[k * bLen + ib(i)];
      });
      expectClose(y, want, 1e-6, 1e-7, 'y');
      expectClose(dy, dwant, 1e-6, 1e-6, 'dy');
      // the primal-only kernel agrees
      const y2 = new Float32Array(n);
      b.binary({ op: 'mul', n, a, aOffset: 0, aLen, aInner, b: bb, bOffset: 0, bLen, bInner, y: y2, yOffset: 0 });
      expect(Array.from(y2)).toEqual(Array.from(y));
    },
  );
});
