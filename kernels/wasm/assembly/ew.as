// Elementwise, reduction, max-pooling and optimizer-update kernels over operands that
// live in the kernel memory (all pointers are byte addresses; 0 = operand absent: byte 0 is the
// control block, never a tensor). Each splittable kernel takes a parameter block `p` written by
// kernels/wasm/ew-call.ts and a range [i0, i1) of its work, so the main thread and the helper run
// disjoint ranges of one call (ewRun, the helper's OP.ew job).
//
// Bits: every kernel but the transcendental unary ops (tanh, sigmoid, exp, log, softplus: float32
// approximations within 4 ulp, see below) computes exactly what the js kernel (kernels/js/*)
// computes, not just close: a single f32 operation (x + y, x·y, x/y) rounded once equals the js loop's float64 operation
// rounded on store, so values and add/sub tangents run in f32x4; where the js loop keeps a float64
// intermediate (mul/div tangents ∂a·da + ∂b·db, the optimizer updates) the kernel runs in f64x2
// with the same operations in the same order. One more exception: the reduction over a contiguous axis
// (inner = 1) sums in 4 float64 lanes (another order than the js loop's; documented in reduce.ts).
// No Math.exp/log here: AssemblyScript's use lookup tables, i.e. a data segment, which every
// instantiation (the helper's too) would write over the control block at byte 0 (build.mjs
// rejects a kernel module with data segments).
//
// Parameter block: i32 slots at p + 4·i (i < 32), f64 slots at p + 128 + 8·j.

