// Direct NCHW convolution as an indirect GEMM (no im2col buffer): each image is transposed to
// [pixel][channel] (followed by a zero run of c floats, the padding's source), an indirection table
// gives, for every output pixel and kernel tap, the byte offset from the transposed image of the
// input pixel's channel run (or of the zero run) — the same for every image, so it is built once
// per call — and a 4-pixel × 8-output-channel microkernel walks those runs against the weights
// packed as [panel][tap][c][8].
// `params` points to i32s: c, h, w, kh, kw, strideH, strideW, padH, padW, outW, nPix, pixPad,
// group stride (bytes), panels, accumulate, panels per group (see kernels/wasm/conv2d.ts, which
// writes them): output channels come in groups (the K weight tangents of one conv), group g's
// planes lie g·(group stride) bytes after the image's y.

// @ts-ignore: decorator
@inline function madd4(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** Packs w[o][c][kh][kw] into panels of 8 output channels, [panel][tap][c][8], zero-padding o. */
export function convPackW(w: usize, o: i32, c: i32, taps: i32, dst: usize): void {
  const panels = (o + 7) >> 3;
  for (let panel = 0; panel < panels; panel++) {
    for (let t = 0; t < taps; t++) {
      for (let ch = 0; ch < c; ch++) {
        const d = dst + ((((<usize>panel * taps + t) * c + ch) << 3) << 2);
        for (let r = 0; r < 8; r++) {
          const oc = (panel << 3) + r;
          store<f32>(d + (<usize>r << 2), oc < o ? load<f32>(w + ((<usize>(oc * c + ch) * taps + t) << 2)) : 0);
        }
      }
    }
  }
}

/** The indirection table at ind: per output pixel (pixPad of them) and tap, the byte offset from an image's xT. */
export function convIndex(params: usize, ind: usize): void {
  const c = load<i32>(params), h = load<i32>(params, 4), w = load<i32>(params, 8);
  const kh = load<i32>(params, 12), kw = load<i32>(params, 16), sh = load<i32>(params, 20), sw = load<i32>(params, 24);
  const ph = load<i32>(params, 28), pw = load<i32>(params, 32), outW = load<i32>(params, 36);
  const nPix = load<i32>(params, 40), pixPad = load<i32>(params, 44);
  const zero = (h * w * c) << 2;
  let e = ind;
  for (let q = 0; q < pixPad; q++) {
    const oy = q / outW, ox = q % outW;
    for (let ki = 0; ki < kh; ki++) {
      const iy = oy * sh + ki - ph;
      for (let kj = 0; kj < kw; kj++) {
        const ix = ox * sw + kj - pw;
        const inside = q < nPix && iy >= 0 && iy < h && ix >= 0 && ix < w;
        store<i32>(e, inside ? ((iy * w + ix) * c) << 2 : zero);
        e += 4;
      }
    }
  }
}

/** Transposes one image [c][h·w] at x to [h·w][c] at xT, followed by c zeros. */
export function convPrep(params: usize, x: usize, xT: usize): void {
  const c = load<i32>(params), h = load<i32>(params, 4), w = load<i32>(params, 8);
  const hw = h * w;
  // 4 channels × 4 pixels at a time through a register transpose (the scalar strided stores cost
  // as much as a sixth of the convolution at the CNN's sizes); the channel and pixel tails scalar.
  const c4 = c & ~3, hw4 = hw & ~3;
  const rowBytes = <usize>hw << 2, pixBytes = <usize>c << 2;
  for (let ch = 0; ch < c4; ch += 4) {
    const src = x + (<usize>(ch * hw) << 2);
    for (let s = 0; s < hw4; s += 4) {
      const a = src + (<usize>s << 2);
      const r0 = v128.load(a), r1 = v128.load(a + rowBytes);
      const r2 = v128.load(a + 2 * rowBytes), r3 = v128.load(a + 3 * rowBytes);
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const d = xT + (<usize>(s * c + ch) << 2);
      v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(d + pixBytes, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(d + 2 * pixBytes, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(d + 3 * pixBytes, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    }
    for (let k = 0; k < 4; k++)
      for (let s = hw4; s < hw; s++)
        store<f32>(xT + (<usize>(s * c + ch + k) << 2), load<f32>(src + (<usize>(k * hw + s) << 2)));
  }
  for (let ch = c4; ch < c; ch++) {
    const src = x + (<usize>(ch * hw) << 2);
    for (let s = 0; s < hw; s++) store<f32>(xT + (<usize>(s * c + ch) << 2), load<f32>(src + (<usize>s << 2)));
  }
  memory.fill(xT + (<usize>(hw * c) << 2), 0, <usize>c << 2);
}

// @ts-ignore: decorator
@inline function put(y: usize, v: v128, acc: bool): void {
  // y += v is one float32 add per element: the same bits as adding a separately computed conv.
  v128.store(y, acc ? f32x4.add(v128.load(y), v) : v);
}

// @ts-ignore: decorator
@inline function store4x4(y: usize, rowBytes: usize, a: v128, b: v128, c: v128, d: v128, acc: bool): void {
  // Transposes pixels × channels to channels × pixels: row j of the output holds channel j.
  const t0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), t1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(c, d, 0, 4, 1, 5), t3 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
  put(y, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), acc);
  put(y + rowBytes, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), acc);
  put(y + 2 * rowBytes, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), acc);
  put(y + 3 * rowBytes, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), acc);
}

