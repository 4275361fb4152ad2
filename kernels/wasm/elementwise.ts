// Unary and binary elementwise ops on the wasm kernels (assembly/ew.as), used when the operands
// live in the kernel memory. neg, square, relu and the binary ops give the js loops' bits
// (kernels/js/unary.ts, binary.ts). tanh, sigmoid, exp, log and softplus use float32 SIMD
// approximations: within 4 ulp of the float64 value (5 for a tangent d·dx; test/kernels/wasm-ew),
// not Math's bits, and more accurate than the js loop in tanh' and sigmoid' tails (which js forms
// from a rounded y). A limit of float32: the log tangent's 1/x is ∞ for x < 1/FLT_MAX (js, in
// float64, can still return a finite d·dx there). Operands elsewhere go to js: never wrong, only slower.
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
/** A repeating operand (a bias, a scalar) not in the kernel memory is copied in up to this many floats. */
const MAX_COPIED = 1 << 14;

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
    const x = c.addr(g.x, g.xOffset),
      y = c.addr(g.y, g.yOffset);
    const dx = tangent ? c.addr(g.dx, g.dxOffset ?? 0) : 0,
      dy = tangent ? c.addr(g.dy, g.dyOffset ?? 0) : 0;
    if (x < 0 || y < 0 || dx < 0 || dy < 0) return jsUnary(g);
    need(g.op, 'x', g.x, g.xOffset, n);
    need(g.op, 'y', g.y, g.yOffset, n);
    if (tangent) {
      need(g.op, 'dx', g.dx!, g.dxOffset ?? 0, K * n);
      need(g.op, 'dy', g.dy!, g.dyOffset ?? 0, K * n);
    }
    const p = c.params(KIND.unary, [code, x, y, dx, dy, n, K]);
    // The transcendental ops cost 3–5 ns an element against relu's 0.3 (bench/ew-kernels.ts): they
    // count as 32× their bytes toward the two-thread threshold.
    const bytes = 8 * n * (tangent ? 1 + K : 1);
    c.run(p, n, code >= UNARY_CODE.tanh ? 32 * bytes : bytes);
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
    // The repeating operand and its tangent may be copied in (they are small); the rest must be in place.
    let top = c.scratch(2 * MAX_COPIED);
    const place = (arr: Float32Array | undefined, off: number, count: number): number => {
      if (!arr) return 0;
      const at = c.addr(arr, off);
      if (at >= 0 || count > MAX_COPIED) return at;
      need(g.op, 'operand', arr, off, count);
      c.e.f32.set(arr.subarray(off, off + count), top);
      top += count;
      return (top - count) * 4;
    };
    const tanLen = (len1: number, stride: number) => (K - 1) * stride + len1;
    const a = aFull ? c.addr(g.a, g.aOffset) : place(g.a, g.aOffset, aLen);
    const b = aFull ? place(g.b, g.bOffset, bLen) : c.addr(g.b, g.bOffset);
    const y = c.addr(g.y, g.yOffset);
    let da = 0,
      db = 0,
      dy = 0;
    if (tangent) {
      if (g.da) da = aFull ? c.addr(g.da, g.daOffset ?? 0) : place(g.da, g.daOffset ?? 0, tanLen(aLen, daStride));
      if (g.db) db = aFull ? place(g.db, g.dbOffset ?? 0, tanLen(bLen, dbStride)) : c.addr(g.db, g.dbOffset ?? 0);
      dy = c.addr(g.dy, g.dyOffset ?? 0);
    }
    if (a < 0 || b < 0 || y < 0 || da < 0 || db < 0 || dy < 0) return jsBinary(g);
    need(g.op, 'a', g.a, g.aOffset, aLen);
    need(g.op, 'b', g.b, g.bOffset, bLen);
    need(g.op, 'y', g.y, g.yOffset, n);
    if (tangent) {
      if (g.da) need(g.op, 'da', g.da, g.daOffset ?? 0, tanLen(aLen, daStride));
      if (g.db) need(g.op, 'db', g.db, g.dbOffset ?? 0, tanLen(bLen, dbStride));
      need(g.op, 'dy', g.dy!, g.dyOffset ?? 0, K * n);
    }
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
  }
}
