// conv2d(x[N,C,H,W], w[O,C,kh,kw], { stride, padding }) in NCHW, and its JVP
// ẏ = conv(ẋ, w) + conv(x, ẇ). Two paths:
// - direct, when the backend has `conv2dNchw` (wasm): x and every ẋ_k go through w as ONE batch
//   (the paper's §6 idea; y and ẏ are stacked in one buffer, so [x; ẋ] stacked gives [y; ẏ]),
//   and x goes through all ẇ_k as ONE conv with K·O output channels, which the kernel adds into
//   the ẏ_k blocks in place (outGroups, accumulate).
// - im2col + gemm otherwise. Images go through in chunks (columns stay cache-sized); per chunk
//   the columns of x are built once and serve y and every x·ẇ_k, and each ẋ_k chunk is pushed
//   through the same w, accumulating onto x·ẇ_k.
// Reverse mode (conv2dVjp), through the same kernels:
// - w̄ = Σ_n ȳ_n·cols(x_n)ᵀ: im2col per image, then one gemm with transB (the packer reads colsᵀ in
//   place), accumulating over images (beta = 1);
// - x̄: with stride 1 and the direct kernel, x̄ = conv(ȳ, w') with w' the flipped, channel-swapped
//   filter (a tiny O·C·kh·kw copy) and padding k−1−p ("full" correlation); otherwise per image
//   cols = wᵀ·ȳ_n (gemm transA) scattered back by col2im.
import type { OpRule } from './rule';
import { hasConv2dNchw, type Conv2dArgs, type Conv2dNchwKernel, type CompleteBackend } from '../../kernels/backend';
import { acquire, release } from '../tensor/pool';
import { writeVersion } from '../tensor/version';
import { Tensor, empty, zerosPooled } from '../tensor/tensor';
import { checkOptions } from '../options';
import {
  JvpResult,
  Tangent,
  activeTensor,
  allocOut,
  backend,
  directions,
  expectTensor,
  isStacked,
  opError,
  pairOption,
  shapeStr,
} from './tangents';

export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
}
const CONV2D_OPTIONS = ['stride', 'padding'];

/** Floats of im2col columns per chunk: large enough for efficient gemm calls, small enough for cache. */
const CHUNK_FLOATS = 1 << 19;

interface Geometry {
  N: number;
  C: number;
  H: number;
  W: number;
  O: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  oh: number;
  ow: number;
}

/** The image and window extents every kernel call of one conv shares (Im2colArgs' and Conv2dArgs' common part). */
function windowOf(g: Geometry) {
  return {
    c: g.C,
    h: g.H,
    w: g.W,
    kh: g.kh,
    kw: g.kw,
    strideH: g.sh,
    strideW: g.sw,
    padH: g.ph,
    padW: g.pw,
    outH: g.oh,
    outW: g.ow,
  };
}

function geometry(x: Tensor, w: Tensor, options: Conv2dOptions | undefined): Geometry {
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw opError('conv2d', `options must be an object, got ${String(options)}`);
  checkOptions(options, CONV2D_OPTIONS, 'conv2d');
  const [sh, sw] = pairOption('conv2d', 'stride', options?.stride, 1);
  const [ph, pw] = pairOption('conv2d', 'padding', options?.padding, 0, true);
  if (x.rank !== 4 || w.rank !== 4 || x.shape[1] !== w.shape[1]) {
    throw opError(
      'conv2d',
      `expects x[N,C,H,W] and w[O,C,kh,kw] with the same C, got x${shapeStr(x.shape)} and w${shapeStr(w.shape)}`,
    );
  }
  const [N, C, H, W] = x.shape,
    [O, , kh, kw] = w.shape;
  const oh = Math.floor((H + 2 * ph - kh) / sh) + 1,
    ow = Math.floor((W + 2 * pw - kw) / sw) + 1;
  if (kh < 1 || kw < 1 || oh < 1 || ow < 1) {
    throw opError(
      'conv2d',
      `kernel ${kh}×${kw} does not fit input ${H}×${W} with padding ${ph},${pw} (x${shapeStr(x.shape)}, w${shapeStr(w.shape)})`,
    );
  }
  return { N, C, H, W, O, kh, kw, sh, sw, ph, pw, oh, ow };
}

