// The counter-based generator's kernels: Philox-4x32-10 on four blocks at once (one i32x4 lane per
// block), as raw words (`philox`, what every fill of kernels/rng.ts draws from) and as standard
// normals for float32 buffers (`normals`: Box–Muller in float32x4 with polynomial log and sin/cos).
// Word layout and pairing are those of kernels/rng.ts, whose philox4x32 is the JavaScript
// reference of the same rounds: element 2j, 2j+1 = r·cos θ, r·sin θ from words 2j (radius) and
// 2j+1 (angle), u = (w + 0.5)·2^-32. Own module (rng.wasm) over its own small shared memory, which
// kernels/rng-helper.ts shares with one helper thread.

// @ts-ignore: decorator
@inline const M0: u32 = 0xd2511f53;
// @ts-ignore: decorator
@inline const M1: u32 = 0xcd9e8d57;
// @ts-ignore: decorator
@inline const W0: u32 = 0x9e3779b9;
// @ts-ignore: decorator
@inline const W1: u32 = 0xbb67ae85;

/**
 * r = sqrt(−2 ln u), u = (a + 0.5)·2^-32, per u32 lane. ln u = e·ln2 + log1p(f), f ∈ [−0.293, 0.414],
 * with (e, f) taken exactly from a for u < ½ and from 1 − u = (~a + 0.5)·2^-32 for u ≥ ½ (so u near
 * 1, where r is small, keeps its relative accuracy). log1p(f) = 2·atanh(f/(2+f)) by its series.
 */
// @ts-ignore: decorator
@inline function radius(a: v128): v128 {
  const upper = i32x4.lt_s(a, i32x4.splat(0)); // u ≥ ½
  // u < ½: x = a + 0.5 = m·2^E, m ∈ [√½, √2)
  const x = f32x4.add(f32x4.convert_i32x4_s(a), f32x4.splat(0.5));
  let mb = v128.or(v128.and(x, i32x4.splat(0x7fffff)), i32x4.splat(0x3f800000));
  const big = i32x4.gt_s(mb, i32x4.splat(0x3fb504f3));
  mb = i32x4.sub(mb, v128.and(big, i32x4.splat(0x00800000)));
  const eA = i32x4.sub(i32x4.sub(i32x4.shr_u(x, 23), big), i32x4.splat(127 + 32));
  const fA = f32x4.sub(mb, f32x4.splat(1));
  // u ≥ ½: s = 1 − u; ln u = log1p(−s), or −ln2 + log1p(1 − 2s) when s > 1 − √½
  const s = f32x4.mul(f32x4.add(f32x4.convert_i32x4_s(v128.not(a)), f32x4.splat(0.5)), f32x4.splat(2.3283064365386963e-10));
  const far = f32x4.gt(s, f32x4.splat(0.29289321881));
  const fB = v128.bitselect(f32x4.sub(f32x4.splat(1), f32x4.add(s, s)), f32x4.neg(s), far);
  const f = v128.bitselect(fB, fA, upper);
  const e = f32x4.convert_i32x4_s(v128.bitselect(far, eA, upper)); // far is −1 or 0 as an integer
  const t = f32x4.div(f, f32x4.add(f32x4.splat(2), f));
  const z = f32x4.mul(t, t);
  let p = f32x4.add(f32x4.splat(1.0 / 9.0), f32x4.mul(z, f32x4.splat(1.0 / 11.0)));
  p = f32x4.add(f32x4.splat(1.0 / 7.0), f32x4.mul(z, p));
  p = f32x4.add(f32x4.splat(1.0 / 5.0), f32x4.mul(z, p));
  p = f32x4.add(f32x4.splat(1.0 / 3.0), f32x4.mul(z, p));
  const lg = f32x4.add(t, f32x4.mul(f32x4.mul(t, z), p)); // log1p(f) / 2
  // −2 ln u = −2e·ln2 − 2·log1p(f), ln2 split so e·LN2_HI is exact
  const lnu2 = f32x4.add(f32x4.mul(e, f32x4.splat(0.693359375)), f32x4.add(f32x4.mul(e, f32x4.splat(-2.12194440e-4)), f32x4.add(lg, lg)));
  return f32x4.sqrt(f32x4.mul(lnu2, f32x4.splat(-2)));
}

