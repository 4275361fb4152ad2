// Row-wise log-softmax and softmax cross-entropy as gpu.js kernels, each tangent from the same
// softmax. gpu.js runs one thread per output, so each thread recomputes its row's log-sum-exp
// (O(cols) per element): fine for classifier heads, where cols is the class count.
import type { LogSoftmaxArgs, SoftmaxCrossEntropyArgs } from '../backend';
import { KernelCache, forEachRow } from './runtime';
import { operand, operandKinds, runResident, type Operand } from './device';
import { baseOperands } from './flat';
import { syncHost } from '../residency';

/** Sets `lse` = log Σ_c exp(x[r0 + c]) for the row starting at r0 (shifted by the max). */
const ROW_LSE = `let m = x[r0];
  for (let c = 1; c < this.constants.cols; c++) {
    m = Math.max(m, x[r0 + c]);
  }
  let s = 0.0;
  for (let c = 0; c < this.constants.cols; c++) {
    s += Math.exp(x[r0 + c] - m);
  }
  const lse = m + Math.log(s);`;

/** Sets `dot` = Σ_c softmax(x)[r0 + c] · dx[d0 + c]. */
const ROW_DOT = `let dot = 0.0;
    for (let c = 0; c < this.constants.cols; c++) {
      dot += Math.exp(x[r0 + c] - lse) * dx[d0 + c];
    }`;

/** Output [cols, rows]. */
export const LOG_SOFTMAX_SOURCE = `function (x) {
  const r0 = this.thread.y * this.constants.cols;
  ${ROW_LSE}
  return x[r0 + this.thread.x] - lse;
}`;

/** Output [cols, rows, K + 1]: z = 0 the value, z = k + 1 tangent k. */
export const LOG_SOFTMAX_JVP_SOURCE = `function (x, dx) {
  const r0 = this.thread.y * this.constants.cols;
  ${ROW_LSE}
  let out = x[r0 + this.thread.x] - lse;
  if (this.thread.z > 0) {
    const d0 = (this.thread.z - 1) * this.constants.size + r0;
    ${ROW_DOT}
    out = dx[d0 + this.thread.x] - dot;
  }
  return out;
}`;

/** Output [rows, K + 1]: y = 0 the row's loss lse − x[label], y = k + 1 its tangent k. */
export const CROSS_ENTROPY_SOURCE = `function (x, labels, dx) {
  const r0 = this.thread.x * this.constants.cols;
  const label = labels[this.thread.x];
  ${ROW_LSE}
  let out = lse - x[r0 + label];
  if (this.thread.y > 0) {
    const d0 = (this.thread.y - 1) * this.constants.size + r0;
    ${ROW_DOT}
    out = dot - dx[d0 + label];
  }
  return out;
}`;

/** Output [cols, rows]: the softmax, for reverse mode. */
export const SOFTMAX_SOURCE = `function (x) {
  const r0 = this.thread.y * this.constants.cols;
  ${ROW_LSE}
  return Math.exp(x[r0 + this.thread.x] - lse);
}`;

function checkRows(what: string, rows: number, cols: number, K: number): void {
  if (!Number.isInteger(rows) || rows < 0)
    throw new Error(`gpujs ${what}: rows must be a non-negative integer, got ${rows}`);
  if (!Number.isInteger(cols) || cols < 1)
    throw new Error(`gpujs ${what}: cols must be a positive integer, got ${cols}`);
  if (!Number.isInteger(K) || K < 1) throw new Error(`gpujs ${what}: directions must be an integer ≥ 1, got ${K}`);
}