export function conv2dJvp(x: Tensor, dx: Tangent, w: Tensor, dw: Tangent, options?: Conv2dOptions): JvpResult {
  expectTensor('conv2d', 'x', x);
  expectTensor('conv2d', 'w', w);
  const g = geometry(x, w, options);
  const dir = directions('conv2d', [x, dx], [w, dw]);
  const [y, dy] = allocOut([g.N, g.O, g.oh, g.ow], dir);
  // Zero-size extents never reach a kernel (backends disagree on them): no images or no outputs give an
  // empty y, and no input channels an empty sum, i.e. zeros.
  if (g.N === 0 || g.O === 0 || g.C === 0) {
    y.toArray().fill(0);
    dy?.toArray().fill(0);
    return [y, dy];
  }
  const tx = activeTensor(dx),
    tw = activeTensor(dw),
    D = dir.K;
  const k = backend();
  if (hasConv2dNchw(k)) {
    convDirect(k, g, x, tx, w, tw, D, y, dy);
    return [y, dy];
  }
  const P = g.oh * g.ow,
    CKK = g.C * g.kh * g.kw,
    img = g.C * g.H * g.W,
    out = g.O * P,
    wSize = g.O * CKK;
  const chunk = Math.max(1, Math.min(g.N, Math.floor(CHUNK_FLOATS / (CKK * P))));
  const colsX = acquire(chunk * CKK * P);
  const colsT = tx ? acquire(chunk * CKK * P) : undefined;

  // c consecutive images are, to im2col, one image of c·C channels (cols rows are channel-major, so
  // image i's rows follow image i − 1's): one call, and on a device one output texture that the
  // gemm after reads whole.
  const im2col = (src: Float32Array, srcOffset: number, n0: number, c: number, cols: Float32Array): void => {
    k.im2col({ x: src, xOffset: srcOffset + n0 * img, ...windowOf(g), c: c * g.C, cols, colsOffset: 0 });
  };
  // C[c images] (+)= A·cols_i for each image i of the chunk (A shared).
  const gemm = (
    a: Float32Array,
    aOffset: number,
    cols: Float32Array,
    bVersion: number,
    c: Float32Array,
    cOffset: number,
    batch: number,
    beta: number,
  ): void => {
    k.gemm({
      m: g.O,
      n: P,
      k: CKK,
      a,
      aOffset,
      lda: CKK,
      transA: false,
      strideA: 0,
      b: cols,
      bOffset: 0,
      ldb: P,
      transB: false,
      strideB: CKK * P,
      bVersion,
      c,
      cOffset,
      ldc: P,
      strideC: out,
      batch,
      alpha: 1,
      beta,
    });
  };

  for (let n0 = 0; n0 < g.N; n0 += chunk) {
    const c = Math.min(chunk, g.N - n0);
    im2col(x.kernelBuffer, x.offset, n0, c, colsX);
    // Columns serve w and every ẇ_k: a fresh version per fill lets the backend reuse its packing.
    const vx = writeVersion();
    gemm(w.kernelBuffer, w.offset, colsX, vx, y.kernelBuffer, y.offset + n0 * out, c, 0);
    for (let d = 0; d < D && dy; d++) {
      const dyOffset = dy.offset + d * g.N * out + n0 * out;
      if (tw) gemm(tw.kernelBuffer, tw.offset + d * wSize, colsX, vx, dy.kernelBuffer, dyOffset, c, 0);
      if (tx && colsT) {
        im2col(tx.kernelBuffer, tx.offset + d * g.N * img, n0, c, colsT);
        gemm(w.kernelBuffer, w.offset, colsT, writeVersion(), dy.kernelBuffer, dyOffset, c, tw ? 1 : 0);
      }
    }
  }
  release(colsX);
  if (colsT) release(colsT);
  return [y, dy];
}

