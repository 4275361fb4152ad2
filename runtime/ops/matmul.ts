// matmul(a[M,K], b[K,N]) and its fused JVP  ẏ = ȧ·b + a·ḃ:
// [a; ȧ]·b is ONE gemm over (1+K)·M stacked rows whose output is exactly [y; ẏ] (stacked), then
// a·ḃ_k is accumulated into ẏ_k (beta = 1), one gemm per direction or one batched call (gemmDirections).
// B operands carry `bVersion` only when their storage is sealed (runtime/tensor/version.ts rule 2),
// so a backend can keep packed weights across calls without ever reading stale ones.
// A weight tangent that is a lazy direction (runtime/tensor/direction-storage.ts, fgd's v) is
// generated for its products only: by the gemm into its arena where it packs B (a backend with
// `generatesB`: wasm), else into pooled op scratch released right after. Either way no
// parameter-sized v is held, and the gemm sees the elements a filled tangent would have.
// Reverse mode: ā = ȳ·bᵀ and b̄ = aᵀ·ȳ are single gemm calls with transB / transA set: the
// backend's packing reads the transposed operand in place (no transpose copy).
import type { GemmArgs, GeneratedArray } from '../../kernels/backend';
import type { OpRule } from './rule';
import { acquire, release } from '../tensor/pool';
import { reuseVersion } from '../tensor/version';
import { Tensor, empty } from '../tensor/tensor';
import { unmaterialisedDirection } from '../tensor/direction-storage';
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
  shapeStr,
} from './tangents';

/** Row-major C[m,n] (+)= A[m,k]·B[k,n], `batch` times with the given strides. */
function gemm(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  aOffset: number,
  strideA: number,
  b: Float32Array,
  bOffset: number,
  strideB: number,
  c: Float32Array,
  cOffset: number,
  strideC: number,
  batch: number,
  beta: number,
  bVersion?: number,
  bSource?: GeneratedArray,
): void {
  const args: GemmArgs = {
    m,
    n,
    k,
    a,
    aOffset,
    lda: k,
    transA: false,
    strideA,
    b,
    bOffset,
    ldb: n,
    transB: false,
    strideB,
    c,
    cOffset,
    ldc: n,
    strideC,
    batch,
    alpha: 1,
    beta,
    bVersion,
    ...(bSource ? { bSource } : {}),
  };
  backend().gemm(args);
}

/**
 * How the D weight-tangent products C_d (+)= A·ḃ_d are issued; both give the same bits (each item
 * is the product a single call computes):
 *   batched       one call with strideA = 0 (default): A packed once, every direction's panels in
 *                 one job list for both threads (one hand-off instead of D)
 *   perDirection  one gemm call per direction
 * Measured on the paper MLP (bench/k-directions.ts, bench/NOTES.md "K directions"): with tangents
 * in the kernel memory (used in place) batched is 3–4% faster on whole K = 16 runs; while every B
 * was copied into the wasm arena first (tensors in JS memory) neither won (the batch copies all its
 * Bs before packing any).
 */
export type DirectionProducts = 'perDirection' | 'batched';
let directionProducts: DirectionProducts = 'batched';

/** Chooses how matmul's JVP issues its weight-tangent products (benchmarks: bench/k-directions.ts). */
export function setDirectionProducts(mode: DirectionProducts): DirectionProducts {
  if (mode !== 'perDirection' && mode !== 'batched')
    throw new Error(`setDirectionProducts: mode must be 'perDirection' or 'batched', got ${JSON.stringify(mode)}`);
  const was = directionProducts;
  directionProducts = mode;
  return was;
}

const NO_B = new Float32Array(0);

function gemmDirections(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  aOffset: number,
  tb: Tensor,
  c: Float32Array,
  cOffset: number,
  D: number,
  beta: number,
  bVersion?: number,
): void {
  const kb = backend();
  // A device backend that makes directions (fillDirection) gets the tangent's own buffer
  // (kernelBuffer materialises it there, kernels/residency.ts): nothing generated on the host and uploaded.
  const lazy = kb.device && kb.fillDirection ? undefined : unmaterialisedDirection(tb);
  if (lazy && kb.generatesB === true) {
    if (directionProducts === 'batched')
      return gemm(m, n, k, a, aOffset, 0, NO_B, tb.offset, k * n, c, cOffset, m * n, D, beta, undefined, lazy);
    for (let d = 0; d < D; d++) {
      const bOff = tb.offset + d * k * n;
      gemm(m, n, k, a, aOffset, 0, NO_B, bOff, 0, c, cOffset + d * m * n, 0, 1, beta, undefined, lazy);
    }
    return;
  }
  let b: Float32Array,
    bOffset = tb.offset;
  const scratch = lazy !== undefined;
  if (scratch) {
    // generated for this call only (no version: the scratch's contents change from call to call)
    b = acquire(tb.size);
    lazy.fill(b, tb.offset);
    bOffset = 0;
    bVersion = undefined;
  } else b = tb.kernelBuffer;
  try {
    if (directionProducts === 'batched')
      return gemm(m, n, k, a, aOffset, 0, b, bOffset, k * n, c, cOffset, m * n, D, beta, bVersion);
    for (let d = 0; d < D; d++)
      gemm(m, n, k, a, aOffset, 0, b, bOffset + d * k * n, 0, c, cOffset + d * m * n, 0, 1, beta, bVersion);
  } finally {
    if (scratch) release(b);
  }
}

