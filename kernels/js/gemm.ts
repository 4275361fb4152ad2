// Reference float32 GEMM: straightforward loops (i-k-j order keeps the inner loop contiguous in B and C).
import type { GemmArgs } from '../backend';

export function gemm(g: GemmArgs): void {
  const { m, n, k, a, b, c, lda, ldb, ldc, transA, transB, alpha, beta } = g;
  // Strides of op(A)[i][p] and op(B)[p][j] in elements.
  const aRow = transA ? 1 : lda,
    aCol = transA ? lda : 1;
  const bRow = transB ? 1 : ldb,
    bCol = transB ? ldb : 1;
  for (let t = 0; t < g.batch; t++) {
    const aBase = g.aOffset + t * g.strideA,
      bBase = g.bOffset + t * g.strideB,
      cBase = g.cOffset + t * g.strideC;
    for (let i = 0; i < m; i++) {
      const cr = cBase + i * ldc;
      if (beta === 0) c.fill(0, cr, cr + n);
      else if (beta !== 1) for (let j = 0; j < n; j++) c[cr + j] *= beta;
      for (let p = 0; p < k; p++) {
        const av = alpha * a[aBase + i * aRow + p * aCol];
        if (av === 0) continue;
        const br = bBase + p * bRow;
        if (bCol === 1) for (let j = 0; j < n; j++) c[cr + j] += av * b[br + j];
        else for (let j = 0; j < n; j++) c[cr + j] += av * b[br + j * bCol];
      }
    }
  }
}
