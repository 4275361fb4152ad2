// The kernel interface every backend implements (js reference, tuned wasm, gpu.js modes).
// Raw row-major Float32Arrays with element offsets, so the tensor layer can pass views
// (e.g. primal and tangent rows stacked in one buffer) without copies.
//
// Tangent conventions shared by every fused kernel below:
// - `dx`/`dy` absent = zero tangent: the kernel computes only the primal.
// - `directions` (K, default 1): the tangent holds K stacked copies of the primal's layout
//   (direction k starts at offset + k·size), all pushed through in the same pass.
// - Only `gemm` and `im2col` are required; a backend that lacks another kernel inherits the
//   `js` backend's (kernels/select.ts fills the gaps), so a backend can grow one kernel at a time.
import type { BinaryOp, UnaryOp } from './elementwise';
import type { Device } from './residency';

/** An array that is generated, not stored: fill(out, from) writes elements [from, from + out.length). */
export interface GeneratedArray {
  readonly length: number;
  fill(out: Float32Array, from: number): void;
}

/** C = alpha·op(A)·op(B) + beta·C, repeated `batch` times (strides in elements; 0 = shared operand). */
export interface GemmArgs {
  m: number;
  n: number;
  k: number;
  a: Float32Array;
  aOffset: number;
  lda: number;
  transA: boolean;
  strideA: number;
  b: Float32Array;
  bOffset: number;
  ldb: number;
  transB: boolean;
  strideB: number;
  c: Float32Array;
  cOffset: number;
  ldc: number;
  strideC: number;
  batch: number;
  alpha: number;
  beta: number;
  /**
   * Optional: a number the caller changes whenever it writes to `b` (e.g. a weight's update
   * count). A backend may then reuse its packed copy of op(B) from an earlier call with the same
   * `b` object, bOffset, ldb, transB, k, n, strideB, batch and bVersion. Undefined: never reused.
   */
  bVersion?: number;
  /**
   * Optional, only for a backend with `generatesB`: B is generated where it is packed (a lazy
   * random direction, runtime/tensor/direction-storage.ts) instead of read. bSource is then the
   * array every B index rule (bOffset, ldb, strideB) addresses, and `b` is not read.
   */
  bSource?: GeneratedArray;
}

/** One NCHW image [c,h,w] at xOffset → cols [c·kh·kw, outH·outW] at colsOffset (zero padding). */
export interface Im2colArgs {
  x: Float32Array;
  xOffset: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  outH: number;
  outW: number;
  cols: Float32Array;
  colsOffset: number;
}

/** The elementwise ops (and their derivatives) are the entries of kernels/elementwise.ts's table. */
export type { BinaryOp, UnaryOp };

/** y[i] = f(x[i]), i < n; with dx: dy[k·n + i] = f'(x[i])·dx[k·n + i] for k < directions, same pass. */
export interface UnaryArgs {
  op: UnaryOp;
  n: number;
  x: Float32Array;
  xOffset: number;
  y: Float32Array;
  yOffset: number;
  dx?: Float32Array;
  dxOffset?: number;
  dy?: Float32Array;
  dyOffset?: number;
  directions?: number;
}

/**
 * y[i] = a[ia(i)] ∘ b[ib(i)], i < n, with ia(i) = ⌊i / aInner⌋ mod aLen (likewise b): numpy
 * broadcasting where an operand's element spans `inner` consecutive outputs (aInner = bInner = 1,
 * the default, is trailing-dims broadcasting; a [C,1,1] bias over [C,H,W] is len C, inner H·W).
 * len·inner divides n; the tensor layer always sends one full operand (len n, inner 1), and a
 * backend may reject other pairs with an Error; a scalar is a length-1 operand. Tangent (if da or db given):
 * for k < directions, dy[k·n + i] = ∂a·da[k·daStride + ia(i)] + ∂b·db[k·dbStride + ib(i)];
 * daStride/dbStride default to aLen/bLen, 0 = one tangent shared by all directions.
 */
export interface BinaryArgs {
  op: BinaryOp;
  n: number;
  a: Float32Array;
  aOffset: number;
  aLen: number;
  aInner?: number;
  b: Float32Array;
  bOffset: number;
  bLen: number;
  bInner?: number;
  y: Float32Array;
  yOffset: number;
  da?: Float32Array;
  daOffset?: number;
  daStride?: number;
  db?: Float32Array;
  dbOffset?: number;
  dbStride?: number;
  dy?: Float32Array;
  dyOffset?: number;
  directions?: number;
}

/** y[o·inner + i] = scale·Σ_{j<len} x[(o·len + j)·inner + i]: sum/mean over one axis (or all: outer = inner = 1). */
export interface ReduceArgs {
  x: Float32Array;
  xOffset: number;
  outer: number;
  len: number;
  inner: number;
  scale: number;
  y: Float32Array;
  yOffset: number;
}

