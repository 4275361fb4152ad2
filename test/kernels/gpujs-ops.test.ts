// gpu.js elementwise, reduction, transpose, softmax and pooling kernels (primal and fused
// primal+tangent, K directions) on gpu.js's webasm and cpu modes against float64 references.
// Tolerances: pure data movement (transpose, pooling, argmax, tangent gathers) must match
// exactly; arithmetic within a few float32 ulps of the float64 value (stated per test).
import { BINARY_OPS, UNARY, UNARY_OPS, UnaryOp } from '../../kernels/elementwise';
import { createBackend, type GpujsBackend } from '../../kernels/gpujs/index';
import { BINARY_REF, UNARY_REF, logSoftmaxRef, worstRatio } from './gpujs-reference';
import { rng, uniform } from '../support/random';

const U = 2 ** -24; // float32 unit roundoff
/**
 * x for an op, in its table domain: 'positive' (log) draws x > 0; 'awayFromZero' (relu's kink)
 * gets exact zeros to pin the convention there (relu'(0) = 0).
 */
function unaryInput(op: UnaryOp, rand: () => number, n: number, offset: number): Float32Array {
  const x = uniform(rand, offset + n, UNARY[op].domain === 'positive' ? 0.05 : -3, 3);
  if (UNARY[op].domain === 'awayFromZero') for (let i = offset; i < offset + n; i += 3) x[i] = 0;
  return x;
}

