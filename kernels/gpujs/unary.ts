// Elementwise unary ops as gpu.js kernels, one table row per op: the value f and the derivative
// in terms of xv = x[i] and yv = f(xv) (the same conventions as kernels/js/unary.ts:
// relu'(0) = 0). The fused kernel's output is stacked [K + 1, n]: row 0 the primal, row k + 1
// tangent k, which is exactly y followed by dy's layout, one thread per element.
import type { UnaryArgs, UnaryOp } from '../backend';
import { KernelCache, forEachRow } from './runtime';

interface UnaryExpr { f: string; df: string }

export const UNARY_EXPR: Readonly<Record<UnaryOp, UnaryExpr>> = {
  neg:     { f: '-xv',                          df: '-1.0' },
  square:  { f: 'xv * xv',                      df: '2.0 * xv' },
  relu:    { f: 'xv > 0.0 ? xv : 0.0',          df: 'xv > 0.0 ? 1.0 : 0.0' },
  tanh:    { f: 'Math.tanh(xv)',                df: '1.0 - yv * yv' },
  sigmoid: { f: '1.0 / (1.0 + Math.exp(-xv))',  df: 'yv * (1.0 - yv)' },
  exp:     { f: 'Math.exp(xv)',                 df: 'yv' },
  log:     { f: 'Math.log(xv)',                 df: '1.0 / xv' },
};

/** Primal only: output [n]. */
export function unarySource(op: UnaryOp): string {
  return `function (x) {
  const xv = x[this.thread.x];
  return ${UNARY_EXPR[op].f};
}`;
}

/** Primal and K tangents: output [n, K + 1], thread.y = 0 the value, k + 1 tangent k. */
export function unaryJvpSource(op: UnaryOp): string {
  return `function (x, dx) {
  const xv = x[this.thread.x];
  const yv = ${UNARY_EXPR[op].f};
  let out = yv;
  if (this.thread.y > 0) {
    out = (${UNARY_EXPR[op].df}) * dx[(this.thread.y - 1) * this.constants.n + this.thread.x];
  }
  return out;
}`;
}

export function unary(cache: KernelCache, g: UnaryArgs): void {
  if (!(g.op in UNARY_EXPR)) throw new Error(`gpujs unary: unknown op '${g.op}'; known: ${Object.keys(UNARY_EXPR).join(', ')}`);
  const { n, op } = g;
  if (!Number.isInteger(n) || n < 0) throw new Error(`gpujs unary ${op}: n must be a non-negative integer, got ${n}`);
  if (n === 0) return;
  const x = cache.slice(g.x, g.xOffset, n, `${op} x`);
  cache.slice(g.y, g.yOffset, n, `${op} y`);
  if (!g.dx || !g.dy) {
    const kern = cache.get(`unary-${op}`, unarySource(op), [n], {});
    forEachRow(cache.run(`unary-${op}`, kern, [x]), (row) => g.y.set(row, g.yOffset));
    return;
  }
  const K = g.directions ?? 1;
  if (!Number.isInteger(K) || K < 1) throw new Error(`gpujs unary ${op}: directions must be an integer ≥ 1, got ${K}`);
  const dx = cache.slice(g.dx, g.dxOffset ?? 0, K * n, `${op} dx`);
  const dy = g.dy, dyo = g.dyOffset ?? 0;
  cache.slice(dy, dyo, K * n, `${op} dy`);
  const kern = cache.get(`unary-jvp-${op}`, unaryJvpSource(op), [n, K + 1], { n });
  // Row 0 is y; row k + 1 is tangent k.
  forEachRow(cache.run(`unary-jvp-${op}`, kern, [x, dx]), (row, r) => {
    if (r === 0) g.y.set(row, g.yOffset);
    else dy.set(row, dyo + (r - 1) * n);
  });
}
