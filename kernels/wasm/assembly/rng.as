// The counter-based generator's kernels: Philox-4x32-10 on 16 blocks at once (four i32x4 groups,
// one lane per block), as raw words (`philox`, what every fill of kernels/rng.ts draws from) and as standard
// normals for float32 buffers (`normals`: Box–Muller in float32x4 with polynomial log and sin/cos)
// and as ±1 floats (`rademacher`: one bit per element).
// Word layout and pairing are those of kernels/rng.ts, whose philox4x32 is the JavaScript
// reference of the same rounds: element 2j, 2j+1 = r·cos θ, r·sin θ from words 2j (radius) and
// 2j+1 (angle), u = (w + 0.5)·2^-32. Own module (rng.wasm) over its own small shared memory, which
// kernels/rng-helper.ts shares with one helper thread. It has no data segments, globals or start
// function and touches only the addresses it is given, so kernels/rng.ts also instantiates it over
// the wasm backend's memory to write fills straight into tensors stored there.

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
 * Philox-4x32-10 of the 16 blocks b … b+15 (b = bhi·2^32 + blo) of stream (s0, s1) under key
 * (k0, k1), as four groups of four (group j: lane i = block b + 4j + i). Stores word k of group j
 * (one v128) at p + 64j + 16k for the first `groups` (1 … 4) groups. Four independent groups per
 * round: one group's rounds are a chain of dependent multiplies and shuffles, and interleaving
 * four keeps the SIMD units busy (1.6× the words of one group at a time, bench/NOTES.md).
 */
// @ts-ignore: decorator
@inline function philoxTile(k0: u32, k1: u32, s0: u32, s1: u32, blo: u32, bhi: u32, groups: i32, p: usize): void {
  const m0 = i32x4.splat(M0), m1 = i32x4.splat(M1), lo = i32x4.splat(blo), hi = i32x4.splat(bhi);
  // counters: low word b + 4j + lane, carrying into the high word
  let a0 = i32x4.add(lo, i32x4(0, 1, 2, 3)), b0 = i32x4.add(lo, i32x4(4, 5, 6, 7));
  let c0 = i32x4.add(lo, i32x4(8, 9, 10, 11)), d0 = i32x4.add(lo, i32x4(12, 13, 14, 15));
  let a1 = i32x4.sub(hi, i32x4.lt_u(a0, lo)), b1 = i32x4.sub(hi, i32x4.lt_u(b0, lo));
  let c1 = i32x4.sub(hi, i32x4.lt_u(c0, lo)), d1 = i32x4.sub(hi, i32x4.lt_u(d0, lo));
  let a2 = i32x4.splat(s0), a3 = i32x4.splat(s1);
  let b2 = a2, b3 = a3, c2 = a2, c3 = a3, d2 = a2, d3 = a3;
  let key0 = k0, key1 = k1;
  for (let r = 0; r < 10; r++) {
    // 32×32→64-bit products of four lanes: two extmuls each, then split hi/lo words with shuffles
    const ka = i32x4.splat(key0), kb = i32x4.splat(key1);
    const al0 = i64x2.extmul_low_i32x4_u(a0, m0), ah0 = i64x2.extmul_high_i32x4_u(a0, m0);
    const al2 = i64x2.extmul_low_i32x4_u(a2, m1), ah2 = i64x2.extmul_high_i32x4_u(a2, m1);
    const bl0 = i64x2.extmul_low_i32x4_u(b0, m0), bh0 = i64x2.extmul_high_i32x4_u(b0, m0);
    const bl2 = i64x2.extmul_low_i32x4_u(b2, m1), bh2 = i64x2.extmul_high_i32x4_u(b2, m1);
    const cl0 = i64x2.extmul_low_i32x4_u(c0, m0), ch0 = i64x2.extmul_high_i32x4_u(c0, m0);
    const cl2 = i64x2.extmul_low_i32x4_u(c2, m1), ch2 = i64x2.extmul_high_i32x4_u(c2, m1);
    const dl0 = i64x2.extmul_low_i32x4_u(d0, m0), dh0 = i64x2.extmul_high_i32x4_u(d0, m0);
    const dl2 = i64x2.extmul_low_i32x4_u(d2, m1), dh2 = i64x2.extmul_high_i32x4_u(d2, m1);
    // (x0, x1, x2, x3) ← (hi(x2·M1) ^ x1 ^ key0, lo(x2·M1), hi(x0·M0) ^ x3 ^ key1, lo(x0·M0))
    a0 = v128.xor(v128.xor(v128.shuffle<i32>(al2, ah2, 1, 3, 5, 7), a1), ka); a1 = v128.shuffle<i32>(al2, ah2, 0, 2, 4, 6);
    a2 = v128.xor(v128.xor(v128.shuffle<i32>(al0, ah0, 1, 3, 5, 7), a3), kb); a3 = v128.shuffle<i32>(al0, ah0, 0, 2, 4, 6);
    b0 = v128.xor(v128.xor(v128.shuffle<i32>(bl2, bh2, 1, 3, 5, 7), b1), ka); b1 = v128.shuffle<i32>(bl2, bh2, 0, 2, 4, 6);
    b2 = v128.xor(v128.xor(v128.shuffle<i32>(bl0, bh0, 1, 3, 5, 7), b3), kb); b3 = v128.shuffle<i32>(bl0, bh0, 0, 2, 4, 6);
    c0 = v128.xor(v128.xor(v128.shuffle<i32>(cl2, ch2, 1, 3, 5, 7), c1), ka); c1 = v128.shuffle<i32>(cl2, ch2, 0, 2, 4, 6);
    c2 = v128.xor(v128.xor(v128.shuffle<i32>(cl0, ch0, 1, 3, 5, 7), c3), kb); c3 = v128.shuffle<i32>(cl0, ch0, 0, 2, 4, 6);
    d0 = v128.xor(v128.xor(v128.shuffle<i32>(dl2, dh2, 1, 3, 5, 7), d1), ka); d1 = v128.shuffle<i32>(dl2, dh2, 0, 2, 4, 6);
    d2 = v128.xor(v128.xor(v128.shuffle<i32>(dl0, dh0, 1, 3, 5, 7), d3), kb); d3 = v128.shuffle<i32>(dl0, dh0, 0, 2, 4, 6);
    key0 += W0; key1 += W1;
  }
  v128.store(p, a0); v128.store(p, a1, 16); v128.store(p, a2, 32); v128.store(p, a3, 48);
  if (groups > 1) { v128.store(p, b0, 64); v128.store(p, b1, 80); v128.store(p, b2, 96); v128.store(p, b3, 112); }
  if (groups > 2) { v128.store(p, c0, 128); v128.store(p, c1, 144); v128.store(p, c2, 160); v128.store(p, c3, 176); }
  if (groups > 3) { v128.store(p, d0, 192); v128.store(p, d1, 208); v128.store(p, d2, 224); v128.store(p, d3, 240); }
}