// @ts-ignore: decorator
@inline function I(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function A(p: usize, i: i32): usize {
  return <usize>load<u32>(p + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function D(p: usize, j: i32): f64 {
  return load<f64>(p + 128 + (<usize>j << 3));
}
// @ts-ignore: decorator
@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

const KIND_UNARY = 1, KIND_BINARY = 2, KIND_REDUCE = 3, KIND_POOL = 4, KIND_UPDATE = 5;

/** Runs work items [i0, i1) of the call described at p. */
export function ewRun(p: usize, i0: i32, i1: i32): void {
  const kind = I(p, 0);
  if (kind == KIND_UNARY) unaryRange(p, i0, i1);
  else if (kind == KIND_BINARY) binaryRange(p, i0, i1);
  else if (kind == KIND_REDUCE) reduceRange(p, i0, i1);
  else if (kind == KIND_POOL) poolRange(p, i0, i1);
  else if (kind == KIND_UPDATE) updateRange(p, i0, i1);
  else unreachable();
}

// ---------------------------------------------------------------------------------------------
// Unary: slots 1 op, 2 x, 3 y, 4 dx, 5 dy, 6 n, 7 K. Items: elements. Each element's derivative
// d is applied to all K directions while x is in registers; the tail (< 4 elements) runs the same
// vector code on a splat, so an element's bits never depend on where a range starts.
// neg, square, relu: one float32 rounding, the js loop's bits. The transcendental ops use the
// float32 approximations below (Cephes-style range reduction + minimax polynomial, plain
// mul/add): within a few ulp of the float64 value, not the js loop's bits (see elementwise.ts).

const U_NEG = 0, U_SQUARE = 1, U_RELU = 2, U_TANH = 3, U_SIGMOID = 4, U_EXP = 5, U_LOG = 6, U_SOFTPLUS = 7;

// @ts-ignore: decorator
@inline function fma4(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(a, b), c);
}

/** eˣ: x = n·ln2 + r, |r| ≤ ln2/2, e^r by a degree-7 polynomial, times 2ⁿ as 2^⌊n/2⌋·2^(n−⌊n/2⌋) (denormal results round once). */
// @ts-ignore: decorator
@inline function exp4(x: v128): v128 {
  // Clamp (NaN passes: f32x4.min/max propagate it): beyond 89 the result is ∞, below −104 it is 0.
  const c = f32x4.max(f32x4.min(x, f32x4.splat(89)), f32x4.splat(-104));
  const n = f32x4.nearest(f32x4.mul(c, f32x4.splat(1.44269504088896341)));
  // ln2 in two parts: n·0.693359375 is exact for |n| ≤ 150.
  const r = f32x4.sub(f32x4.sub(c, f32x4.mul(n, f32x4.splat(0.693359375))), f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = fma4(p, r, f32x4.splat(1.3981999507e-3));
  p = fma4(p, r, f32x4.splat(8.3334519073e-3));
  p = fma4(p, r, f32x4.splat(4.1665795894e-2));
  p = fma4(p, r, f32x4.splat(1.6666665459e-1));
  p = fma4(p, r, f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const n1 = i32x4.shr_s(ni, 1), n2 = i32x4.sub(ni, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23), s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** ln x: x = m·2ᵉ with m in [√½, √2), ln(m) by a degree-9 polynomial in m − 1; 0 → −∞, < 0 → NaN, ∞ → ∞. */
// @ts-ignore: decorator
@inline function log4(x: v128): v128 {
  // Denormals: scale by 2²³ first.
  const tiny = f32x4.lt(x, f32x4.splat(1.17549435e-38));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608)), x, tiny);
  let e = i32x4.sub(i32x4.shr_u(xs, 23), i32x4.splat(126));
  e = i32x4.sub(e, v128.and(tiny, i32x4.splat(23)));
  let m = v128.or(v128.and(xs, i32x4.splat(0x7fffff)), i32x4.splat(0x3f000000)); // [0.5, 1)
  const lo = f32x4.lt(m, f32x4.splat(0.707106781186547524));
  e = i32x4.add(e, lo); // lo lanes are −1: one exponent less, m doubled
  m = f32x4.sub(f32x4.add(m, v128.and(m, lo)), f32x4.splat(1));
  const ef = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(m, m);
  let p = f32x4.splat(7.0376836292e-2);
  p = fma4(p, m, f32x4.splat(-1.1514610310e-1));
  p = fma4(p, m, f32x4.splat(1.1676998740e-1));
  p = fma4(p, m, f32x4.splat(-1.2420140846e-1));
  p = fma4(p, m, f32x4.splat(1.4249322787e-1));
  p = fma4(p, m, f32x4.splat(-1.6668057665e-1));
  p = fma4(p, m, f32x4.splat(2.0000714765e-1));
  p = fma4(p, m, f32x4.splat(-2.4999993993e-1));
  p = fma4(p, m, f32x4.splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, m), z);
  y = f32x4.add(y, f32x4.mul(ef, f32x4.splat(-2.12194440e-4)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  y = f32x4.add(f32x4.add(m, y), f32x4.mul(ef, f32x4.splat(0.693359375)));
  // Special values: x = 0 → −∞; x < 0 or NaN → NaN (x·0/0 keeps a NaN); x = ∞ → ∞.
  y = v128.bitselect(f32x4.splat(-Infinity), y, f32x4.eq(x, f32x4.splat(0)));
  y = v128.bitselect(f32x4.splat(Infinity), y, f32x4.eq(x, f32x4.splat(Infinity)));
  return v128.bitselect(f32x4.splat(NaN), y, v128.not(f32x4.ge(x, f32x4.splat(0))));
}

/** ln(1 + u) for u ≥ 0 without losing a small u: ln(w)·u/(w − 1) with w = 1 + u (u itself when w = 1). */
// @ts-ignore: decorator
@inline function log1p4(u: v128): v128 {
  const w = f32x4.add(u, f32x4.splat(1));
  const q = f32x4.mul(log4(w), f32x4.div(u, f32x4.sub(w, f32x4.splat(1))));
  return v128.bitselect(u, q, f32x4.eq(w, f32x4.splat(1)));
}

/** tanh: odd polynomial for |x| < 0.625, else 1 − 2/(e^{2|x|} + 1); the sign copied from x. */
// @ts-ignore: decorator
@inline function tanh4(x: v128): v128 {
  const a = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = fma4(p, z, f32x4.splat(2.06390887954e-2));
  p = fma4(p, z, f32x4.splat(-5.37397155531e-2));
  p = fma4(p, z, f32x4.splat(1.33314422036e-1));
  p = fma4(p, z, f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), a), a);
  const big = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(exp4(f32x4.add(a, a)), f32x4.splat(1))));
  const t = v128.bitselect(small, big, f32x4.lt(a, f32x4.splat(0.625)));
  return v128.or(t, v128.and(x, i32x4.splat(0x80000000))); // NaN stays NaN
}

/** 1/(1 + e^−x), from e = e^−|x| so that it never overflows: 1/(1 + e) for x ≥ 0, e/(1 + e) below (down to denormals). */
// @ts-ignore: decorator
@inline function sigmoid4(x: v128): v128 {
  const e = exp4(f32x4.neg(f32x4.abs(x)));
  const pos = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
  return v128.bitselect(f32x4.mul(e, pos), pos, f32x4.lt(x, f32x4.splat(0)));
}