/** y[b][j][i] = x[b][i][j] for x of shape [batch, rows, cols]. */
export interface TransposeArgs {
  x: Float32Array;
  xOffset: number;
  batch: number;
  rows: number;
  cols: number;
  y: Float32Array;
  yOffset: number;
}

/**
 * A general axis permutation y = x.transpose(perm) of x with `shape`, for `batch` stacked tensors (a
 * primal and its K tangent directions); the last-two-axes swap goes to `transpose` instead.
 */
export interface PermuteArgs {
  x: Float32Array;
  xOffset: number;
  shape: readonly number[];
  perm: readonly number[];
  batch: number;
  y: Float32Array;
  yOffset: number;
}

/** Row-wise log-softmax of x[rows, cols]; tangent dy = dx − Σ_c softmax·dx per row and direction. */
export interface LogSoftmaxArgs {
  x: Float32Array;
  xOffset: number;
  rows: number;
  cols: number;
  y: Float32Array;
  yOffset: number;
  dx?: Float32Array;
  dxOffset?: number;
  dy?: Float32Array;
  dyOffset?: number;
  directions?: number;
}

/**
 * Mean over rows of −log softmax(logits)[label]. Returns the loss; with dlogits, writes
 * dloss[k] = mean_r (Σ_c p_rc·dl_krc − dl_kr,label) for k < directions, from the same softmax.
 * `probs` (optional, rows·cols) receives the softmax, for reverse mode.
 */
export interface SoftmaxCrossEntropyArgs {
  logits: Float32Array;
  logitsOffset: number;
  rows: number;
  cols: number;
  labels: Int32Array;
  dlogits?: Float32Array;
  dlogitsOffset?: number;
  dloss?: Float32Array;
  directions?: number;
  probs?: Float32Array;
}

/**
 * Max pooling over `planes` planes [h, w] (no padding). Ties go to the first (top-left) element.
 * argmax (optional, planes·outH·outW) receives each window's winner as an index relative to xOffset;
 * the tangent is gathered through the same winner in the same pass: dy[k·P + o] = dx[k·X + argmax[o]]
 * with P = planes·outH·outW, X = planes·h·w.
 */
export interface MaxPool2dArgs {
  x: Float32Array;
  xOffset: number;
  planes: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  outH: number;
  outW: number;
  y: Float32Array;
  yOffset: number;
  argmax?: Int32Array;
  dx?: Float32Array;
  dxOffset?: number;
  dy?: Float32Array;
  dyOffset?: number;
  directions?: number;
}

/**
 * Reverse of maxPool2d: gx[gxOffset + argmax[o]] += gy[gyOffset + o] for o < n (accumulates: gx must
 * be zeroed first; overlapping windows can share a winner). argmax as MaxPool2dArgs.argmax wrote it.
 */
export interface MaxPool2dBackwardArgs {
  gy: Float32Array;
  gyOffset: number;
  n: number;
  argmax: Int32Array;
  gx: Float32Array;
  gxOffset: number;
}

/**
 * The per-rule part of an optimizer step (runtime/fgd/optimizers): hyper-parameters and the rule's
 * per-element state, each state buffer indexed like the parameters and updated in place. Adam's
 * bias corrections c1 = 1 − β1^t, c2 = 1 − β2^t come precomputed (t is the 1-based step).
 */
export type UpdateRule =
  | { readonly name: 'sgd' }
  | { readonly name: 'momentum'; readonly momentum: number; readonly nesterov: boolean; readonly u: Float32Array }
  | {
      readonly name: 'adam';
      readonly beta1: number;
      readonly beta2: number;
      readonly epsilon: number;
      readonly c1: number;
      readonly c2: number;
      readonly m: Float32Array;
      readonly v: Float32Array;
    };

/**
 * One optimizer step over elements [0, n) of params (and of the rule's state), in place, bit for bit
 * the float64 loops of runtime/fgd/optimizers: sgd θ −= η·g; momentum u = μ·u + g, θ −= η·u
 * (Nesterov: η·(g + μ·u)); adam as adam.ts. g_i = grad[i], or with `scale` (fgd's fused path,
 * grad holding the direction v of g = s·v): g_i = fround(0 + scale·grad[i]), the value a formed
 * float32 gradient buffer would hold.
 */
export interface UpdateArgs {
  rule: UpdateRule;
  n: number;
  params: Float32Array;
  grad: Float32Array;
  scale?: number;
  lr: number;
  /** Receives params[0, n) as they were before the step, in the same pass (the descent guard's snapshot). */
  save?: Float32Array;
}

