// Unary and binary elementwise ops on the wasm kernels (assembly/ew.as), in place on operands in
// the kernel memory. neg, square, relu and the binary ops give the js loops' bits
// (kernels/js/unary.ts, binary.ts). tanh, sigmoid, exp, log and softplus use float32 SIMD
// approximations: within 4 ulp of the float64 value (5 for a tangent d·dx; test/kernels/wasm-ew),
// not Math's bits, and more accurate than the js loop in tanh' and sigmoid' tails (which js forms
// from a rounded y). A limit of float32: the log tangent's 1/x is ∞ for x < 1/FLT_MAX (js, in
// float64, can still return a finite d·dx there). Operands outside the kernel memory are copied
// through the arena (ew-call.ts stage), so where a tensor lives never changes a result's bits.
import type { BinaryArgs, BinaryOp, UnaryArgs, UnaryOp } from '../backend';
import { binary as jsBinary } from '../js/binary';
import { unary as jsUnary } from '../js/unary';
import { EwCall, KIND, need } from './ew-call';

const UNARY_CODE: Record<UnaryOp, number> = {
  neg: 0,
  square: 1,
  relu: 2,
  tanh: 3,
  sigmoid: 4,
  exp: 5,
  log: 6,
  softplus: 7,
};
const BINARY_CODE: Record<BinaryOp, number> = { add: 0, sub: 1, mul: 2, div: 3 };

const directionsOf = (op: string, k: number | undefined): number => {
  const K = k ?? 1;
  if (!Number.isInteger(K) || K < 1) throw new Error(`wasm ${op}: directions must be a positive integer, got ${K}`);
  return K;
};

export class WasmElementwise {
  constructor(private readonly c: EwCall) {}

  unary(g: UnaryArgs): void {
    const code = Object.hasOwn(UNARY_CODE, g.op) ? UNARY_CODE[g.op] : undefined;
    const n = g.n,
      c = this.c;
    if (code === undefined || !(n > 0)) return jsUnary(g);
    const tangent = !!(g.dx && g.dy),
      K = directionsOf('unary', g.directions);
    need(g.op, 'x', g.x, g.xOffset, n);
    need(g.op, 'y', g.y, g.yOffset, n);
    if (tangent) {
      need(g.op, 'dx', g.dx!, g.dxOffset ?? 0, K * n);
      need(g.op, 'dy', g.dy!, g.dyOffset ?? 0, K * n);
    }
    const at = c.stage([
      { arr: g.x, off: g.xOffset, count: n },
      { arr: g.y, off: g.yOffset, count: n, write: true },
      tangent ? { arr: g.dx!, off: g.dxOffset ?? 0, count: K * n } : undefined,
      tangent ? { arr: g.dy!, off: g.dyOffset ?? 0, count: K * n, write: true } : undefined,
    ]);
    if (!at) return this.unaryInParts(g, code, K);
    const p = c.params(KIND.unary, [code, at[0], at[1], at[2], at[3], n, K]);
    c.run(p, n, 8 * n * (tangent ? 1 + K : 1));
    c.unstage();
  }

  /**
   * Operands outside the kernel memory too large to copy in at once: the exact ops go to js (the
   * same bits); the others run here in slices (one direction at a time, its value recomputed
   * alike), so a tensor's placement never changes their bits either.
   */
  private unaryInParts(g: UnaryArgs, code: number, K: number): void {
    if (code < UNARY_CODE.tanh) return jsUnary(g);
    const n = g.n,
      tangent = !!(g.dx && g.dy);
    const slice = Math.floor(this.c.e.room(0) / 8 / 4) * 4; // 4 operands in half the arena
    if (slice < 4 || slice >= n) return jsUnary(g); // (an arena of a few floats: never with the defaults)
    for (let i0 = 0; i0 < n; i0 += slice) {
      const m = Math.min(slice, n - i0);
      const part = { op: g.op, n: m, x: g.x, xOffset: g.xOffset + i0, y: g.y, yOffset: g.yOffset + i0 };
      if (!tangent) this.unary(part);
      for (let k = 0; tangent && k < K; k++) {
        const d = k * n + i0;
        this.unary({ ...part, dx: g.dx, dxOffset: (g.dxOffset ?? 0) + d, dy: g.dy, dyOffset: (g.dyOffset ?? 0) + d });
      }
    }
  }

  binary(g: BinaryArgs): void {
    const { n, aLen, bLen } = g,
      c = this.c;
    if (!Object.hasOwn(BINARY_CODE, g.op) || !(n > 0)) return jsBinary(g);
    // Which operand repeats, as the js kernel decides (it also throws for pairs that do not broadcast).
    const aFull = aLen === n && (g.aInner ?? 1) === 1;
    const len = aFull ? bLen : aLen,
      inner = (aFull ? g.bInner : g.aInner) ?? 1;
    if (
      !Number.isInteger(inner) ||
      inner < 1 ||
      !Number.isInteger(len) ||
      len < 1 ||
      n % (len * inner) !== 0 ||
      (aFull ? aLen : bLen) !== n ||
      ((aFull ? g.aInner : g.bInner) ?? 1) !== 1
    )
      return jsBinary(g);
    const tangent = !!g.dy && !!(g.da || g.db);
    const K = directionsOf(g.op, g.directions);
    const daStride = g.daStride ?? aLen,
      dbStride = g.dbStride ?? bLen;
    const tanLen = (len1: number, stride: number) => (K - 1) * stride + len1;
    need(g.op, 'a', g.a, g.aOffset, aLen);
    need(g.op, 'b', g.b, g.bOffset, bLen);
    need(g.op, 'y', g.y, g.yOffset, n);
    if (tangent) {
      if (g.da) need(g.op, 'da', g.da, g.daOffset ?? 0, tanLen(aLen, daStride));
      if (g.db) need(g.op, 'db', g.db, g.dbOffset ?? 0, tanLen(bLen, dbStride));
      need(g.op, 'dy', g.dy!, g.dyOffset ?? 0, K * n);
    }
    const at = c.stage([
      { arr: g.a, off: g.aOffset, count: aLen },
      { arr: g.b, off: g.bOffset, count: bLen },
      { arr: g.y, off: g.yOffset, count: n, write: true },
      tangent && g.da ? { arr: g.da, off: g.daOffset ?? 0, count: tanLen(aLen, daStride) } : undefined,
      tangent && g.db ? { arr: g.db, off: g.dbOffset ?? 0, count: tanLen(bLen, dbStride) } : undefined,
      tangent ? { arr: g.dy!, off: g.dyOffset ?? 0, count: K * n, write: true } : undefined,
    ]);
    if (!at) return jsBinary(g); // too large to copy in: js gives the same bits
    const [a, b, y, da, db, dy] = at;
    const p = c.params(KIND.binary, [
      BINARY_CODE[g.op],
      a,
      b,
      y,
      n,
      len,
      inner,
      aFull ? 1 : 0,
      da,
      daStride,
      db,
      dbStride,
      dy,
      K,
    ]);
    c.run(p, n, 12 * n + (tangent ? 12 * K * n : 0));
    c.unstage();
  }
}