// @ts-ignore: decorator
@inline function uValue(op: i32, x: v128): v128 {
  if (op == U_NEG) return f32x4.neg(x);
  if (op == U_SQUARE) return f32x4.mul(x, x);
  if (op == U_RELU) return v128.andnot(x, f32x4.le(x, f32x4.splat(0))); // x <= 0 ? 0 : x (NaN stays, −0 → +0)
  if (op == U_TANH) return tanh4(x);
  if (op == U_SIGMOID) return sigmoid4(x);
  if (op == U_EXP) return exp4(x);
  if (op == U_LOG) return log4(x);
  // softplus: max(x, 0) + log1p(e^−|x|)
  return f32x4.add(f32x4.max(x, f32x4.splat(0)), log1p4(exp4(f32x4.neg(f32x4.abs(x)))));
}
/** dy/dx from x and the value y, as the table writes it. */
// @ts-ignore: decorator
@inline function uDeriv(op: i32, x: v128, y: v128): v128 {
  if (op == U_NEG) return f32x4.splat(-1);
  if (op == U_SQUARE) return f32x4.add(x, x);
  if (op == U_RELU) {
    // 1 for x > 0, 0 for x <= 0, x itself (NaN) otherwise
    const gt = f32x4.gt(x, f32x4.splat(0));
    return v128.bitselect(f32x4.splat(1), v128.andnot(x, f32x4.le(x, f32x4.splat(0))), gt);
  }
  // tanh' and sigmoid' not as 1 − y², y(1 − y): y rounds to 1 long before those vanish (tanh' of 9
  // is 6e−8, 1 − y² in float32 is 0), so from the exponential again: (1 − |y|)(1 + |y|) with
  // 1 − |y| = 2/(e^{2|x|} + 1) where the polynomial is not used; sigmoid(x)·sigmoid(−x).
  if (op == U_TANH) {
    const a = f32x4.abs(x);
    const q = f32x4.div(f32x4.splat(2), f32x4.add(exp4(f32x4.add(a, a)), f32x4.splat(1)));
    const big = f32x4.mul(q, f32x4.sub(f32x4.splat(2), q));
    return v128.bitselect(f32x4.sub(f32x4.splat(1), f32x4.mul(y, y)), big, f32x4.lt(a, f32x4.splat(0.625)));
  }
  if (op == U_SIGMOID) return f32x4.mul(y, sigmoid4(f32x4.neg(x)));
  if (op == U_EXP) return y;
  if (op == U_LOG) return f32x4.div(f32x4.splat(1), x);
  return sigmoid4(x); // softplus' = sigmoid
}

// @ts-ignore: decorator
@inline function unaryLoop(op: i32, x: usize, y: usize, dx: usize, dy: usize, n: i32, K: i32, i0: i32, i1: i32): void {
  const dirBytes = <usize>n << 2;
  let i = i0;
  if (dy == 0) {
    for (; i + 4 <= i1; i += 4) v128.store(at(y, i), uValue(op, v128.load(at(x, i))));
    for (; i < i1; i++) store<f32>(at(y, i), f32x4.extract_lane(uValue(op, v128.load32_splat(at(x, i))), 0));
    return;
  }
  for (; i + 4 <= i1; i += 4) {
    const v = v128.load(at(x, i));
    const w = uValue(op, v);
    const d = uDeriv(op, v, w);
    v128.store(at(y, i), w);
    let s = at(dx, i), o = at(dy, i);
    for (let k = 0; k < K; k++, s += dirBytes, o += dirBytes) v128.store(o, f32x4.mul(d, v128.load(s)));
  }
  for (; i < i1; i++) {
    const v = v128.load32_splat(at(x, i));
    const w = uValue(op, v);
    const d = f32x4.extract_lane(uDeriv(op, v, w), 0);
    store<f32>(at(y, i), f32x4.extract_lane(w, 0));
    let s = at(dx, i), o = at(dy, i);
    for (let k = 0; k < K; k++, s += dirBytes, o += dirBytes) store<f32>(o, d * load<f32>(s));
  }
}

