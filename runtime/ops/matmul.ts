// matmul(a[M,K], b[K,N]) and its fused JVP  ẏ = ȧ·b + a·ḃ:
// [a; ȧ]·b is ONE gemm over (1+K)·M stacked rows whose output is exactly [y; ẏ] (stacked), then
// a·ḃ_k is accumulated into ẏ_k (beta = 1) in one batched gemm over the K directions.
import type { GemmArgs } from '../../kernels/backend';
import { acquire, release } from '../tensor/pool';
import { Tensor } from '../tensor/tensor';
import { JvpResult, Tangent, activeTensor, allocOut, backend, directions, expectTensor, isStacked, opError, shapeStr } from './tangents';

/** Row-major C[m,n] (+)= A[m,k]·B[k,n], `batch` times with the given strides. */
function gemm(m: number, n: number, k: number, a: Float32Array, aOffset: number, strideA: number,
  b: Float32Array, bOffset: number, strideB: number, c: Float32Array, cOffset: number, strideC: number,
  batch: number, beta: number): void {
  const args: GemmArgs = {
    m, n, k, a, aOffset, lda: k, transA: false, strideA, b, bOffset, ldb: n, transB: false, strideB,
    c, cOffset, ldc: n, strideC, batch, alpha: 1, beta,
  };
  backend().gemm(args);
}

/** [p; ṗ] contiguous: the operand's own buffer when already stacked, else a pooled copy. */
export function stack(p: Tensor, t: Tensor): { buf: Float32Array; offset: number; scratch: boolean } {
  if (isStacked(p, t)) return { buf: p.buffer, offset: p.offset, scratch: false };
  const buf = acquire(p.size + t.size);
  buf.set(p.toArray(), 0);
  buf.set(t.toArray(), p.size);
  return { buf, offset: 0, scratch: true };
}

export function matmulJvp(a: Tensor, da: Tangent, b: Tensor, db: Tangent): JvpResult {
  expectTensor('matmul', 'a', a);
  expectTensor('matmul', 'b', b);
  if (a.rank !== 2 || b.rank !== 2 || a.shape[1] !== b.shape[0]) {
    throw opError('matmul', `expects a[M,K]·b[K,N], got a${shapeStr(a.shape)} and b${shapeStr(b.shape)}`);
  }
  const [M, K] = a.shape, N = b.shape[1];
  const dir = directions('matmul', [a, da], [b, db]);
  const [y, dy] = allocOut([M, N], dir);
  const ta = activeTensor(da), tb = activeTensor(db), D = dir.K;
  if (ta) {
    const s = stack(a, ta);
    gemm((1 + D) * M, N, K, s.buf, s.offset, 0, b.buffer, b.offset, 0, y.buffer, y.offset, 0, 1, 0);
    if (s.scratch) release(s.buf);
    if (tb) gemm(M, N, K, a.buffer, a.offset, 0, tb.buffer, tb.offset, K * N, dy!.buffer, dy!.offset, M * N, D, 1);
  } else if (tb && isStacked(b, tb)) {
    // a·[b; ḃ_1; …] in one batched call: its outputs [y; ẏ_1; …] are stacked too.
    gemm(M, N, K, a.buffer, a.offset, 0, b.buffer, b.offset, K * N, y.buffer, y.offset, M * N, 1 + D, 0);
  } else {
    gemm(M, N, K, a.buffer, a.offset, 0, b.buffer, b.offset, 0, y.buffer, y.offset, 0, 1, 0);
    if (tb) gemm(M, N, K, a.buffer, a.offset, 0, tb.buffer, tb.offset, K * N, dy!.buffer, dy!.offset, M * N, D, 0);
  }
  return [y, dy];
}

export const matmul = (a: Tensor, b: Tensor): Tensor => matmulJvp(a, undefined, b, undefined)[0];