/** Writes the 16·groups words of blocks b … b + 4·groups − 1 (b = bhi·2^32 + blo) at dst, in element order. */
export function philox(k0: u32, k1: u32, s0: u32, s1: u32, blo: u32, bhi: u32, groups: i32, dst: usize): void {
  for (let g = 0; g < groups; g += 4) {
    const p = dst + (<usize>g << 6), n = min(4, groups - g);
    philoxTile(k0, k1, s0, s1, blo, bhi, n, p);
    for (let j = 0; j < n; j++) transpose(p + (<usize>j << 6));
    const next = blo + 16;
    if (next < blo) bhi++;
    blo = next;
  }
}

/**
 * Writes the 16·groups normals of blocks b … b + 4·groups − 1 (b = bhi·2^32 + blo) of stream
 * (s0, s1) under key (k0, k1) at dst, in element order: the words of up to four groups are
 * generated into their own output slots, then replaced by their normals.
 */
export function normals(k0: u32, k1: u32, s0: u32, s1: u32, blo: u32, bhi: u32, groups: i32, dst: usize): void {
  for (let g = 0; g < groups; g += 4) {
    const p = dst + (<usize>g << 6), n = min(4, groups - g);
    philoxTile(k0, k1, s0, s1, blo, bhi, n, p);
    for (let j = 0; j < n; j++) {
      const q = p + (<usize>j << 6);
      emit(v128.load(q), v128.load(q, 16), v128.load(q, 32), v128.load(q, 48), q);
    }
    const next = blo + 16;
    if (next < blo) bhi++;
    blo = next;
  }
}

/**
 * ±1 for the 32 bits of each of four words (lanes of w) at p: lane l's word makes the 32 floats at
 * p + 128·l, float j = +1 where bit j is set, else −1. Multiplying by 2^(3−j) moves bit 4k + j of
 * lane j of a splat to bit 31 − (28 − 4k), so one shift per 4 floats brings it to the sign bit.
 */
// @ts-ignore: decorator
@inline function signs(w: v128, p: usize): void {
  const step = i32x4(8, 4, 2, 1), sign = i32x4.splat(0x80000000), minusOne = i32x4.splat(0xbf800000);
  for (let l = 0; l < 4; l++) {
    const m = i32x4.mul(i32x4.splat(i32x4.extract_lane(w, 0)), step);
    const q = p + (<usize>l << 7);
    // bit set: sign bit set, 0xbf800000 ^ 0x80000000 = +1; clear: −1
    v128.store(q, v128.xor(v128.and(i32x4.shl(m, 28), sign), minusOne));
    v128.store(q, v128.xor(v128.and(i32x4.shl(m, 24), sign), minusOne), 16);
    v128.store(q, v128.xor(v128.and(i32x4.shl(m, 20), sign), minusOne), 32);
    v128.store(q, v128.xor(v128.and(i32x4.shl(m, 16), sign), minusOne), 48);
    v128.store(q, v128.xor(v128.and(i32x4.shl(m, 12), sign), minusOne), 64);
    v128.store(q, v128.xor(v128.and(i32x4.shl(m, 8), sign), minusOne), 80);
    v128.store(q, v128.xor(v128.and(i32x4.shl(m, 4), sign), minusOne), 96);
    v128.store(q, v128.xor(v128.and(m, sign), minusOne), 112);
    w = v128.shuffle<i32>(w, w, 1, 2, 3, 0);
  }
}

/**
 * Writes the 512·groups Rademacher floats (±1) of blocks b … b + 4·groups − 1 (b = bhi·2^32 + blo)
 * at dst: element i is +1 where bit (i mod 32) of word ⌊i/32⌋ (element order) is set, else −1
 * (kernels/rng.ts). The words of up to four groups (≤ 256 bytes) are generated into the start of
 * their own output (2 KB per group) and expanded from the last four words back: words 4q … 4q+3
 * fill bytes 512q …, which for q ≥ 1 lie past every word and for q = 0 are read first.
 */
export function rademacher(k0: u32, k1: u32, s0: u32, s1: u32, blo: u32, bhi: u32, groups: i32, dst: usize): void {
  for (let g = 0; g < groups; g += 4) {
    const p = dst + (<usize>g << 11), n = min(4, groups - g);
    philoxTile(k0, k1, s0, s1, blo, bhi, n, p);
    for (let j = 0; j < n; j++) transpose(p + (<usize>j << 6));
    for (let q = (n << 2) - 1; q >= 0; q--) signs(v128.load(p + (<usize>q << 4)), p + (<usize>q << 9));
    const next = blo + 16;
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