function unaryRange(p: usize, i0: i32, i1: i32): void {
  const op = I(p, 1), x = A(p, 2), y = A(p, 3), dx = A(p, 4), dy = A(p, 5), n = I(p, 6), K = I(p, 7);
  if (op == U_RELU) unaryLoop(U_RELU, x, y, dx, dy, n, K, i0, i1);
  else if (op == U_SQUARE) unaryLoop(U_SQUARE, x, y, dx, dy, n, K, i0, i1);
  else if (op == U_NEG) unaryLoop(U_NEG, x, y, dx, dy, n, K, i0, i1);
  else if (op == U_TANH) unaryLoop(U_TANH, x, y, dx, dy, n, K, i0, i1);
  else if (op == U_SIGMOID) unaryLoop(U_SIGMOID, x, y, dx, dy, n, K, i0, i1);
  else if (op == U_EXP) unaryLoop(U_EXP, x, y, dx, dy, n, K, i0, i1);
  else if (op == U_LOG) unaryLoop(U_LOG, x, y, dx, dy, n, K, i0, i1);
  else unaryLoop(U_SOFTPLUS, x, y, dx, dy, n, K, i0, i1);
}

// ---------------------------------------------------------------------------------------------
// Binary (add, sub, mul, div) with one repeating operand: output i reads the full operand at i
// and the repeating one at j = ⌊(i mod len·inner) / inner⌋. Slots: 1 op, 2 a, 3 b, 4 y, 5 n,
// 6 len, 7 inner, 8 aFull (1: a is the full operand, b repeats; 0: the reverse), 9 da, 10 daStride,
// 11 db, 12 dbStride, 13 dy, 14 K (tangent strides in elements; da/db 0 = absent, dy 0 = no
// tangent). Items: output elements, walked in segments where the repeating index either advances
// with i (inner = 1) or stays (inner > 1: one element spans the segment, loaded as a splat).

const B_ADD = 0, B_SUB = 1, B_MUL = 2, B_DIV = 3;

// @ts-ignore: decorator
@inline function bValue(op: i32, a: v128, b: v128): v128 {
  if (op == B_ADD) return f32x4.add(a, b);
  if (op == B_SUB) return f32x4.sub(a, b);
  if (op == B_MUL) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}
// @ts-ignore: decorator
@inline function bValue1(op: i32, a: f32, b: f32): f32 {
  if (op == B_ADD) return a + b;
  if (op == B_SUB) return a - b;
  if (op == B_MUL) return a * b;
  return a / b;
}
/** 4 floats at p, or p's one float splat (step 0: the repeating operand inside an inner run). */
// @ts-ignore: decorator
@inline function load4(p: usize, step: bool): v128 {
  return step ? v128.load(p) : v128.load32_splat(p);
}
/** 2 floats at p promoted to f64 (or one, splat). */
// @ts-ignore: decorator
@inline function load2d(p: usize, step: bool): v128 {
  return step ? f64x2.promote_low_f32x4(v128.load64_zero(p)) : f64x2.splat(<f64>load<f32>(p));
}
// @ts-ignore: decorator
@inline function store2d(p: usize, v: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
}

/** Value pass over one segment of `cnt` outputs: y[t] = a[t·sa] ∘ b[t·sb]. */
// @ts-ignore: decorator
@inline function bSegValue(op: i32, a: usize, sa: bool, b: usize, sb: bool, y: usize, cnt: i32): void {
  const ia: usize = sa ? 16 : 0, ib: usize = sb ? 16 : 0;
  let t = 0;
  for (; t + 4 <= cnt; t += 4, a += ia, b += ib, y += 16) v128.store(y, bValue(op, load4(a, sa), load4(b, sb)));
  const ja: usize = sa ? 4 : 0, jb: usize = sb ? 4 : 0;
  for (; t < cnt; t++, a += ja, b += jb, y += 4) store<f32>(y, bValue1(op, load<f32>(a), load<f32>(b)));
}

/**
 * Tangent pass over one segment for one direction: dy[t] = ∂a·da[t·sa] + ∂b·db[t·sb] as the js
 * loop forms it (kernels/js/binary.ts with the table's partials): add/sub and the single-term
 * mul in f32 (one rounding either way), the rest in f64.
 */