describe.each(['webasm', 'cpu'])('gpu.js %s mode', (mode) => {
  let backend: GpujsBackend;
  beforeAll(() => {
    backend = createBackend(mode);
  });
  afterAll(() => backend.destroy());

  // Shapes reuse the same few sizes so each mode compiles a handful of kernels per op.
  describe.each(UNARY_OPS)('unary %s', (op) => {
    it.each([
      [1, 1],
      [17, 3],
      [129, 1],
    ])('n = %d, K = %d: value within 1e-6 relative, tangent within 2e-6 relative + 5e-7', (n, K) => {
      const rand = rng(n * 7 + K);
      const xo = 2,
        dxo = 1,
        yo = 3,
        dyo = 4;
      const x = unaryInput(op, rand, n, xo),
        dx = uniform(rand, dxo + K * n);
      const y = new Float32Array(yo + n),
        dy = new Float32Array(dyo + K * n);
      backend.unary({ op, n, x, xOffset: xo, y, yOffset: yo, dx, dxOffset: dxo, dy, dyOffset: dyo, directions: K });
      const want = Array.from({ length: n }, (_, i) => UNARY_REF[op](x[xo + i]));
      expect(
        worstRatio(
          y.subarray(yo),
          want.map((v) => v[0]),
          1e-7,
          1e-6,
        ),
      ).toBeLessThanOrEqual(1);
      const dwant = Array.from({ length: K * n }, (_, t) => want[t % n][1] * dx[dxo + t]);
      // 5e-7 absolute: f' is formed from the float32 y (e.g. 1 − y² for tanh), |dx| ≤ 1.
      expect(worstRatio(dy.subarray(dyo), dwant, 5e-7, 2e-6)).toBeLessThanOrEqual(1);
      // The primal-only kernel gives the same values.
      const y2 = new Float32Array(n);
      backend.unary({ op, n, x, xOffset: xo, y: y2, yOffset: 0 });
      expect(Array.from(y2)).toEqual(Array.from(y.subarray(yo)));
    });
  });

  it('unary works in place (y aliasing x)', () => {
    const x = Float32Array.from([-1, 0, 2, -3, 4]);
    backend.unary({ op: 'relu', n: 5, x, xOffset: 0, y: x, yOffset: 0 });
    expect(Array.from(x)).toEqual([0, 0, 2, 0, 4]);
  });

  // [n, aLen, bLen, da, db, dbStride (undefined = bLen, 0 = shared by all directions)]
  const BCAST: [string, number, number, number, boolean, boolean, number | undefined][] = [
    ['same shape, both tangents', 63, 63, 63, true, true, undefined],
    ['bias row [3] on [65, 3], da only', 195, 195, 3, true, false, undefined],
    ['scalar b, db only, shared across directions', 17, 17, 1, false, true, 0],
    ['broadcast a [3] with b [65, 3], both', 195, 3, 195, true, true, undefined],
  ];
  describe.each(BINARY_OPS)('binary %s', (op) => {
    it.each(BCAST)(
      '%s: value within 1e-6, tangent within 4e-6 relative',
      (_name, n, aLen, bLen, hasDa, hasDb, dbStride) => {
        const rand = rng(n + aLen * 3 + bLen * 5);
        const K = 3;
        const a = uniform(rand, 1 + aLen),
          b = uniform(rand, 2 + bLen, 0.5, 1.5);
        for (let i = 0; i < b.length; i += 2) b[i] = -b[i]; // both signs, away from 0 (div)
        const das = aLen,
          dbs = dbStride ?? bLen;
        const da = hasDa ? uniform(rand, (K - 1) * das + aLen) : undefined;
        const db = hasDb ? uniform(rand, 3 + (K - 1) * dbs + bLen) : undefined;
        const y = new Float32Array(n),
          dy = new Float32Array(2 + K * n);
        backend.binary({
          op,
          n,
          a,
          aOffset: 1,
          aLen,
          b,
          bOffset: 2,
          bLen,
          y,
          yOffset: 0,
          da,
          daOffset: 0,
          db,
          dbOffset: 3,
          dbStride,
          dy,
          dyOffset: 2,
          directions: K,
        });
        const vals = Array.from({ length: n }, (_, i) => BINARY_REF[op](a[1 + (i % aLen)], b[2 + (i % bLen)]));
        expect(
          worstRatio(
            y,
            vals.map((v) => v[0]),
            1e-7,
            1e-6,
          ),
        ).toBeLessThanOrEqual(1);
        const dwant: number[] = [],
          dscale: number[] = [];
        for (let k = 0; k < K; k++) {
          for (let i = 0; i < n; i++) {
            const ta = da ? vals[i][1] * da[k * das + (i % aLen)] : 0;
            const tb = db ? vals[i][2] * db[3 + k * dbs + (i % bLen)] : 0;
            dwant.push(ta + tb);
            dscale.push(Math.abs(ta) + Math.abs(tb));
          }
        }
        expect(worstRatio(dy.subarray(2), dwant, 1e-7, 4e-6, dscale)).toBeLessThanOrEqual(1);
      },
    );
  });

  it('binary rejects a non-dividing broadcast length', () => {
    const v = new Float32Array(6);
    expect(() =>
      backend.binary({ op: 'add', n: 6, a: v, aOffset: 0, aLen: 6, b: v, bOffset: 0, bLen: 4, y: v, yOffset: 0 }),
    ).toThrow('gpujs binary add: bLen = 4 (inner 1) must be positive integers with len·inner dividing n = 6');
  });

  it.each([
    [3, 17, 5, 1],
    [1, 129, 1, 1 / 129],
    [1, 1, 1, 1],
    [65, 3, 1, 0.5],
  ])('reduce [outer %d, len %d, inner %d] scale %d within (len + 2)·u of Σ|x|', (outer, len, inner, scale) => {
    const rand = rng(outer * 1000 + len);
    const x = uniform(rand, 4 + outer * len * inner),
      y = new Float32Array(1 + outer * inner);
    backend.reduce({ x, xOffset: 4, outer, len, inner, scale, y, yOffset: 1 });
    const want: number[] = [],
      abs: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let s = 0,
          sa = 0;
        for (let j = 0; j < len; j++) {
          const v = x[4 + (o * len + j) * inner + i];
          s += v;
          sa += Math.abs(v);
        }
        want.push(s * scale);
        abs.push(sa * scale);
      }
    }
    expect(worstRatio(y.subarray(1), want, 1e-30, (len + 2) * U, abs)).toBeLessThanOrEqual(1);
  });

  it.each([
    [1, 17, 3],
    [3, 1, 65],
    [2, 5, 4],
  ])('transpose [batch %d, %d, %d] is exact', (batch, rows, cols) => {
    const rand = rng(batch + rows + cols);
    const x = uniform(rand, 2 + batch * rows * cols),
      y = new Float32Array(1 + batch * rows * cols);
    backend.transpose({ x, xOffset: 2, batch, rows, cols, y, yOffset: 1 });
    for (let t = 0; t < batch; t++)
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++) {
          expect(y[1 + t * rows * cols + j * rows + i]).toBe(x[2 + t * rows * cols + i * cols + j]);
        }
  });

  it.each([
    [1, 10, 1],
    [3, 17, 3],
    [5, 1, 2],
  ])('logSoftmax rows %d cols %d K %d: within 2e-6 absolute', (rows, cols, K) => {
    const rand = rng(rows * 100 + cols);
    const size = rows * cols;
    const x = uniform(rand, 1 + size, -4, 4),
      dx = uniform(rand, 2 + K * size);
    const y = new Float32Array(size),
      dy = new Float32Array(K * size);
    backend.logSoftmax({ x, xOffset: 1, rows, cols, y, yOffset: 0, dx, dxOffset: 2, dy, dyOffset: 0, directions: K });
    const { y: want, p } = logSoftmaxRef(x, 1, rows, cols);
    expect(worstRatio(y, want, 2e-6, 0)).toBeLessThanOrEqual(1);
    const dwant: number[] = [];
    for (let k = 0; k < K; k++)
      for (let r = 0; r < rows; r++) {
        let dot = 0;
        for (let c = 0; c < cols; c++) dot += p[r * cols + c] * dx[2 + k * size + r * cols + c];
        for (let c = 0; c < cols; c++) dwant.push(dx[2 + k * size + r * cols + c] - dot);
      }
    expect(worstRatio(dy, dwant, 2e-6, 0)).toBeLessThanOrEqual(1);
    const y2 = new Float32Array(size);
    backend.logSoftmax({ x, xOffset: 1, rows, cols, y: y2, yOffset: 0 });
    expect(worstRatio(y2, want, 2e-6, 0)).toBeLessThanOrEqual(1);
  });

  it.each([
    [3, 10, 2],
    [17, 3, 1],
  ])('softmaxCrossEntropy rows %d cols %d K %d: loss, dloss, probs within 2e-6', (rows, cols, K) => {
    const rand = rng(rows * 10 + cols);
    const size = rows * cols;
    const logits = uniform(rand, 3 + size, -4, 4),
      dlogits = uniform(rand, 1 + K * size);
    const labels = Int32Array.from({ length: rows }, () => Math.floor(rand() * cols));
    const dloss = new Float32Array(K),
      probs = new Float32Array(size);
    const loss = backend.softmaxCrossEntropy({
      logits,
      logitsOffset: 3,
      rows,
      cols,
      labels,
      dlogits,
      dlogitsOffset: 1,
      dloss,
      directions: K,
      probs,
    });
    const { y, p } = logSoftmaxRef(logits, 3, rows, cols);
    let want = 0;
    const dwant = new Array<number>(K).fill(0);
    for (let r = 0; r < rows; r++) {
      want -= y[r * cols + labels[r]] / rows;
      for (let k = 0; k < K; k++) {
        let dot = 0;
        for (let c = 0; c < cols; c++) dot += p[r * cols + c] * dlogits[1 + k * size + r * cols + c];
        dwant[k] += (dot - dlogits[1 + k * size + r * cols + labels[r]]) / rows;
      }
    }
    expect(Math.abs(loss - want)).toBeLessThanOrEqual(2e-6);
    expect(worstRatio(dloss, dwant, 2e-6, 0)).toBeLessThanOrEqual(1);
    expect(worstRatio(probs, p, 2e-6, 0)).toBeLessThanOrEqual(1);
    expect(backend.softmaxCrossEntropy({ logits, logitsOffset: 3, rows, cols, labels })).toBe(loss);
  });

  it('softmaxCrossEntropy rejects an out-of-range label', () => {
    const logits = new Float32Array(6);
    expect(() =>
      backend.softmaxCrossEntropy({
        logits,
        logitsOffset: 0,
        rows: 2,
        cols: 3,
        labels: [0, 3] as unknown as Int32Array,
      }),
    ).toThrow('gpujs softmaxCrossEntropy: label 3 at row 1 is outside [0, 3)');
  });

  // [name, planes, h, w, kh, kw, strideH, strideW, K, small integer values (ties)]
  const POOL: [string, number, number, number, number, number, number, number, number, boolean][] = [
    ['2×2 stride 2 on odd 7×9, K = 2', 3, 7, 9, 2, 2, 2, 2, 2, false],
    ['non-square 3×2 stride 1, ties go to the first element', 2, 5, 4, 3, 2, 1, 1, 1, true],
    ['one plane, window = image', 1, 3, 3, 3, 3, 1, 1, 3, false],
  ];
  it.each(POOL)('maxPool2d %s: value, argmax and tangent exact', (_name, planes, h, w, kh, kw, sh, sw, K, ties) => {
    const rand = rng(planes * 100 + h * 10 + w);
    const outH = Math.floor((h - kh) / sh) + 1,
      outW = Math.floor((w - kw) / sw) + 1;
    const X = planes * h * w,
      P = planes * outH * outW,
      xo = 2;
    const x = ties ? Float32Array.from({ length: xo + X }, () => Math.floor(rand() * 3)) : uniform(rand, xo + X);
    const dx = uniform(rand, 1 + K * X);
    const y = new Float32Array(P),
      dy = new Float32Array(K * P),
      argmax = new Int32Array(P);
    backend.maxPool2d({
      x,
      xOffset: xo,
      planes,
      h,
      w,
      kh,
      kw,
      strideH: sh,
      strideW: sw,
      outH,
      outW,
      y,
      yOffset: 0,
      argmax,
      dx,
      dxOffset: 1,
      dy,
      dyOffset: 0,
      directions: K,
    });
    let o = 0;
    for (let p = 0; p < planes; p++)
      for (let oy = 0; oy < outH; oy++)
        for (let ox = 0; ox < outW; ox++, o++) {
          let best = -Infinity,
            at = -1;
          for (let ki = 0; ki < kh; ki++)
            for (let kj = 0; kj < kw; kj++) {
              const q = p * h * w + (oy * sh + ki) * w + ox * sw + kj;
              if (x[xo + q] > best) {
                best = x[xo + q];
                at = q;
              }
            }
          expect([y[o], argmax[o]]).toEqual([best, at]);
          for (let k = 0; k < K; k++) expect(dy[k * P + o]).toBe(dx[1 + k * X + at]);
        }
    const y2 = new Float32Array(P);
    backend.maxPool2d({
      x,
      xOffset: xo,
      planes,
      h,
      w,
      kh,
      kw,
      strideH: sh,
      strideW: sw,
      outH,
      outW,
      y: y2,
      yOffset: 0,
    });
    expect(Array.from(y2)).toEqual(Array.from(y));
  });

  it('maxPool2d rejects windows that do not fit', () => {
    const v = new Float32Array(16);
    expect(() =>
      backend.maxPool2d({
        x: v,
        xOffset: 0,
        planes: 1,
        h: 4,
        w: 4,
        kh: 2,
        kw: 2,
        strideH: 2,
        strideW: 2,
        outH: 3,
        outW: 2,
        y: v,
        yOffset: 0,
      }),
    ).toThrow('gpujs maxPool2d: 3×2 windows of 2×2 (stride 2×2) do not fit in 4×4');
  });
});