/**
 * The direct path (see the header): at most three conv2dNchw calls, whatever K is. Measured on
 * wasm (8×64×28² and 14², 64 out): also folding w into the ẇ conv ((1+K)·O outputs) saved ≤ 3% at
 * K=1 once y is scattered back out of it, nothing at K=8, so y keeps its own call (measured
 * before outGroups, which would now write y in place too).
 */
function convDirect(
  k: CompleteBackend & Conv2dNchwKernel,
  g: Geometry,
  x: Tensor,
  tx: Tensor | undefined,
  w: Tensor,
  tw: Tensor | undefined,
  D: number,
  y: Tensor,
  dy: Tensor | undefined,
): void {
  const out = g.O * g.oh * g.ow;
  const conv = (
    src: Float32Array,
    srcOffset: number,
    batch: number,
    weight: Float32Array,
    weightOffset: number,
    o: number,
    dst: Float32Array,
    dstOffset: number,
    accumulate = false,
    outGroups?: Conv2dArgs['outGroups'],
  ): void => {
    const args: Conv2dArgs = {
      x: src,
      xOffset: srcOffset,
      batch,
      ...windowOf(g),
      weight,
      weightOffset,
      o,
      y: dst,
      yOffset: dstOffset,
      accumulate,
      ...(outGroups ? { outGroups } : {}),
    };
    k.conv2dNchw(args);
  };
  // y and every conv(ẋ_k, w): one batch of (1+K)·N images when [x; ẋ] is stacked, else two calls.
  if (tx && isStacked(x, tx))
    conv(x.kernelBuffer, x.offset, (1 + D) * g.N, w.kernelBuffer, w.offset, g.O, y.kernelBuffer, y.offset);
  else {
    conv(x.kernelBuffer, x.offset, g.N, w.kernelBuffer, w.offset, g.O, y.kernelBuffer, y.offset);
    if (tx) conv(tx.kernelBuffer, tx.offset, D * g.N, w.kernelBuffer, w.offset, g.O, dy!.kernelBuffer, dy!.offset);
  }
  if (!tw) return;
  // conv(x, ẇ_k) for all k at once: [ẇ_1; …; ẇ_K] is a [K·O, C, kh, kw] weight whose K groups
  // of O output channels the kernel writes straight into the ẏ_k blocks (N·O·oh·ow floats apart),
  // added to conv(ẋ_k, w) when there is one (one float32 add per element).
  conv(
    x.kernelBuffer,
    x.offset,
    g.N,
    tw.kernelBuffer,
    tw.offset,
    D * g.O,
    dy!.kernelBuffer,
    dy!.offset,
    tx !== undefined,
    D > 1 ? { size: g.O, stride: g.N * out } : undefined,
  );
}

