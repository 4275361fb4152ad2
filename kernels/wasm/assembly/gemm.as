// SGEMM microkernels over JS-managed linear memory (all pointers are byte addresses).
// Layout: op(A) is packed in blocks of 4 rows, [block][p][4]; op(B) in panels of 8 columns,
// [panel][p][8]; C is a row-major buffer with padded width, so the 4×8 tile never needs an edge case.
// 4×8 is the largest tile whose 8 accumulators + 2 B vectors + A splats fit V8's 15 free v128
// registers without spilling (see shared/CPU-KERNELS.md).

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** Packs op(A) (m×k; element (i,p) = trans ? src[p·ld+i] : src[i·ld+p]) into 4-row blocks, zero-padding rows ≥ m. */
export function packA(src: usize, ld: i32, trans: i32, m: i32, k: i32, dst: usize): void {
  const blocks = (m + 3) >> 2;
  for (let blk = 0; blk < blocks; blk++) {
    const i0 = blk << 2;
    const d = dst + (<usize>blk * <usize>k << 4);
    if (trans) {
      if (i0 + 4 <= m) {
        for (let p = 0; p < k; p++) v128.store(d + (<usize>p << 4), v128.load(src + ((<usize>p * ld + i0) << 2)));
      } else {
        for (let p = 0; p < k; p++) {
          for (let r = 0; r < 4; r++) {
            const i = i0 + r;
            store<f32>(d + ((<usize>p << 2) + r << 2), i < m ? load<f32>(src + ((<usize>p * ld + i) << 2)) : 0);
          }
        }
      }
    } else if (i0 + 4 <= m) {
      // Four rows at a time, 4×4 transposes: one v128 load and store per row instead of 4 scalar ones.
      const r0 = src + (<usize>i0 * ld << 2), rs = <usize>ld << 2;
      let p = 0;
      for (; p + 4 <= k; p += 4) {
        const s = r0 + (<usize>p << 2);
        transpose4(d + (<usize>p << 4), 16, v128.load(s), v128.load(s + rs), v128.load(s + 2 * rs), v128.load(s + 3 * rs));
      }
      for (; p < k; p++) {
        for (let r = 0; r < 4; r++) store<f32>(d + ((<usize>p << 2) + r << 2), load<f32>(r0 + <usize>r * rs + (<usize>p << 2)));
      }
    } else {
      for (let r = 0; r < 4; r++) {
        const i = i0 + r;
        const row = src + (<usize>i * ld << 2);
        if (i < m) {
          for (let p = 0; p < k; p++) store<f32>(d + ((<usize>p << 2) + r << 2), load<f32>(row + (<usize>p << 2)));
        } else {
          for (let p = 0; p < k; p++) store<f32>(d + ((<usize>p << 2) + r << 2), 0);
        }
      }
    }
  }
}

