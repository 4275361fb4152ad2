// conv2d(x[N,C,H,W], w[O,C,kh,kw], { stride, padding }) in NCHW via im2col + gemm, and its JVP
// ẏ = conv(ẋ, w) + conv(x, ẇ). Images go through in chunks (columns stay cache-sized); per chunk
// the columns of x are built once and serve y and every x·ẇ_k, and each ẋ_k chunk is pushed
// through the same w (the paper's "stack x and ẋ along the batch" idea) accumulating onto x·ẇ_k.
import { acquire, release } from '../tensor/pool';
import { Tensor } from '../tensor/tensor';
import { JvpResult, Tangent, activeTensor, allocOut, backend, directions, expectTensor, opError, pairOption, shapeStr } from './tangents';

export interface Conv2dOptions { stride?: number | [number, number]; padding?: number | [number, number] }

/**
 * Columns are written once per chunk and multiplied by w and every ẇ_k: a fresh `bVersion` per
 * fill lets a backend that packs op(B) reuse that packing across those gemm calls.
 */
let colsVersion = 0;

/** Floats of im2col columns per chunk: large enough for efficient gemm calls, small enough for cache. */
const CHUNK_FLOATS = 1 << 19;

interface Geometry { N: number; C: number; H: number; W: number; O: number; kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; oh: number; ow: number }

function geometry(x: Tensor, w: Tensor, options: Conv2dOptions | undefined): Geometry {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw opError('conv2d', `options must be an object, got ${String(options)}`);
  const [sh, sw] = pairOption('conv2d', 'stride', options?.stride, 1);
  const [ph, pw] = pairOption('conv2d', 'padding', options?.padding, 0, true);
  if (x.rank !== 4 || w.rank !== 4 || x.shape[1] !== w.shape[1]) {
    throw opError('conv2d', `expects x[N,C,H,W] and w[O,C,kh,kw] with the same C, got x${shapeStr(x.shape)} and w${shapeStr(w.shape)}`);
  }
  const [N, C, H, W] = x.shape, [O, , kh, kw] = w.shape;
  const oh = Math.floor((H + 2 * ph - kh) / sh) + 1, ow = Math.floor((W + 2 * pw - kw) / sw) + 1;
  if (kh < 1 || kw < 1 || oh < 1 || ow < 1) {
    throw opError('conv2d', `kernel ${kh}×${kw} does not fit input ${H}×${W} with padding ${ph},${pw} (x${shapeStr(x.shape)}, w${shapeStr(w.shape)})`);
  }
  return { N, C, H, W, O, kh, kw, sh, sw, ph, pw, oh, ow };
}

export function conv2dJvp(x: Tensor, dx: Tangent, w: Tensor, dw: Tangent, options?: Conv2dOptions): JvpResult {
  expectTensor('conv2d', 'x', x);
  expectTensor('conv2d', 'w', w);
  const g = geometry(x, w, options);
  const dir = directions('conv2d', [x, dx], [w, dw]);
  const [y, dy] = allocOut([g.N, g.O, g.oh, g.ow], dir);
  const tx = activeTensor(dx), tw = activeTensor(dw), D = dir.K;
  const k = backend();
  const P = g.oh * g.ow, CKK = g.C * g.kh * g.kw, img = g.C * g.H * g.W, out = g.O * P, wSize = g.O * CKK;
  const chunk = Math.max(1, Math.min(g.N, Math.floor(CHUNK_FLOATS / (CKK * P))));
  const colsX = acquire(chunk * CKK * P);
  const colsT = tx ? acquire(chunk * CKK * P) : undefined;

  const im2col = (src: Float32Array, srcOffset: number, n0: number, c: number, cols: Float32Array): void => {
    for (let i = 0; i < c; i++) {
      k.im2col({
        x: src, xOffset: srcOffset + (n0 + i) * img, c: g.C, h: g.H, w: g.W, kh: g.kh, kw: g.kw,
        strideH: g.sh, strideW: g.sw, padH: g.ph, padW: g.pw, outH: g.oh, outW: g.ow, cols, colsOffset: i * CKK * P,
      });
    }
  };
  // C[c images] (+)= A·cols_i for each image i of the chunk (A shared).
  const gemm = (a: Float32Array, aOffset: number, cols: Float32Array, bVersion: number, c: Float32Array, cOffset: number, batch: number, beta: number): void => {
    k.gemm({
      m: g.O, n: P, k: CKK, a, aOffset, lda: CKK, transA: false, strideA: 0,
      b: cols, bOffset: 0, ldb: P, transB: false, strideB: CKK * P, bVersion,
      c, cOffset, ldc: P, strideC: out, batch, alpha: 1, beta,
    });
  };

  for (let n0 = 0; n0 < g.N; n0 += chunk) {
    const c = Math.min(chunk, g.N - n0);
    im2col(x.buffer, x.offset, n0, c, colsX);
    const vx = ++colsVersion;
    gemm(w.buffer, w.offset, colsX, vx, y.buffer, y.offset + n0 * out, c, 0);
    for (let d = 0; d < D && dy; d++) {
      const dyOffset = dy.offset + d * g.N * out + n0 * out;
      if (tw) gemm(tw.buffer, tw.offset + d * wSize, colsX, vx, dy.buffer, dyOffset, c, 0);
      if (tx && colsT) {
        im2col(tx.buffer, tx.offset + d * g.N * img, n0, c, colsT);
        gemm(w.buffer, w.offset, colsT, ++colsVersion, dy.buffer, dyOffset, c, tw ? 1 : 0);
      }
    }
  }
  release(colsX);
  if (colsT) release(colsT);
  return [y, dy];
}

export const conv2d = (x: Tensor, w: Tensor, options?: Conv2dOptions): Tensor => conv2dJvp(x, undefined, w, undefined, options)[0];
