// Elementwise unary ops and their fused tangents: one loop per op, generated from the value y(x)
// and derivative dy/dx expressions of kernels/elementwise.ts (in x and y, so tanh/sigmoid/exp
// reuse the value).
import type { UnaryArgs } from '../backend';
import { UNARY, UnaryOp } from '../elementwise';
import { compileLoop, scratch } from './compile-loop';

type Loop = (
  X: Float32Array,
  xo: number,
  Y: Float32Array,
  yo: number,
  n: number,
  DX?: Float32Array,
  dxo?: number,
  DY?: Float32Array,
  dyo?: number,
  K?: number,
  S?: Float64Array,
) => void;

const PARAMS = ['X', 'xo', 'Y', 'yo', 'n', 'DX', 'dxo', 'DY', 'dyo', 'K', 'S'];

// With K > 1 directions the derivative d(x) is kept in S during the value pass, then each further
// direction is one multiply pass (an inner loop over k measured 3-4× slower than this).
function loop(op: UnaryOp, tangent: boolean): Loop {
  const r = Object.hasOwn(UNARY, op) ? UNARY[op] : undefined;
  if (!r) throw new Error(`unary: unknown op '${op}'`);
  const body = tangent
    ? `for (let i = 0; i < n; i++) {
         const x = X[xo + i], y = ${r.y}, d = ${r.dydx};
         Y[yo + i] = y;
         DY[dyo + i] = d * DX[dxo + i];
         if (K > 1) S[i] = d;
       }
       for (let k = 1; k < K; k++) {
         const o = k * n;
         for (let i = 0; i < n; i++) DY[dyo + o + i] = S[i] * DX[dxo + o + i];
       }`
    : `for (let i = 0; i < n; i++) { const x = X[xo + i]; Y[yo + i] = ${r.y}; }`;
  return compileLoop<Loop>(`unary:${op}:${tangent}`, PARAMS, body);
}

export function unary(g: UnaryArgs): void {
  const tangent = !!(g.dx && g.dy),
    K = g.directions ?? 1;
  loop(g.op, tangent)(
    g.x,
    g.xOffset,
    g.y,
    g.yOffset,
    g.n,
    g.dx,
    g.dxOffset ?? 0,
    g.dy,
    g.dyOffset ?? 0,
    K,
    K > 1 ? scratch(g.n) : undefined,
  );
}