/** y[o][pixel] (+)= for pixel blocks [blk0, blk1) of the image transposed at xT; y rows are pixPad floats long. */
export function convKernel(params: usize, ind: usize, pw: usize, xT: usize, y: usize, blk0: i32, blk1: i32): void {
  const c = load<i32>(params), taps = load<i32>(params, 12) * load<i32>(params, 16);
  const pixPad = load<i32>(params, 44), panels = load<i32>(params, 52), acc = load<i32>(params, 56) != 0;
  const groupStride = <usize>load<i32>(params, 48), groupPanels = load<i32>(params, 60);
  const rowBytes = <usize>pixPad << 2;
  const panelBytes = <usize>(taps * c) << 5;
  for (let panel = 0; panel < panels; panel++) {
    const wp = pw + <usize>panel * panelBytes;
    for (let blk = blk0; blk < blk1; blk++) {
      const row = ind + (<usize>(blk * 4 * taps) << 2);
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      let wq = wp;
      for (let t = 0; t < taps; t++) {
        let p0 = xT + <usize>load<i32>(row + (<usize>t << 2));
        let p1 = xT + <usize>load<i32>(row + (<usize>(taps + t) << 2));
        let p2 = xT + <usize>load<i32>(row + (<usize>(2 * taps + t) << 2));
        let p3 = xT + <usize>load<i32>(row + (<usize>(3 * taps + t) << 2));
        for (let ch = 0; ch < c; ch++) {
          const b0 = v128.load(wq);
          const b1 = v128.load(wq, 16);
          let s = v128.load32_splat(p0);
          c00 = madd4(s, b0, c00); c01 = madd4(s, b1, c01);
          s = v128.load32_splat(p1);
          c10 = madd4(s, b0, c10); c11 = madd4(s, b1, c11);
          s = v128.load32_splat(p2);
          c20 = madd4(s, b0, c20); c21 = madd4(s, b1, c21);
          s = v128.load32_splat(p3);
          c30 = madd4(s, b0, c30); c31 = madd4(s, b1, c31);
          p0 += 4; p1 += 4; p2 += 4; p3 += 4;
          wq += 32;
        }
      }
      const g = panel / groupPanels;
      const out = y + <usize>g * groupStride + (<usize>((panel - g * groupPanels) << 3) * rowBytes) + (<usize>blk << 4);
      store4x4(out, rowBytes, c00, c10, c20, c30, acc);
      store4x4(out + 4 * rowBytes, rowBytes, c01, c11, c21, c31, acc);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// One input channel, 3×3, stride 1 (the CNN's first layer): with c = 1 the indirect kernel's
// channel runs are one float long, so here pixels are the vector lanes instead. Each image is
// copied into a zero-bordered buffer (rows wp floats), so every tap of 4 neighbouring outputs is
// one unaligned load; per 4 outputs the 9 input vectors stay in registers and each output channel
// costs 9 weight splats and 9 multiply-adds, summed in tap order from zero like the gemm kernel's
// k loop (so the bits are those of im2col + gemm). A row's last partial vector is recomputed at
// ox = outW − 4 (the same values again; when accumulating, the lanes done already are kept), so
// outW ≥ 4 is needed. `params`: i32 h, w, ph, pw, outH, outW, hp, wp, accumulate, group size
// (output channels), group stride (bytes), as in convKernel.

/** Copies image x [h][w] into xp [hp][wp] at (ph, pw), zeros elsewhere. */
export function conv1Prep(params: usize, x: usize, xp: usize): void {
  const h = load<i32>(params), w = load<i32>(params, 4), ph = load<i32>(params, 8), pw = load<i32>(params, 12);
  const hp = load<i32>(params, 24), wp = load<i32>(params, 28);
  memory.fill(xp, 0, <usize>(hp * wp) << 2);
  for (let r = 0; r < h; r++)
    memory.copy(xp + (<usize>((r + ph) * wp + pw) << 2), x + (<usize>(r * w) << 2), <usize>w << 2);
}

/** y[o][oy][ox] (+)= Σ_tap wt[o][tap]·xp[oy + ki][ox + kj] for output channels [o0, o1) of one image. */
export function conv1Kernel(params: usize, xp: usize, wt: usize, y: usize, o0: i32, o1: i32): void {
  const outH = load<i32>(params, 16), outW = load<i32>(params, 20), wp = load<i32>(params, 28);
  const acc = load<i32>(params, 32) != 0, groupO = load<i32>(params, 36), groupStride = <usize>load<i32>(params, 40);
  const rowBytes = <usize>wp << 2;
  const zero = f32x4.splat(0);
  // One output plane at a time (sequential stores), its 9 weights splatted in registers; the
  // padded image (a few KB) stays in L1 across the planes.
  for (let o = o0; o < o1; o++) {
    const wq = wt + (<usize>(o * 9) << 2);
    const w0 = v128.load32_splat(wq), w1 = v128.load32_splat(wq, 4), w2 = v128.load32_splat(wq, 8);
    const w3 = v128.load32_splat(wq, 12), w4 = v128.load32_splat(wq, 16), w5 = v128.load32_splat(wq, 20);
    const w6 = v128.load32_splat(wq, 24), w7 = v128.load32_splat(wq, 28), w8 = v128.load32_splat(wq, 32);
    const g = o / groupO;
    let yrow = y + <usize>g * groupStride + (<usize>((o - g * groupO) * outH * outW) << 2);
    for (let oy = 0; oy < outH; oy++, yrow += <usize>outW << 2) {
      const r0 = xp + <usize>oy * rowBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes;
      for (let ox = 0; ox < outW; ox += 4) {
        // The recomputed last vector: its first `again` lanes were written already (and, when
        // accumulating, added to), so they keep what they have.
        let again = 0;
        if (ox > outW - 4) {
          again = ox - (outW - 4);
          ox = outW - 4;
        }
        const b = <usize>ox << 2;
        let s = madd4(w0, v128.load(r0 + b), zero);
        s = madd4(w1, v128.load(r0 + b + 4), s);
        s = madd4(w2, v128.load(r0 + b + 8), s);
        s = madd4(w3, v128.load(r1 + b), s);
        s = madd4(w4, v128.load(r1 + b + 4), s);
        s = madd4(w5, v128.load(r1 + b + 8), s);
        s = madd4(w6, v128.load(r2 + b), s);
        s = madd4(w7, v128.load(r2 + b + 4), s);
        s = madd4(w8, v128.load(r2 + b + 8), s);
        const yq = yrow + b;
        if (acc) {
          const old = v128.load(yq);
          const keep = i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(again));
          v128.store(yq, v128.bitselect(old, f32x4.add(old, s), keep));
        } else v128.store(yq, s);
      }
    }
  }
}
