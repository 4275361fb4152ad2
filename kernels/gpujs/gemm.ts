// GEMM as a gpu.js kernel: one thread per element of C (x = column j, y = row i, z = batch), so
// neighbouring threads read neighbouring B elements (webasm's SIMD lanes run along x). The
// K loop is unrolled by 4 with two accumulators: measured 1.2-1.3 GFLOP/s on webasm against
// 0.7-0.8 for the plain loop. Transposes are strides (constants), so one source serves all.
// alpha and beta are applied while copying the result into C (which also honours ldc).
import type { GemmArgs } from '../backend';
import { KernelCache, forEachRow } from './runtime';
import { operand, runResident, type Operand } from './device';

export const GEMM_SOURCE = `function (a, b) {
  const sAp = this.constants.sAp;
  const sBp = this.constants.sBp;
  let ai = this.thread.z * this.constants.strideA + this.thread.y * this.constants.sAi;
  let bi = this.thread.z * this.constants.strideB + this.thread.x * this.constants.sBj;
  let sum0 = 0;
  let sum1 = 0;
  for (let p = 0; p < this.constants.k4; p++) {
    sum0 += a[ai] * b[bi] + a[ai + sAp] * b[bi + sBp];
    sum1 += a[ai + 2 * sAp] * b[bi + 2 * sBp] + a[ai + 3 * sAp] * b[bi + 3 * sBp];
    ai += 4 * sAp;
    bi += 4 * sBp;
  }
  for (let p = 0; p < this.constants.kTail; p++) {
    sum0 += a[ai] * b[bi];
    ai += sAp;
    bi += sBp;
  }
  return sum0 + sum1;
}`;

/**
 * The resident form (device.ts): alpha and beta applied in the kernel, C read as an operand when
 * beta ≠ 0 (C laid out contiguously: ldc = n, strideC = m·n).
 */
export function gemmResidentSource(withC: boolean): string {
  const result = withC
    ? `this.constants.alpha * (sum0 + sum1) + this.constants.beta * c[(this.thread.z * this.constants.m + this.thread.y) * this.constants.n + this.thread.x]`
    : `this.constants.alpha * (sum0 + sum1)`;
  return GEMM_SOURCE.replace('function (a, b) {', withC ? 'function (a, b, c) {' : 'function (a, b) {').replace(
    'return sum0 + sum1;',
    `return ${result};`,
  );
}

function checkGemm(g: GemmArgs): void {
  for (const key of ['m', 'n', 'k', 'batch', 'lda', 'ldb', 'ldc', 'strideA', 'strideB', 'strideC'] as const) {
    if (!Number.isInteger(g[key]) || g[key] < 0)
      throw new Error(`gpujs gemm: ${key} must be a non-negative integer, got ${g[key]}`);
  }
  if (!Number.isFinite(g.alpha) || !Number.isFinite(g.beta))
    throw new Error(`gpujs gemm: alpha and beta must be finite, got ${g.alpha}, ${g.beta}`);
  const need = (name: string, ld: number, cols: number): void => {
    if (ld < cols) throw new Error(`gpujs gemm: ${name} = ${ld} is smaller than the ${cols} columns it strides`);
  };
  need('lda', g.lda, g.transA ? g.m : g.k);
  need('ldb', g.ldb, g.transB ? g.k : g.n);
  need('ldc', g.ldc, g.n);
}

export function gemm(cache: KernelCache, g: GemmArgs): void {
  checkGemm(g);
  const { m, n, k, c, alpha, beta } = g;
  if (m === 0 || n === 0 || g.batch === 0) return;
  // Strides of op(A)[i][p] and op(B)[p][j].
  const sAi = g.transA ? 1 : g.lda,
    sAp = g.transA ? g.lda : 1;
  const sBp = g.transB ? 1 : g.ldb,
    sBj = g.transB ? g.ldb : 1;
  const aSpan = k === 0 ? 0 : (m - 1) * sAi + (k - 1) * sAp + 1;
  const bSpan = k === 0 ? 0 : (k - 1) * sBp + (n - 1) * sBj + 1;
  // Batches per call: as many as keep each operand slice inside gpu.js's float index range.
  const fits = (span: number, stride: number): number =>
    stride === 0 ? g.batch : Math.floor((cache.maxIndex - 1 - span) / stride) + 1;
  const chunk = Math.max(1, Math.min(g.batch, fits(aSpan, g.strideA), fits(bSpan, g.strideB)));
  const cEnd = g.cOffset + (g.batch - 1) * g.strideC + (m - 1) * g.ldc + n;
  if (g.cOffset < 0 || cEnd > c.length)
    throw new Error(`gpujs gemm: C needs elements [${g.cOffset}, ${cEnd}) but its buffer has ${c.length}`);
  const device = cache.device;
  const contiguous = g.ldc === n && (g.batch === 1 || g.strideC === m * n);
  if (device && k > 0 && chunk === g.batch && contiguous) {
    // Resident (device.ts): C is one output texture.
    const A = operand(cache, device, g.a, g.aOffset, (g.batch - 1) * g.strideA + aSpan, 'gemm A');
    const B = operand(cache, device, g.b, g.bOffset, (g.batch - 1) * g.strideB + bSpan, 'gemm B');
    const ops: [string, Operand][] = [
      ['a', A],
      ['b', B],
    ];
    if (beta !== 0) ops.push(['c', operand(cache, device, c, g.cOffset, g.batch * m * n, 'gemm C')]);
    const constants = { k4: k >> 2, kTail: k & 3, sAi, sAp, sBj, sBp, strideA: g.strideA, strideB: g.strideB };
    const src = gemmResidentSource(beta !== 0);
    runResident(cache, device, 'gemm', src, [n, m, g.batch], { ...constants, m, n, alpha, beta }, ops, c, g.cOffset);
    return;
  }
  if (device) cache.slice(c, g.cOffset, cEnd - g.cOffset, 'gemm C'); // written on the host: brought back first
  const zeros = new Float32Array(k === 0 ? n : 0);
  for (let t0 = 0; t0 < g.batch; t0 += chunk) {
    const nb = Math.min(chunk, g.batch - t0);
    const cBase = g.cOffset + t0 * g.strideC;
    // Row r of this chunk's product is row r mod m of batch item r / m.
    const write = (row: ArrayLike<number>, r: number): void => {
      const o = cBase + Math.floor(r / m) * g.strideC + (r % m) * g.ldc;
      if (beta === 0)
        for (let j = 0; j < n; j++) c[o + j] = alpha * row[j]; // C is not read: it may hold NaN
      else for (let j = 0; j < n; j++) c[o + j] = alpha * row[j] + beta * c[o + j];
    };
    if (k === 0) {
      // op(A)·op(B) is zero: gpu.js has no empty arrays, and nothing to compute
      for (let r = 0; r < nb * m; r++) write(zeros, r);
      continue;
    }
    const a = cache.slice(g.a, g.aOffset + t0 * g.strideA, (nb - 1) * g.strideA + aSpan, 'gemm A');
    const b = cache.slice(g.b, g.bOffset + t0 * g.strideB, (nb - 1) * g.strideB + bSpan, 'gemm B');
    const constants = { k4: k >> 2, kTail: k & 3, sAi, sAp, sBj, sBp, strideA: g.strideA, strideB: g.strideB };
    const kern = cache.get('gemm', GEMM_SOURCE, [n, m, nb], constants);
    forEachRow(cache.run('gemm', kern, [a, b]), write);
  }
}
