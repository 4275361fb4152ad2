// A plain row-major GEMM call C[m,n] = A[m,k]·B[k,n] on random operands, as the GEMM benches time it.
import type { GemmArgs } from '../kernels/backend';

/** Uniform numbers in [−0.5, 0.5). */
export const rand = (len: number): Float32Array => Float32Array.from({ length: len }, () => Math.random() - 0.5);

/** C = A·B, untransposed, fresh random A and B, zero C; bVersion lets a backend reuse its packed B. */
export function gemmArgs(m: number, k: number, n: number, bVersion?: number): GemmArgs {
  return {
    m,
    n,
    k,
    a: rand(m * k),
    aOffset: 0,
    lda: k,
    transA: false,
    strideA: 0,
    b: rand(k * n),
    bOffset: 0,
    ldb: n,
    transB: false,
    strideB: 0,
    c: new Float32Array(m * n),
    cOffset: 0,
    ldc: n,
    strideC: 0,
    batch: 1,
    alpha: 1,
    beta: 0,
    bVersion,
  };
}