/** What a backend provides. Everything but gemm and im2col may be left out (the js one is used). */
export interface KernelBackend {
  readonly name: string;
  gemm(args: GemmArgs): void;
  im2col(args: Im2colArgs): void;
  unary?(args: UnaryArgs): void;
  binary?(args: BinaryArgs): void;
  reduce?(args: ReduceArgs): void;
  transpose?(args: TransposeArgs): void;
  permute?(args: PermuteArgs): void;
  logSoftmax?(args: LogSoftmaxArgs): void;
  softmaxCrossEntropy?(args: SoftmaxCrossEntropyArgs): number;
  maxPool2d?(args: MaxPool2dArgs): void;
  /** Reverse mode: accumulates cols back into the image x (the adjoint of im2col; x is added to). */
  col2im?(args: Im2colArgs): void;
  maxPool2dBackward?(args: MaxPool2dBackwardArgs): void;
  /** An optimizer step (UpdateArgs), so the O(parameters) update runs where the parameters live. */
  update?(args: UpdateArgs): void;
  /**
   * n floats inside the backend's kernel memory (contents unspecified), which its kernels use in
   * place, or undefined when that memory is full. The tensor pool asks on a miss and falls back to
   * `new Float32Array(n)`; it reuses what it got and gives back (`release`) only buffers it holds
   * unused. A backend without its own memory leaves it out (the js one has none, and it is not filled in).
   */
  allocate?(n: number): Float32Array | undefined;
  /**
   * Gives back a buffer this backend's `allocate` returned, which nobody uses any more (its memory
   * may be handed out again). Anything else (another array, a second release) is an Error. Present
   * with `allocate` when the backend can reuse the room.
   */
  release?(buf: Float32Array): void;
  /** Whether gemm takes `GemmArgs.bSource` (else callers materialise B first). */
  readonly generatesB?: boolean;
  /**
   * Present on a device backend (gpujs-gpu): its kernels leave outputs in device memory and read
   * operands from there (kernels/residency.ts, THE RULE), so the tensor layer hands it buffers
   * without syncing them to the host first (Tensor.kernelBuffer).
   */
  readonly device?: Device;
  /**
   * Optional, device backends: writes out[offset, offset + rows·size) on the device, element e being
   * element (streamOffset + e mod size) of the float32 stream (seed, stream + ⌊e / size⌋) of the
   * distribution, as kernels/rng.ts's fills would (a lazy direction materialised where it is used).
   */
  fillDirection?(args: FillDirectionArgs): void;
}

/** A random direction written by fillDirection (runtime/tensor/direction-storage.ts's description). */
export interface FillDirectionArgs {
  distribution: 'normal' | 'rademacher';
  seed: number;
  stream: number;
  streamOffset: number;
  rows: number;
  size: number;
  out: Float32Array;
  offset: number;
}

/** A backend with every kernel present (what kernels/select.ts hands to the tensor layer); `allocate`, `release` and the device members stay optional. */
export type CompleteBackend = Required<
  Omit<KernelBackend, 'allocate' | 'release' | 'generatesB' | 'device' | 'fillDirection'>
> &
  Pick<KernelBackend, 'allocate' | 'release' | 'generatesB' | 'device' | 'fillDirection'>;

/**
 * OPTIONAL fast path (the wasm backend has it): direct NCHW convolution, zero padding,
 * y[n][o][oy][ox] = Σ_{c,ki,kj} weight[o][c][ki][kj]·x[n][c][oy·strideH + ki − padH][ox·strideW + kj − padW],
 * x [batch, c, h, w], weight [o, c, kh, kw], y [batch, o, outH, outW], each contiguous at its offset;
 * y is overwritten (or added to, `accumulate`). Same result as im2col + gemm without the cols buffer (about 2× faster for the
 * paper's CNN on the wasm backend). Kept out of KernelBackend so CompleteBackend does not require
 * it: test with `hasConv2dNchw(backend)` and fall back to im2col + gemm.
 */
export interface Conv2dArgs {
  x: Float32Array;
  xOffset: number;
  batch: number;
  c: number;
  h: number;
  w: number;
  weight: Float32Array;
  weightOffset: number;
  o: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  outH: number;
  outW: number;
  y: Float32Array;
  yOffset: number;
  /** y += conv instead of y = conv (one float32 add per output: the bits of adding a separate conv). */
  accumulate?: boolean;
  /**
   * Output channels in groups of `size` (dividing o) lying `stride` floats apart: channel
   * g·size + c of image n goes to y[yOffset + g·stride + ((n·size + c)·outH + oy)·outW + ox].
   * Left out: one group of o. The K weight tangents of a conv JVP ([K·O, C, kh, kw] weights) write
   * their ẏ_k [N, O] blocks this way, with no copy.
   */
  outGroups?: { size: number; stride: number };
}

export interface Conv2dNchwKernel {
  conv2dNchw(args: Conv2dArgs): void;
}

export function hasConv2dNchw<B extends object>(b: B): b is B & Conv2dNchwKernel {
  return typeof (b as Partial<Conv2dNchwKernel>).conv2dNchw === 'function';
}