export function logSoftmax(cache: KernelCache, g: LogSoftmaxArgs): void {
  const { rows, cols } = g;
  const K = g.directions ?? 1,
    size = rows * cols;
  checkRows('logSoftmax', rows, cols, K);
  if (rows === 0) return;
  const device = cache.device;
  if (device) {
    // Resident (device.ts): y, or [y; dy] stacked in one buffer, is one output texture.
    const x = operand(cache, device, g.x, g.xOffset, size, 'logSoftmax x');
    if (!g.dx || !g.dy) {
      runResident(cache, device, 'logSoftmax', LOG_SOFTMAX_SOURCE, [cols, rows], { cols }, [['x', x]], g.y, g.yOffset);
      return;
    }
    if (g.dy === g.y && (g.dyOffset ?? 0) === g.yOffset + size) {
      const dx = operand(cache, device, g.dx, g.dxOffset ?? 0, K * size, 'logSoftmax dx');
      const ops: [string, Operand][] = [
        ['x', x],
        ['dx', dx],
      ];
      runResident(
        cache,
        device,
        'logSoftmax-jvp',
        LOG_SOFTMAX_JVP_SOURCE,
        [cols, rows, K + 1],
        { cols, size },
        ops,
        g.y,
        g.yOffset,
      );
      return;
    }
  }
  const x = cache.slice(g.x, g.xOffset, size, 'logSoftmax x');
  cache.slice(g.y, g.yOffset, size, 'logSoftmax y');
  if (!g.dx || !g.dy) {
    const kern = cache.get('logSoftmax', LOG_SOFTMAX_SOURCE, [cols, rows], { cols });
    forEachRow(cache.run('logSoftmax', kern, [x]), (row, r) => g.y.set(row, g.yOffset + r * cols));
    return;
  }
  const dx = cache.slice(g.dx, g.dxOffset ?? 0, K * size, 'logSoftmax dx');
  const dy = g.dy,
    dyo = g.dyOffset ?? 0;
  cache.slice(dy, dyo, K * size, 'logSoftmax dy');
  const kern = cache.get('logSoftmax-jvp', LOG_SOFTMAX_JVP_SOURCE, [cols, rows, K + 1], { cols, size });
  // Rows r < rows are the value; the following blocks of `rows` rows are tangents 0 … K − 1.
  forEachRow(cache.run('logSoftmax-jvp', kern, [x, dx]), (row, r) => {
    if (r < rows) g.y.set(row, g.yOffset + r * cols);
    else dy.set(row, dyo + (r - rows) * cols);
  });
}

export function softmaxCrossEntropy(cache: KernelCache, g: SoftmaxCrossEntropyArgs): number {
  const { rows, cols } = g;
  const withTangent = g.dlogits !== undefined && g.dloss !== undefined;
  const K = withTangent ? (g.directions ?? 1) : 1,
    size = rows * cols;
  checkRows('softmaxCrossEntropy', rows, cols, K);
  if (rows === 0) throw new Error('gpujs softmaxCrossEntropy: the mean over 0 rows is undefined');
  if (g.labels.length < rows) throw new Error(`gpujs softmaxCrossEntropy: ${g.labels.length} labels for ${rows} rows`);
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const l = g.labels[r];
    if (!Number.isInteger(l) || l < 0 || l >= cols)
      throw new Error(`gpujs softmaxCrossEntropy: label ${l} at row ${r} is outside [0, ${cols})`);
    labels[r] = l;
  }
  // On a device the logits and their tangents are read where they are (textures, from their
  // bases): only the per-row losses come back, the step's one read-back with the tangents'.
  const device = cache.device;
  const read = (buf: Float32Array, offset: number, length: number, what: string): Operand =>
    device
      ? operand(cache, device, buf, offset, length, what)
      : { arg: cache.slice(buf, offset, length, what), base: 0, host: true };
  const x = read(g.logits, g.logitsOffset, size, 'softmaxCrossEntropy logits');
  // Without a tangent the kernel still takes a dx argument: one unused zero.
  const dx: Operand = withTangent
    ? read(g.dlogits!, g.dlogitsOffset ?? 0, K * size, 'softmaxCrossEntropy dlogits')
    : { arg: new Float32Array(1), base: 0, host: true };
  const slots = withTangent ? K + 1 : 1;
  if (withTangent && g.dloss!.length < K)
    throw new Error(`gpujs softmaxCrossEntropy: dloss has ${g.dloss!.length} elements for ${K} directions`);
  if (withTangent && device) syncHost(g.dloss!); // written on the host below
  const kinds = operandKinds([x, dx]);
  const kern = device
    ? cache.get(`crossEntropy@${kinds}`, () => baseOperands(CROSS_ENTROPY_SOURCE, ['x', 'dx']), [rows, slots], {
        cols,
        size,
        x_base: x.base,
        dx_base: dx.base,
      })
    : cache.get('crossEntropy', CROSS_ENTROPY_SOURCE, [rows, slots], { cols, size });
  // Each output row is one slot over all data rows: its mean (in float64) is the loss or dloss[k].
  let loss = NaN;
  forEachRow(cache.run('crossEntropy', kern, [x.arg, labels, dx.arg]), (row, slot) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += row[r];
    if (slot === 0) loss = s / rows;
    else g.dloss![slot - 1] = s / rows;
  });
  if (g.probs) {
    cache.slice(g.probs, 0, size, 'softmaxCrossEntropy probs');
    const logits = cache.slice(g.logits, g.logitsOffset, size, 'softmaxCrossEntropy logits');
    const kern = cache.get('softmax', SOFTMAX_SOURCE, [cols, rows], { cols });
    forEachRow(cache.run('softmax', kern, [logits]), (row, r) => g.probs!.set(row, r * cols));
  }
  return loss;
}