/**
 * Stores r·cos θ at p and r·sin θ at p+16, θ = 2π(b + 0.5)·2^-32: quadrant q and residual
 * x ∈ [−π/4, π/4] come from the integer b exactly, then minimax sin/cos polynomials on x.
 */
// @ts-ignore: decorator
@inline function polar(r: v128, b: v128, p: usize): void {
  const h = i32x4.add(b, i32x4.splat(0x20000000));
  const q = i32x4.shr_u(h, 30);
  const d = i32x4.sub(v128.and(h, i32x4.splat(0x3fffffff)), i32x4.splat(0x20000000));
  const x = f32x4.mul(f32x4.add(f32x4.convert_i32x4_s(d), f32x4.splat(0.5)), f32x4.splat(1.4629180792671596e-9)); // 2π/2^32
  const x2 = f32x4.mul(x, x);
  let sp = f32x4.add(f32x4.splat(8.3321608736e-3), f32x4.mul(x2, f32x4.splat(-1.9515295891e-4)));
  sp = f32x4.add(f32x4.splat(-1.6666654611e-1), f32x4.mul(x2, sp));
  const sn = f32x4.add(x, f32x4.mul(f32x4.mul(x, x2), sp));
  let cp = f32x4.add(f32x4.splat(-1.388731625493765e-3), f32x4.mul(x2, f32x4.splat(2.443315711809948e-5)));
  cp = f32x4.add(f32x4.splat(4.166664568298827e-2), f32x4.mul(x2, cp));
  const cs = f32x4.add(f32x4.sub(f32x4.splat(1), f32x4.mul(x2, f32x4.splat(0.5))), f32x4.mul(f32x4.mul(x2, x2), cp));
  const swap = i32x4.ne(v128.and(q, i32x4.splat(1)), i32x4.splat(0));
  const cosSign = i32x4.shl(v128.and(i32x4.add(q, i32x4.splat(1)), i32x4.splat(2)), 30);
  const sinSign = i32x4.shl(v128.and(q, i32x4.splat(2)), 30);
  v128.store(p, f32x4.mul(r, v128.xor(v128.bitselect(sn, cs, swap), cosSign)));
  v128.store(p, f32x4.mul(r, v128.xor(v128.bitselect(cs, sn, swap), sinSign)), 16);
}

/** 4×4 transpose of the u32s at p in place: word-major (one v128 per word) ↔ element order (one per block). */
// @ts-ignore: decorator
@inline function transpose(p: usize): void {
  const w0 = v128.load(p), w1 = v128.load(p, 16), w2 = v128.load(p, 32), w3 = v128.load(p, 48);
  const t0 = v128.shuffle<i32>(w0, w1, 0, 4, 1, 5), t1 = v128.shuffle<i32>(w0, w1, 2, 6, 3, 7);
  const t2 = v128.shuffle<i32>(w2, w3, 0, 4, 1, 5), t3 = v128.shuffle<i32>(w2, w3, 2, 6, 3, 7);
  v128.store(p, v128.shuffle<i64>(t0, t2, 0, 2));
  v128.store(p, v128.shuffle<i64>(t0, t2, 1, 3), 16);
  v128.store(p, v128.shuffle<i64>(t1, t3, 0, 2), 32);
  v128.store(p, v128.shuffle<i64>(t1, t3, 1, 3), 48);
}

/**
 * Normals of four blocks whose words are lanes of c0…c3 (lane j = block j), written in element
 * order at p (16 floats): block j's elements are (cos, sin) of (c0, c1) then of (c2, c3), lane j.
 */
// @ts-ignore: decorator
@inline function emit(c0: v128, c1: v128, c2: v128, c3: v128, p: usize): void {
  polar(radius(c0), c1, p);
  polar(radius(c2), c3, p + 32);
  transpose(p);
}

