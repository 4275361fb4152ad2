// Row-wise log-softmax and softmax cross-entropy, each with its tangent from the same softmax.
import type { LogSoftmaxArgs, SoftmaxCrossEntropyArgs } from '../backend';

/** log Σ exp over one row, shifted by the row max for stability. */
function logSumExp(x: Float32Array, o: number, cols: number): number {
  let m = -Infinity;
  for (let c = 0; c < cols; c++) if (x[o + c] > m) m = x[o + c];
  let s = 0;
  for (let c = 0; c < cols; c++) s += Math.exp(x[o + c] - m);
  return m + Math.log(s);
}

export function logSoftmax(g: LogSoftmaxArgs): void {
  const { x, y, rows, cols, dx, dy } = g;
  const K = g.directions ?? 1,
    size = rows * cols;
  for (let r = 0; r < rows; r++) {
    const xo = g.xOffset + r * cols,
      yo = g.yOffset + r * cols;
    const lse = logSumExp(x, xo, cols);
    if (dx && dy) {
      for (let k = 0; k < K; k++) {
        const dxo = (g.dxOffset ?? 0) + k * size + r * cols,
          dyo = (g.dyOffset ?? 0) + k * size + r * cols;
        let dot = 0;
        for (let c = 0; c < cols; c++) dot += Math.exp(x[xo + c] - lse) * dx[dxo + c];
        for (let c = 0; c < cols; c++) dy[dyo + c] = dx[dxo + c] - dot;
      }
    }
    for (let c = 0; c < cols; c++) y[yo + c] = x[xo + c] - lse; // after the tangent: y may alias x
  }
}

let sumsBuf = new Float64Array(8);

/** Zeroed per-direction accumulators (grow-only, so steady state allocates nothing). */
function sums(k: number): Float64Array {
  if (sumsBuf.length < k) sumsBuf = new Float64Array(2 * k);
  sumsBuf.fill(0, 0, k);
  return sumsBuf;
}

export function softmaxCrossEntropy(g: SoftmaxCrossEntropyArgs): number {
  const { logits, rows, cols, labels, dlogits, dloss, probs } = g;
  const K = g.directions ?? 1,
    size = rows * cols;
  const dsum = sums(dlogits && dloss ? K : 0);
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const o = g.logitsOffset + r * cols,
      label = labels[r];
    const lse = logSumExp(logits, o, cols);
    loss += lse - logits[o + label];
    if (probs) for (let c = 0; c < cols; c++) probs[r * cols + c] = Math.exp(logits[o + c] - lse);
    if (!dlogits || !dloss) continue;
    for (let k = 0; k < K; k++) {
      const d = (g.dlogitsOffset ?? 0) + k * size + r * cols;
      let dot = 0;
      for (let c = 0; c < cols; c++) dot += Math.exp(logits[o + c] - lse) * dlogits[d + c];
      dsum[k] += dot - dlogits[d + label];
    }
  }
  if (dlogits && dloss) for (let k = 0; k < K; k++) dloss[k] = dsum[k] / rows;
  return loss / rows;
}
