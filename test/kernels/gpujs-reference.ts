// Float64 reference loops for the gpu.js kernel tests: written from the definitions in
// kernels/backend.ts, independently of every backend (results are plain number arrays); the
// elementwise ones are kernels/elementwise.ts's float64 `ref`/`dref` (test/tensor/elementwise-table
// checks `dref` against central differences of `ref`).
import type { GemmArgs, Im2colArgs, UnaryOp, BinaryOp } from '../../kernels/backend';
import { BINARY, UNARY } from '../../kernels/elementwise';

/** C = alpha·op(A)·op(B) + beta·C in float64; also Σ|terms| per element (the rounding-error scale). */
export function gemmRef(g: GemmArgs): { c: Float64Array; scale: Float64Array } {
  const c = Float64Array.from(g.c),
    scale = new Float64Array(g.c.length);
  for (let t = 0; t < g.batch; t++) {
    for (let i = 0; i < g.m; i++) {
      for (let j = 0; j < g.n; j++) {
        let s = 0,
          abs = 0;
        for (let p = 0; p < g.k; p++) {
          const av = g.a[g.aOffset + t * g.strideA + (g.transA ? p * g.lda + i : i * g.lda + p)];
          const bv = g.b[g.bOffset + t * g.strideB + (g.transB ? j * g.ldb + p : p * g.ldb + j)];
          s += av * bv;
          abs += Math.abs(av * bv);
        }
        const o = g.cOffset + t * g.strideC + i * g.ldc + j;
        const old = g.beta === 0 ? 0 : g.beta * g.c[o];
        c[o] = g.alpha * s + old;
        scale[o] = Math.abs(g.alpha) * abs + Math.abs(old);
      }
    }
  }
  return { c, scale };
}

export function im2colRef(g: Im2colArgs): Float64Array {
  const out = Float64Array.from(g.cols);
  let row = 0;
  for (let ch = 0; ch < g.c; ch++) {
    for (let ki = 0; ki < g.kh; ki++) {
      for (let kj = 0; kj < g.kw; kj++, row++) {
        for (let oy = 0; oy < g.outH; oy++) {
          for (let ox = 0; ox < g.outW; ox++) {
            const iy = oy * g.strideH + ki - g.padH,
              ix = ox * g.strideW + kj - g.padW;
            const inside = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
            out[g.colsOffset + (row * g.outH + oy) * g.outW + ox] = inside
              ? g.x[g.xOffset + (ch * g.h + iy) * g.w + ix]
              : 0;
          }
        }
      }
    }
  }
  return out;
}

/** Value and derivative of each unary op, in float64 (the table's references, not its kernel expressions). */
export const UNARY_REF = Object.fromEntries(
  Object.entries(UNARY).map(([op, e]) => [op, (x: number) => [e.ref(x), e.dref(x)]]),
) as Record<UnaryOp, (x: number) => [number, number]>;

/** Value and partials ∂/∂a, ∂/∂b of each binary op, in float64. */
export const BINARY_REF = Object.fromEntries(
  Object.entries(BINARY).map(([op, e]) => [op, (a: number, b: number) => [e.ref(a, b), ...e.dref(a, b)]]),
) as Record<BinaryOp, (a: number, b: number) => [number, number, number]>;

/** Row-wise log-softmax in float64 and the softmax probabilities. */
export function logSoftmaxRef(
  x: ArrayLike<number>,
  offset: number,
  rows: number,
  cols: number,
): { y: number[]; p: number[] } {
  const y: number[] = [],
    p: number[] = [];
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, x[offset + r * cols + c]);
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(x[offset + r * cols + c] - m);
    const lse = m + Math.log(s);
    for (let c = 0; c < cols; c++) {
      y.push(x[offset + r * cols + c] - lse);
      p.push(Math.exp(x[offset + r * cols + c] - lse));
    }
  }
  return { y, p };
}

/** Largest |got − want| / (atol + rtol·|scale|) over the indices: ≤ 1 passes. */
export function worstRatio(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  atol: number,
  rtol: number,
  scale: ArrayLike<number> = want,
): number {
  if (got.length !== want.length) throw new Error(`length ${got.length} ≠ ${want.length}`);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const r = Math.abs(got[i] - want[i]) / (atol + rtol * Math.abs(scale[i]));
    if (Number.isNaN(r)) return NaN; // fails toBeLessThanOrEqual
    if (r > worst) worst = r;
  }
  return worst;
}
