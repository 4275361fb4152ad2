// Elementwise unary ops and their fused tangents. THE TABLE: per op, the value y(x) and the
// derivative dy/dx as JavaScript expressions in x and y (so tanh/sigmoid/exp reuse the value).
import type { UnaryArgs, UnaryOp } from '../backend';
import { compileLoop } from './compile-loop';

export const UNARY_RULES: Readonly<Record<UnaryOp, { readonly y: string; readonly dydx: string }>> = {
  neg:     { y: '-x',                     dydx: '-1' },
  square:  { y: 'x * x',                  dydx: '2 * x' },
  relu:    { y: 'x > 0 ? x : 0',          dydx: 'x > 0 ? 1 : 0' }, // relu'(0) = 0
  tanh:    { y: 'Math.tanh(x)',           dydx: '1 - y * y' },
  sigmoid: { y: '1 / (1 + Math.exp(-x))', dydx: 'y * (1 - y)' },
  exp:     { y: 'Math.exp(x)',            dydx: 'y' },
  log:     { y: 'Math.log(x)',            dydx: '1 / x' },
};

type Loop = (X: Float32Array, xo: number, Y: Float32Array, yo: number, n: number,
  DX?: Float32Array, dxo?: number, DY?: Float32Array, dyo?: number, K?: number) => void;

const PARAMS = ['X', 'xo', 'Y', 'yo', 'n', 'DX', 'dxo', 'DY', 'dyo', 'K'];

function loop(op: UnaryOp, tangent: boolean): Loop {
  const r = UNARY_RULES[op];
  if (!r) throw new Error(`unary: unknown op '${op}'`);
  // x is read before y is written, so in-place (X === Y, same offset) is fine.
  const body = tangent
    ? `for (let i = 0; i < n; i++) {
         const x = X[xo + i], y = ${r.y}, d = ${r.dydx};
         Y[yo + i] = y;
         for (let k = 0, p = i; k < K; k++, p += n) DY[dyo + p] = d * DX[dxo + p];
       }`
    : `for (let i = 0; i < n; i++) { const x = X[xo + i]; Y[yo + i] = ${r.y}; }`;
  return compileLoop<Loop>(`unary:${op}:${tangent}`, PARAMS, body);
}

export function unary(g: UnaryArgs): void {
  const tangent = !!(g.dx && g.dy);
  loop(g.op, tangent)(g.x, g.xOffset, g.y, g.yOffset, g.n, g.dx, g.dxOffset ?? 0, g.dy, g.dyOffset ?? 0, g.directions ?? 1);
}