/** Stores the transpose of rows x0..x3 (4 floats each): column q goes to o + q·stride. */
// @ts-ignore: decorator
@inline function transpose4(o: usize, stride: usize, x0: v128, x1: v128, x2: v128, x3: v128): void {
  const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
  v128.store(o, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(o + stride, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(o + 2 * stride, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(o + 3 * stride, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

/** Packs panels [panel0, panel1) of op(B) (k×n; element (p,j) = trans ? src[j·ld+p] : src[p·ld+j]), zero-padding columns ≥ n. */
export function packB(src: usize, ld: i32, trans: i32, k: i32, n: i32, panel0: i32, panel1: i32, dst: usize): void {
  // Full panels of a row-major B: blocks of 16 rows, so the reads stay within a few KB of rows
  // instead of striding through all k rows per panel (which thrashed the cache, ~3× slower).
  const full = min(panel1, n >> 3);
  if (!trans && panel0 < full) {
    for (let p0 = 0; p0 < k; p0 += 16) {
      const p1 = min(p0 + 16, k);
      for (let panel = panel0; panel < full; panel++) {
        const d = dst + (<usize>panel * <usize>k << 5);
        for (let p = p0; p < p1; p++) {
          const s = src + ((<usize>p * ld + (panel << 3)) << 2);
          const o = d + (<usize>p << 5);
          v128.store(o, v128.load(s));
          v128.store(o, v128.load(s, 16), 16);
        }
      }
    }
    panel0 = full;
  }
  for (let panel = panel0; panel < panel1; panel++) {
    const j0 = panel << 3;
    const d = dst + (<usize>panel * <usize>k << 5);
    if (trans && j0 + 8 <= n) {
      // Eight stored rows, four k steps at a time: two 4×4 transposes, one v128 store per half-row.
      const r0 = src + (<usize>j0 * ld << 2), rs = <usize>ld << 2;
      let p = 0;
      for (; p + 4 <= k; p += 4) {
        const s = r0 + (<usize>p << 2);
        const o = d + (<usize>p << 5);
        transpose4(o, 32, v128.load(s), v128.load(s + rs), v128.load(s + 2 * rs), v128.load(s + 3 * rs));
        const s4 = s + 4 * rs;
        transpose4(o + 16, 32, v128.load(s4), v128.load(s4 + rs), v128.load(s4 + 2 * rs), v128.load(s4 + 3 * rs));
      }
      for (; p < k; p++) {
        for (let c = 0; c < 8; c++) store<f32>(d + ((<usize>p << 3) + c << 2), load<f32>(r0 + <usize>c * rs + (<usize>p << 2)));
      }
    } else if (trans) {
      for (let c = 0; c < 8; c++) {
        const j = j0 + c;
        const col = src + (<usize>j * ld << 2);
        if (j < n) {
          for (let p = 0; p < k; p++) store<f32>(d + ((<usize>p << 3) + c << 2), load<f32>(col + (<usize>p << 2)));
        } else {
          for (let p = 0; p < k; p++) store<f32>(d + ((<usize>p << 3) + c << 2), 0);
        }
      }
    } else if (j0 + 8 <= n) {
      for (let p = 0; p < k; p++) {
        const s = src + ((<usize>p * ld + j0) << 2);
        const o = d + (<usize>p << 5);
        v128.store(o, v128.load(s));
        v128.store(o, v128.load(s, 16), 16);
      }
    } else {
      for (let p = 0; p < k; p++) {
        for (let c = 0; c < 8; c++) {
          const j = j0 + c;
          store<f32>(d + ((<usize>p << 3) + c << 2), j < n ? load<f32>(src + ((<usize>p * ld + j) << 2)) : 0);
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline function storeRow(c: usize, lo: v128, hi: v128, alpha: v128, beta: v128, accumulate: bool): void {
  if (accumulate) {
    v128.store(c, madd(beta, v128.load(c), f32x4.mul(alpha, lo)));
    v128.store(c, madd(beta, v128.load(c, 16), f32x4.mul(alpha, hi)), 16);
  } else {
    v128.store(c, f32x4.mul(alpha, lo));
    v128.store(c, f32x4.mul(alpha, hi), 16);
  }
}

/** C[block rows, panel cols] = alpha·Ap·Bp + beta·C for row blocks [0, blocks) and panels [panel0, panel1); ldc in floats. */
export function kernel(pa: usize, pb: usize, pc: usize, ldc: i32, blocks: i32, panel0: i32, panel1: i32, k: i32, alpha: f32, beta: f32): void {
  tiles(pa, pb, pc, ldc, blocks, panel0, panel1, k, alpha, beta, 0, 0, false);
}

/**
 * `kernel` that also packs op(B) into pb as it goes: src is a row-major op(B) (ld floats per row), every panel in
 * the range a full 8 columns. Row block 0 reads each panel where B is and stores it while multiplying it, every
 * second panel also the next one (the other half of each 64-byte line it reads), so B is read once and no separate
 * packB pass goes through memory; the later row blocks read the packed panel. Same bits as packB + kernel.
 */
export function kernelPackB(pa: usize, pb: usize, pc: usize, ldc: i32, blocks: i32, panel0: i32, panel1: i32, k: i32, alpha: f32, beta: f32, src: usize, ld: i32): void {
  tiles(pa, pb, pc, ldc, blocks, panel0, panel1, k, alpha, beta, src, ld, true);
}

// One body for both (inlined with `packing` constant, so `kernel` carries no packing branch: with it, tiles of a
// small k ran 9% slower).
// @ts-ignore: decorator
@inline function tiles(pa: usize, pb: usize, pc: usize, ldc: i32, blocks: i32, panel0: i32, panel1: i32, k: i32, alpha: f32, beta: f32, src: usize, ld: i32, packing: bool): void {
  const va = f32x4.splat(alpha);
  const vb = f32x4.splat(beta);
  const accumulate = beta != 0;
  const rowBytes = <usize>ldc << 2;
  const srcRow = <usize>ld << 2;
  const panelBytes = <usize>k << 5;
  // Groups of 16 row blocks (64 rows) keep a slice of packed A in L2 while each B panel stays in L1.
  for (let g0 = 0; g0 < blocks; g0 += 16) {
    const g1 = min(g0 + 16, blocks);
    for (let panel = panel0; panel < panel1; panel++) {
      const bp = pb + <usize>panel * panelBytes;
      const even = ((panel - panel0) & 1) == 0;
      for (let blk = g0; blk < g1; blk++) {
        let a = pa + (<usize>blk * <usize>k << 4);
        let b = bp;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
        let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
        let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
        let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
        if (packing && blk == 0 && even) {
          const pair = panel + 1 < panel1;
          let s = src + (<usize>panel << 5);
          for (let p = 0; p < k; p++) {
            const b0 = v128.load(s);
            const b1 = v128.load(s, 16);
            v128.store(b, b0);
            v128.store(b, b1, 16);
            if (pair) {
              v128.store(b + panelBytes, v128.load(s, 32));
              v128.store(b + panelBytes, v128.load(s, 48), 16);
            }
            let x = v128.load32_splat(a);
            c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
            x = v128.load32_splat(a, 4);
            c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
            x = v128.load32_splat(a, 8);
            c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
            x = v128.load32_splat(a, 12);
            c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
            a += 16;
            b += 32;
            s += srcRow;
          }
        } else {
          for (let p = 0; p < k; p++) {
            const b0 = v128.load(b);
            const b1 = v128.load(b, 16);
            let x = v128.load32_splat(a);
            c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
            x = v128.load32_splat(a, 4);
            c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
            x = v128.load32_splat(a, 8);
            c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
            x = v128.load32_splat(a, 12);
            c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
            a += 16;
            b += 32;
          }
        }
        const c = pc + (<usize>(blk << 2) * rowBytes) + (<usize>panel << 5);
        storeRow(c, c00, c01, va, vb, accumulate);
        storeRow(c + rowBytes, c10, c11, va, vb, accumulate);
        storeRow(c + 2 * rowBytes, c20, c21, va, vb, accumulate);
        storeRow(c + 3 * rowBytes, c30, c31, va, vb, accumulate);
      }
    }
  }
}