// @ts-ignore: decorator
@inline function bSegTangent(
  op: i32, a: usize, sa: bool, b: usize, sb: bool, da: usize, db: usize, dy: usize, cnt: i32,
): void {
  const ia: usize = sa ? 16 : 0, ib: usize = sb ? 16 : 0;
  const ja: usize = sa ? 4 : 0, jb: usize = sb ? 4 : 0;
  const hA = da != 0, hB = db != 0; // (the pointers advance even when absent)
  let t = 0;
  if (op == B_ADD || op == B_SUB || (op == B_MUL && (!hA || !hB))) {
    // f32: one rounding. add: da + db; sub: da − db (−db alone); mul: b·da or a·db.
    for (; t + 4 <= cnt; t += 4, a += ia, b += ib, da += ia, db += ib, dy += 16) {
      let r: v128;
      if (op == B_MUL) r = hA ? f32x4.mul(load4(b, sb), load4(da, sa)) : f32x4.mul(load4(a, sa), load4(db, sb));
      else if (hA && hB) r = op == B_ADD ? f32x4.add(load4(da, sa), load4(db, sb)) : f32x4.sub(load4(da, sa), load4(db, sb));
      else if (hA) r = load4(da, sa);
      else r = op == B_ADD ? load4(db, sb) : f32x4.mul(f32x4.splat(-1), load4(db, sb));
      v128.store(dy, r);
    }
    for (; t < cnt; t++, a += ja, b += jb, da += ja, db += jb, dy += 4) {
      let r: f32;
      if (op == B_MUL) r = hA ? load<f32>(b) * load<f32>(da) : load<f32>(a) * load<f32>(db);
      else if (hA && hB) r = op == B_ADD ? load<f32>(da) + load<f32>(db) : load<f32>(da) - load<f32>(db);
      else if (hA) r = load<f32>(da);
      else r = op == B_ADD ? load<f32>(db) : <f32>-1 * load<f32>(db);
      store<f32>(dy, r);
    }
    return;
  }
  // f64: mul with both tangents (b·da + a·db), div (da/b − y·db/b with y = a/b unrounded).
  const ka: usize = sa ? 8 : 0, kb: usize = sb ? 8 : 0;
  for (; t + 2 <= cnt; t += 2, a += ka, b += kb, da += ka, db += kb, dy += 8) {
    const va = load2d(a, sa), vb = load2d(b, sb);
    let r: v128;
    if (op == B_MUL) r = f64x2.add(f64x2.mul(vb, load2d(da, sa)), f64x2.mul(va, load2d(db, sb)));
    else {
      const ga = f64x2.div(f64x2.splat(1), vb);
      const gb = f64x2.div(f64x2.neg(f64x2.div(va, vb)), vb);
      if (hA && hB) r = f64x2.add(f64x2.mul(ga, load2d(da, sa)), f64x2.mul(gb, load2d(db, sb)));
      else if (hA) r = f64x2.mul(ga, load2d(da, sa));
      else r = f64x2.mul(gb, load2d(db, sb));
    }
    store2d(dy, r);
  }
  for (; t < cnt; t++, a += ja, b += jb, da += ja, db += jb, dy += 4) {
    const va = <f64>load<f32>(a), vb = <f64>load<f32>(b);
    let r: f64;
    if (op == B_MUL) r = vb * <f64>load<f32>(da) + va * <f64>load<f32>(db);
    else {
      const ga = 1.0 / vb, gb = -(va / vb) / vb;
      if (hA && hB) r = ga * <f64>load<f32>(da) + gb * <f64>load<f32>(db);
      else if (hA) r = ga * <f64>load<f32>(da);
      else r = gb * <f64>load<f32>(db);
    }
    store<f32>(dy, <f32>r);
  }
}

// @ts-ignore: decorator
@inline function binaryLoop(op: i32, p: usize, i0: i32, i1: i32): void {
  const a = A(p, 2), b = A(p, 3), y = A(p, 4), n = I(p, 5), len = I(p, 6), inner = I(p, 7), aFull = I(p, 8) != 0;
  const da = A(p, 9), das = I(p, 10), db = A(p, 11), dbs = I(p, 12), dy = A(p, 13), K = I(p, 14);
  const period = len * inner;
  let i = i0;
  while (i < i1) {
    const base = i - i % period, r = i - base;
    const j = r / inner;
    const cnt = inner == 1 ? min(i1, base + len) - i : min(i1, i + inner - r % inner) - i;
    const step = inner == 1; // the repeating operand advances with i
    const ia = aFull ? i : j, ib = aFull ? j : i;
    const sa = aFull || step, sb = !aFull || step;
    bSegValue(op, at(a, ia), sa, at(b, ib), sb, at(y, i), cnt);
    if (dy != 0) {
      for (let k = 0; k < K; k++) {
        bSegTangent(
          op, at(a, ia), sa, at(b, ib), sb,
          da != 0 ? at(da, k * das + ia) : 0, db != 0 ? at(db, k * dbs + ib) : 0,
          at(dy, k * n + i), cnt,
        );
      }
    }
    i += cnt;
  }
}