/**
 * Philox-4x32-10 of the four blocks b … b+3 (b = bhi·2^32 + blo, lane j = block b + j) of stream
 * (s0, s1) under key (k0, k1): stores word k of the four blocks (one v128 per k) at p + 16k.
 */
// @ts-ignore: decorator
@inline function philoxGroup(k0: u32, k1: u32, s0: u32, s1: u32, blo: u32, bhi: u32, p: usize): void {
  const m0 = i32x4.splat(M0), m1 = i32x4.splat(M1), lo = i32x4.splat(blo);
  let c0 = i32x4.add(lo, i32x4(0, 1, 2, 3));
  let c1 = i32x4.sub(i32x4.splat(bhi), i32x4.lt_u(c0, lo)); // carry into the high counter word
  let c2 = i32x4.splat(s0), c3 = i32x4.splat(s1);
  let a0 = k0, a1 = k1;
  for (let r = 0; r < 10; r++) { // 32×32→64-bit products of four lanes: two extmuls, then split hi/lo
    const pl0 = i64x2.extmul_low_i32x4_u(c0, m0), ph0 = i64x2.extmul_high_i32x4_u(c0, m0);
    const pl1 = i64x2.extmul_low_i32x4_u(c2, m1), ph1 = i64x2.extmul_high_i32x4_u(c2, m1);
    const hi0 = v128.shuffle<i32>(pl0, ph0, 1, 3, 5, 7), lo0 = v128.shuffle<i32>(pl0, ph0, 0, 2, 4, 6);
    const hi1 = v128.shuffle<i32>(pl1, ph1, 1, 3, 5, 7), lo1 = v128.shuffle<i32>(pl1, ph1, 0, 2, 4, 6);
    c0 = v128.xor(v128.xor(hi1, c1), i32x4.splat(a0)); c1 = lo1;
    c2 = v128.xor(v128.xor(hi0, c3), i32x4.splat(a1)); c3 = lo0;
    a0 += W0; a1 += W1;
  }
  v128.store(p, c0); v128.store(p, c1, 16); v128.store(p, c2, 32); v128.store(p, c3, 48);
}

/** Writes the 16·groups words of blocks b … b + 4·groups − 1 (b = bhi·2^32 + blo) at dst, in element order. */
export function philox(k0: u32, k1: u32, s0: u32, s1: u32, blo: u32, bhi: u32, groups: i32, dst: usize): void {
  for (let g = 0; g < groups; g++) {
    const p = dst + (<usize>g << 6);
    philoxGroup(k0, k1, s0, s1, blo, bhi, p);
    transpose(p);
    const next = blo + 4;
    if (next < blo) bhi++;
    blo = next;
  }
}

/**
 * Writes the 16·groups normals of blocks b … b + 4·groups − 1 (b = bhi·2^32 + blo) of stream
 * (s0, s1) under key (k0, k1) at dst, in element order: each group's words are generated into its
 * own output slot, then replaced by their normals.
 */
export function normals(k0: u32, k1: u32, s0: u32, s1: u32, blo: u32, bhi: u32, groups: i32, dst: usize): void {
  for (let g = 0; g < groups; g++) {
    const p = dst + (<usize>g << 6);
    philoxGroup(k0, k1, s0, s1, blo, bhi, p);
    emit(v128.load(p), v128.load(p, 16), v128.load(p, 32), v128.load(p, 48), p);
    const next = blo + 4;
    if (next < blo) bhi++;
    blo = next;
  }
}

/** Box–Muller of given words (16·groups u32 at src, element order) into dst: for tests of extremes. */
export function boxMuller(src: usize, groups: i32, dst: usize): void {
  for (let g = 0; g < groups; g++) {
    const s = src + (<usize>g << 6), p = dst + (<usize>g << 6);
    // rows are blocks; after the transpose (at dst) one v128 holds word k of each block
    v128.store(p, v128.load(s)); v128.store(p, v128.load(s, 16), 16);
    v128.store(p, v128.load(s, 32), 32); v128.store(p, v128.load(s, 48), 48);
    transpose(p);
    emit(v128.load(p), v128.load(p, 16), v128.load(p, 32), v128.load(p, 48), p);
  }
}
