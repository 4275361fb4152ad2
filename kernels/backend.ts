// The kernel interface every backend implements (js reference, tuned wasm, gpu.js modes).
// Raw row-major Float32Arrays with element offsets, so the tensor layer can pass views
// (e.g. primal and tangent rows stacked in one buffer) without copies.

/** C = alpha·op(A)·op(B) + beta·C, repeated `batch` times (strides in elements; 0 = shared operand). */
export interface GemmArgs {
  m: number; n: number; k: number;
  a: Float32Array; aOffset: number; lda: number; transA: boolean; strideA: number;
  b: Float32Array; bOffset: number; ldb: number; transB: boolean; strideB: number;
  c: Float32Array; cOffset: number; ldc: number; strideC: number;
  batch: number; alpha: number; beta: number;
}

/** One NCHW image [c,h,w] at xOffset → cols [c·kh·kw, outH·outW] at colsOffset (zero padding). */
export interface Im2colArgs {
  x: Float32Array; xOffset: number; c: number; h: number; w: number;
  kh: number; kw: number; strideH: number; strideW: number; padH: number; padW: number;
  outH: number; outW: number;
  cols: Float32Array; colsOffset: number;
}

export interface KernelBackend {
  readonly name: string;
  gemm(args: GemmArgs): void;
  im2col(args: Im2colArgs): void;
  // The tensor layer adds the remaining kernels (elementwise, reductions, pooling, softmax)
  // here; backends that do not provide one inherit the js backend's.
}