export function conv2dVjp(
  gy: Tensor,
  _y: Tensor,
  args: readonly unknown[],
  needs: readonly boolean[],
): (Tensor | undefined)[] {
  const x = args[0] as Tensor,
    w = args[1] as Tensor;
  const g = geometry(x, w, args[2] as Conv2dOptions | undefined);
  const k = backend();
  const P = g.oh * g.ow,
    CKK = g.C * g.kh * g.kw,
    img = g.C * g.H * g.W,
    out = g.O * P;
  const cols = needs[1] || (needs[0] && !directInputGradient(k, g)) ? acquire(CKK * P) : undefined;
  const im2colArgs = (n: number, target: Float32Array, cols: Float32Array) => ({
    x: target,
    xOffset: n,
    ...windowOf(g),
    cols,
    colsOffset: 0,
  });
  let gw: Tensor | undefined, gx: Tensor | undefined;
  if (needs[1]) {
    gw = empty(w.shape);
    for (let n = 0; n < g.N; n++) {
      k.im2col(im2colArgs(x.offset + n * img, x.kernelBuffer, cols!));
      // w̄[O, CKK] (+)= ȳ_n[O, P]·cols_nᵀ
      k.gemm({
        m: g.O,
        n: CKK,
        k: P,
        a: gy.kernelBuffer,
        aOffset: gy.offset + n * out,
        lda: P,
        transA: false,
        strideA: 0,
        b: cols!,
        bOffset: 0,
        ldb: P,
        transB: true,
        strideB: 0,
        c: gw.kernelBuffer,
        cOffset: gw.offset,
        ldc: CKK,
        strideC: 0,
        batch: 1,
        alpha: 1,
        beta: n === 0 ? 0 : 1,
      });
    }
  }
  if (needs[0]) {
    if (directInputGradient(k, g)) {
      gx = empty(x.shape);
      const flipped = acquire(w.size),
        wb = w.buffer,
        kk = g.kh * g.kw;
      for (let o = 0; o < g.O; o++) {
        for (let c = 0; c < g.C; c++) {
          const src = w.offset + (o * g.C + c) * kk,
            dst = (c * g.O + o) * kk;
          for (let i = 0; i < kk; i++) flipped[dst + i] = wb[src + kk - 1 - i];
        }
      }
      k.conv2dNchw({
        x: gy.kernelBuffer,
        xOffset: gy.offset,
        batch: g.N,
        c: g.O,
        h: g.oh,
        w: g.ow,
        weight: flipped,
        weightOffset: 0,
        o: g.C,
        kh: g.kh,
        kw: g.kw,
        strideH: 1,
        strideW: 1,
        padH: g.kh - 1 - g.ph,
        padW: g.kw - 1 - g.pw,
        outH: g.H,
        outW: g.W,
        y: gx.kernelBuffer,
        yOffset: gx.offset,
      });
      release(flipped);
    } else {
      gx = zerosPooled(x.shape);
      for (let n = 0; n < g.N; n++) {
        // cols[CKK, P] = wᵀ·ȳ_n (w stored [O, CKK]: op(A) = wᵀ via transA), then added back into x̄_n
        k.gemm({
          m: CKK,
          n: P,
          k: g.O,
          a: w.kernelBuffer,
          aOffset: w.offset,
          lda: CKK,
          transA: true,
          strideA: 0,
          b: gy.kernelBuffer,
          bOffset: gy.offset + n * out,
          ldb: P,
          transB: false,
          strideB: 0,
          c: cols!,
          cOffset: 0,
          ldc: P,
          strideC: 0,
          batch: 1,
          alpha: 1,
          beta: 0,
        });
        k.col2im(im2colArgs(gx.offset + n * img, gx.kernelBuffer, cols!));
      }
    }
  }
  if (cols) release(cols);
  return [gx, gw, undefined];
}

/** x̄ as one direct convolution: stride 1, padding ≤ k−1, and a backend with conv2dNchw. */
function directInputGradient(k: CompleteBackend, g: Geometry): k is CompleteBackend & Conv2dNchwKernel {
  return hasConv2dNchw(k) && g.sh === 1 && g.sw === 1 && g.ph <= g.kh - 1 && g.pw <= g.kw - 1;
}

export const CONV_RULES: Record<string, OpRule> = {
  conv2d: {
    jvp: conv2dJvp,
    vjp: conv2dVjp,
    rule: 'ẏ = conv(ẋ,w) + conv(x,ẇ); direct conv: [x; ẋ] stacked on the batch axis through w, then x through all ẇ_k as K·O channels; else im2col(x) once per chunk',
    vjpRule:
      'w̄ = Σ_n ȳ_n·im2col(x_n)ᵀ (gemm transB, beta=1); x̄ = conv(ȳ, flipped wᵀ, pad k−1−p) when stride 1 on the direct kernel, else col2im(wᵀ·ȳ_n)',
  },
};