/** [p; ṗ] contiguous: the operand's own buffer when already stacked, else a pooled copy. */
export function stack(p: Tensor, t: Tensor): { buf: Float32Array; offset: number; scratch: boolean } {
  if (isStacked(p, t)) return { buf: p.kernelBuffer, offset: p.offset, scratch: false };
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
  const [M, K] = a.shape,
    N = b.shape[1];
  const dir = directions('matmul', [a, da], [b, db]);
  const [y, dy] = allocOut([M, N], dir);
  const ta = activeTensor(da),
    tb = activeTensor(db),
    D = dir.K;
  const vb = reuseVersion(b),
    vtb = tb && reuseVersion(tb);
  if (ta) {
    const s = stack(a, ta);
    gemm((1 + D) * M, N, K, s.buf, s.offset, 0, b.kernelBuffer, b.offset, 0, y.kernelBuffer, y.offset, 0, 1, 0, vb);
    if (s.scratch) release(s.buf);
    if (tb) gemmDirections(M, N, K, a.kernelBuffer, a.offset, tb, dy!.kernelBuffer, dy!.offset, D, 1, vtb);
  } else {
    gemm(M, N, K, a.kernelBuffer, a.offset, 0, b.kernelBuffer, b.offset, 0, y.kernelBuffer, y.offset, 0, 1, 0, vb);
    if (tb) gemmDirections(M, N, K, a.kernelBuffer, a.offset, tb, dy!.kernelBuffer, dy!.offset, D, 0, vtb);
  }
  return [y, dy];
}

export function matmulVjp(
  gy: Tensor,
  _y: Tensor,
  args: readonly unknown[],
  needs: readonly boolean[],
): (Tensor | undefined)[] {
  const a = args[0] as Tensor,
    b = args[1] as Tensor;
  const [M, K] = a.shape,
    N = b.shape[1];
  const k = backend();
  let ga: Tensor | undefined, gb: Tensor | undefined;
  if (needs[0]) {
    ga = empty([M, K]); // ā[M,K] = ȳ[M,N]·bᵀ  (b stored [K,N]: op(B) = bᵀ via transB)
    k.gemm({
      m: M,
      n: K,
      k: N,
      a: gy.kernelBuffer,
      aOffset: gy.offset,
      lda: N,
      transA: false,
      strideA: 0,
      b: b.kernelBuffer,
      bOffset: b.offset,
      ldb: N,
      transB: true,
      strideB: 0,
      bVersion: reuseVersion(b),
      c: ga.kernelBuffer,
      cOffset: ga.offset,
      ldc: K,
      strideC: 0,
      batch: 1,
      alpha: 1,
      beta: 0,
    });
  }
  if (needs[1]) {
    gb = empty([K, N]); // b̄[K,N] = aᵀ·ȳ  (a stored [M,K]: op(A) = aᵀ via transA)
    k.gemm({
      m: K,
      n: N,
      k: M,
      a: a.kernelBuffer,
      aOffset: a.offset,
      lda: K,
      transA: true,
      strideA: 0,
      b: gy.kernelBuffer,
      bOffset: gy.offset,
      ldb: N,
      transB: false,
      strideB: 0,
      c: gb.kernelBuffer,
      cOffset: gb.offset,
      ldc: N,
      strideC: 0,
      batch: 1,
      alpha: 1,
      beta: 0,
    });
  }
  return [ga, gb];
}

export const MATMUL_RULES: Record<string, OpRule> = {
  matmul: {
    jvp: matmulJvp,
    vjp: matmulVjp,
    rule: 'ẏ = ȧ·b + a·ḃ; [a;ȧ]·b is one gemm over stacked rows, a·ḃ accumulates (beta=1)',
    vjpRule: 'ā = ȳ·bᵀ (gemm transB), b̄ = aᵀ·ȳ (gemm transA): no transpose copies',
  },
};