function binaryRange(p: usize, i0: i32, i1: i32): void {
  const op = I(p, 1);
  if (op == B_ADD) binaryLoop(B_ADD, p, i0, i1);
  else if (op == B_SUB) binaryLoop(B_SUB, p, i0, i1);
  else if (op == B_MUL) binaryLoop(B_MUL, p, i0, i1);
  else binaryLoop(B_DIV, p, i0, i1);
}

// ---------------------------------------------------------------------------------------------
// Reduce: y[o·inner + i] = scale·Σ_j x[(o·len + j)·inner + i], summed in float64. Slots 1 x, 2 y,
// 3 outer, 4 len, 5 inner; f64 0 scale. Items: outputs o·inner + i. inner > 1: 4 outputs side by
// side, each summed in order (the js loop's bits); inner = 1: one output's run in 4 f64 lanes.

function reduceRange(p: usize, i0: i32, i1: i32): void {
  const x = A(p, 1), y = A(p, 2), len = I(p, 4), inner = I(p, 5);
  const scale = D(p, 0);
  if (inner == 1) {
    for (let o = i0; o < i1; o++) {
      let s = at(x, o * len);
      let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
      let j = 0;
      for (; j + 4 <= len; j += 4, s += 16) {
        const v = v128.load(s);
        acc0 = f64x2.add(acc0, f64x2.promote_low_f32x4(v));
        acc1 = f64x2.add(acc1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
      }
      const both = f64x2.add(acc0, acc1);
      let sum = f64x2.extract_lane(both, 0) + f64x2.extract_lane(both, 1);
      for (; j < len; j++, s += 4) sum += <f64>load<f32>(s);
      store<f32>(at(y, o), <f32>(sum * scale));
    }
    return;
  }
  const rowBytes = <usize>inner << 2;
  let o = i0;
  while (o < i1) {
    const row = o / inner, i = o % inner;
    const cnt = min(i1 - o, inner - i);
    const src = at(x, row * len * inner + i), dst = at(y, o);
    let t = 0;
    for (; t + 4 <= cnt; t += 4) {
      let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
      let s = src + (<usize>t << 2);
      for (let j = 0; j < len; j++, s += rowBytes) {
        const v = v128.load(s);
        acc0 = f64x2.add(acc0, f64x2.promote_low_f32x4(v));
        acc1 = f64x2.add(acc1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
      }
      const sc = f64x2.splat(scale);
      store2d(dst + (<usize>t << 2), f64x2.mul(acc0, sc));
      store2d(dst + (<usize>t << 2) + 8, f64x2.mul(acc1, sc));
    }
    for (; t < cnt; t++) {
      let sum: f64 = 0;
      let s = src + (<usize>t << 2);
      for (let j = 0; j < len; j++, s += rowBytes) sum += <f64>load<f32>(s);
      store<f32>(dst + (<usize>t << 2), <f32>(sum * scale));
    }
    o += cnt;
  }
}

// ---------------------------------------------------------------------------------------------
// Max pooling (no padding; first maximum in window order wins; a NaN wins over numbers, the first
// NaN over later ones), argmax relative to x, tangent gathered through the winner. Slots 1 x, 2 y,
// 3 planes, 4 h, 5 w, 6 kh, 7 kw, 8 sh, 9 sw, 10 outH, 11 outW, 12 argmax (i32, 0 = none), 13 dx,
// 14 dy, 15 K. Items: planes. 2×2 windows at stride 2 (the CNN's) take 4 outputs per step.

/** Whether candidate v replaces best (v > best, or v is the first NaN). */
// @ts-ignore: decorator
@inline function takes4(v: v128, best: v128): v128 {
  return v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
}

// @ts-ignore: decorator
@inline function poolOut(
  o: i32, best: f32, win: i32, y: usize, am: usize, dx: usize, dy: usize, K: i32, P: i32, X: i32,
): void {
  store<f32>(at(y, o), best);
  if (am != 0) store<i32>(at(am, o), win);
  if (dy != 0) for (let k = 0; k < K; k++) store<f32>(at(dy, k * P + o), load<f32>(at(dx, k * X + win)));
}

function poolRange(p: usize, i0: i32, i1: i32): void {
  const x = A(p, 1), y = A(p, 2), planes = I(p, 3), h = I(p, 4), w = I(p, 5), kh = I(p, 6), kw = I(p, 7);
  const sh = I(p, 8), sw = I(p, 9), outH = I(p, 10), outW = I(p, 11), am = A(p, 12), dx = A(p, 13), dy = A(p, 14);
  const K = I(p, 15);
  const P = planes * outH * outW, X = planes * h * w;
  const fast = kh == 2 && kw == 2 && sh == 2 && sw == 2;
  for (let pl = i0; pl < i1; pl++) {
    const base = pl * h * w;
    let o = pl * outH * outW;
    for (let oy = 0; oy < outH; oy++) {
      let ox = 0;
      if (fast) {
        const r0 = base + oy * 2 * w, r1 = r0 + w;
        for (; ox + 4 <= outW; ox += 4, o += 4) {
          // Row r0 cols 2ox…2ox+7 and row r1 likewise; even/odd lanes are the window's columns.
          const u0 = v128.load(at(x, r0 + 2 * ox)), u1 = v128.load(at(x, r0 + 2 * ox + 4));
          const w0 = v128.load(at(x, r1 + 2 * ox)), w1 = v128.load(at(x, r1 + 2 * ox + 4));
          const c00 = v128.shuffle<f32>(u0, u1, 0, 2, 4, 6), c01 = v128.shuffle<f32>(u0, u1, 1, 3, 5, 7);
          const c10 = v128.shuffle<f32>(w0, w1, 0, 2, 4, 6), c11 = v128.shuffle<f32>(w0, w1, 1, 3, 5, 7);
          // Index of each lane's (0,0) element: r0 + 2·(ox + lane).
          const i00 = i32x4.add(i32x4.splat(r0 + 2 * ox), i32x4(0, 2, 4, 6));
          let best = c00, win = i00;
          let t = takes4(c01, best);
          best = v128.bitselect(c01, best, t);
          win = v128.bitselect(i32x4.add(i00, i32x4.splat(1)), win, t);
          t = takes4(c10, best);
          best = v128.bitselect(c10, best, t);
          win = v128.bitselect(i32x4.add(i00, i32x4.splat(w)), win, t);
          t = takes4(c11, best);
          best = v128.bitselect(c11, best, t);
          win = v128.bitselect(i32x4.add(i00, i32x4.splat(w + 1)), win, t);
          v128.store(at(y, o), best);
          if (am != 0) v128.store(at(am, o), win);
          if (dy != 0) {
            const a0 = i32x4.extract_lane(win, 0), a1 = i32x4.extract_lane(win, 1);
            const a2 = i32x4.extract_lane(win, 2), a3 = i32x4.extract_lane(win, 3);
            for (let k = 0; k < K; k++) {
              const s = at(dx, k * X), d = at(dy, k * P + o);
              store<f32>(d, load<f32>(at(s, a0)));
              store<f32>(d, load<f32>(at(s, a1)), 4);
              store<f32>(d, load<f32>(at(s, a2)), 8);
              store<f32>(d, load<f32>(at(s, a3)), 12);
            }
          }
        }
      }
      for (; ox < outW; ox++, o++) {
        let best: f32 = -Infinity;
        let win = base + oy * sh * w + ox * sw;
        for (let ki = 0; ki < kh; ki++) {
          const r = base + (oy * sh + ki) * w + ox * sw;
          for (let kj = 0; kj < kw; kj++) {
            const v = load<f32>(at(x, r + kj));
            if (v > best || (v != v && best == best)) {
              best = v;
              win = r + kj;
            }
          }
        }
        poolOut(o, best, win, y, am, dx, dy, K, P, X);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Optimizer updates, in f64 exactly as runtime/fgd/optimizers/* (kernels/js/update.ts) compute
// them. Slots 1 rule (0 sgd, 1 momentum, 2 adam), 2 scaled (g = fround(0 + s·d) from a direction;
// 0: g = d as given), 3 nesterov, 4 params, 5 d, 6 u or m, 7 v, 8 save (0 = none: else receives
// the parameters before the step, the guard's snapshot, in the same pass); f64 0 s, 1 lr, 2 momentum,
// 3 beta1, 4 beta2, 5 epsilon, 6 c1 = 1 − β1^t, 7 c2 = 1 − β2^t. Items: elements, two per step.

const R_SGD = 0, R_MOMENTUM = 1;

// @ts-ignore: decorator
@inline function grad2(d: usize, scaled: bool, s: v128): v128 {
  const v = f64x2.promote_low_f32x4(v128.load64_zero(d));
  if (!scaled) return v;
  // 0 + s·d (−0 → +0), then rounded to float32 as the formed gradient buffer would hold it.
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(f64x2.add(f64x2.splat(0), f64x2.mul(s, v))));
}
// @ts-ignore: decorator
@inline function grad1(d: usize, scaled: bool, s: f64): f64 {
  const v = <f64>load<f32>(d);
  return scaled ? <f64><f32>(0 + s * v) : v;
}
// @ts-ignore: decorator
@inline function ld2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

// @ts-ignore: decorator
@inline function updateLoop(rule: i32, scaled: bool, nesterov: bool, p: usize, i0: i32, i1: i32): void {
  const th = A(p, 4), d = A(p, 5), s1 = A(p, 6), s2 = A(p, 7), sv = A(p, 8);
  const s = D(p, 0), lr = D(p, 1), mu = D(p, 2), b1 = D(p, 3), b2 = D(p, 4), eps = D(p, 5), c1 = D(p, 6), c2 = D(p, 7);
  const S = f64x2.splat(s), LR = f64x2.splat(lr), MU = f64x2.splat(mu);
  const B1 = f64x2.splat(b1), B2 = f64x2.splat(b2), OB1 = f64x2.splat(1 - b1), OB2 = f64x2.splat(1 - b2);
  const EPS = f64x2.splat(eps), C1 = f64x2.splat(c1), C2 = f64x2.splat(c2);
  let i = i0;
  for (; i + 2 <= i1; i += 2) {
    const g = grad2(at(d, i), scaled, S);
    const raw = v128.load64_zero(at(th, i));
    if (sv != 0) v128.store64_lane(at(sv, i), raw, 0);
    const q = f64x2.promote_low_f32x4(raw);
    let step: v128;
    if (rule == R_SGD) step = f64x2.mul(LR, g);
    else if (rule == R_MOMENTUM) {
      const u = f64x2.add(f64x2.mul(MU, ld2(at(s1, i))), g);
      store2d(at(s1, i), u);
      step = f64x2.mul(LR, nesterov ? f64x2.add(g, f64x2.mul(MU, u)) : u);
    } else {
      const m = f64x2.add(f64x2.mul(B1, ld2(at(s1, i))), f64x2.mul(OB1, g));
      const v = f64x2.add(f64x2.mul(B2, ld2(at(s2, i))), f64x2.mul(f64x2.mul(OB2, g), g));
      store2d(at(s1, i), m);
      store2d(at(s2, i), v);
      step = f64x2.div(f64x2.mul(LR, f64x2.div(m, C1)), f64x2.add(f64x2.sqrt(f64x2.div(v, C2)), EPS));
    }
    store2d(at(th, i), f64x2.sub(q, step));
  }
  for (; i < i1; i++) {
    const g = grad1(at(d, i), scaled, s);
    const q0 = load<f32>(at(th, i));
    if (sv != 0) store<f32>(at(sv, i), q0);
    const q = <f64>q0;
    let step: f64;
    if (rule == R_SGD) step = lr * g;
    else if (rule == R_MOMENTUM) {
      const u = mu * <f64>load<f32>(at(s1, i)) + g;
      store<f32>(at(s1, i), <f32>u);
      step = lr * (nesterov ? g + mu * u : u);
    } else {
      const m = b1 * <f64>load<f32>(at(s1, i)) + (1 - b1) * g;
      const v = b2 * <f64>load<f32>(at(s2, i)) + (1 - b2) * g * g;
      store<f32>(at(s1, i), <f32>m);
      store<f32>(at(s2, i), <f32>v);
      step = (lr * (m / c1)) / (Math.sqrt(v / c2) + eps);
    }
    store<f32>(at(th, i), <f32>(q - step));
  }
}

function updateRange(p: usize, i0: i32, i1: i32): void {
  const rule = I(p, 1), scaled = I(p, 2) != 0, nesterov = I(p, 3) != 0;
  if (rule == R_SGD) {
    if (scaled) updateLoop(R_SGD, true, false, p, i0, i1);
    else updateLoop(R_SGD, false, false, p, i0, i1);
  } else if (rule == R_MOMENTUM) {
    if (scaled) {
      if (nesterov) updateLoop(R_MOMENTUM, true, true, p, i0, i1);
      else updateLoop(R_MOMENTUM, true, false, p, i0, i1);
    } else if (nesterov) updateLoop(R_MOMENTUM, false, true, p, i0, i1);
    else updateLoop(R_MOMENTUM, false, false, p, i0, i1);
  } else if (scaled) updateLoop(2, true, false, p, i0, i1);
  else updateLoop(2, false, false, p, i0, i1);
}
