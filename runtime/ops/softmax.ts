// logSoftmax over the last axis, and softmaxCrossEntropy(logits[B,C], labels) → scalar mean loss;
// each tangent comes from the same softmax as the value, in one kernel pass.
// Reverse mode: x̄ = ȳ − softmax·Σȳ per row (softmax = exp(y)); the loss's logits̄ = ȳ·(p − onehot)/B
// from the softmax p that the taped forward pass kept (the kernel writes it while computing the loss).
import { Tensor, empty } from '../tensor/tensor';
import type { OpRule } from './rule';
import {
  JvpResult,
  Tangent,
  activeTensor,
  allocOut,
  backend,
  directions,
  expectTensor,
  opError,
  shapeStr,
} from './tangents';

export function logSoftmaxJvp(x: Tensor, dx: Tangent): JvpResult {
  expectTensor('logSoftmax', 'x', x);
  if (x.rank < 1 || x.shape[x.rank - 1] === 0)
    throw opError('logSoftmax', `expects a tensor with a non-empty last axis, got ${shapeStr(x.shape)}`);
  const cols = x.shape[x.rank - 1],
    rows = x.size / cols;
  const dir = directions('logSoftmax', [x, dx]);
  const [y, dy] = allocOut(x.shape, dir);
  const t = activeTensor(dx);
  backend().logSoftmax({
    x: x.kernelBuffer,
    xOffset: x.offset,
    rows,
    cols,
    y: y.kernelBuffer,
    yOffset: y.offset,
    dx: t?.kernelBuffer,
    dxOffset: t?.offset,
    dy: dy?.kernelBuffer,
    dyOffset: dy?.offset,
    directions: dir.K,
  });
  return [y, dy];
}

export type Labels = readonly number[] | Int32Array;

function checkLabels(logits: Tensor, labels: Labels): Int32Array {
  if (!Array.isArray(labels) && !(labels instanceof Int32Array)) {
    throw opError(
      'softmaxCrossEntropy',
      `labels must be a number[] or Int32Array, got ${labels === null ? 'null' : typeof labels}`,
    );
  }
  const [B, C] = logits.shape;
  if (labels.length !== B)
    throw opError(
      'softmaxCrossEntropy',
      `${labels.length} labels for logits ${shapeStr(logits.shape)} (expected ${B})`,
    );
  for (let i = 0; i < B; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= C) {
      throw opError(
        'softmaxCrossEntropy',
        `label ${l} at index ${i} is out of range [0, ${C}) for logits ${shapeStr(logits.shape)}`,
      );
    }
  }
  return labels instanceof Int32Array ? labels : Int32Array.from(labels);
}

export function softmaxCrossEntropyJvp(logits: Tensor, dlogits: Tangent, labels: Labels): JvpResult {
  return crossEntropy(logits, dlogits, labels, undefined);
}

/** The loss (and its tangent), writing the softmax into `probs` when given (for the VJP). */
function crossEntropy(logits: Tensor, dlogits: Tangent, labels: Labels, probs: Tensor | undefined): JvpResult {
  expectTensor('softmaxCrossEntropy', 'logits', logits);
  if (logits.rank !== 2 || logits.shape[0] === 0 || logits.shape[1] === 0) {
    throw opError('softmaxCrossEntropy', `expects non-empty logits[B,C], got ${shapeStr(logits.shape)}`);
  }
  const lab = checkLabels(logits, labels);
  const dir = directions('softmaxCrossEntropy', [logits, dlogits]);
  const t = activeTensor(dlogits);
  const [rows, cols] = logits.shape;
  // The loss and its tangent in storages of their own (not allocOut's stacked one): the kernel returns
  // the loss, written here on the host, while a device backend may leave dloss on the device; sharing
  // a buffer would make this host write read dloss back (kernels/residency.ts). `dloss` has no
  // offset argument, so it is a whole buffer.
  const y = empty([]),
    dy = dir.active ? empty(dir.axis ? [dir.K] : []) : undefined;
  const loss = backend().softmaxCrossEntropy({
    logits: logits.kernelBuffer,
    logitsOffset: logits.offset,
    rows,
    cols,
    labels: lab,
    dlogits: t?.kernelBuffer,
    dlogitsOffset: t?.offset,
    dloss: dy?.kernelBuffer,
    directions: dir.K,
    probs: probs?.kernelBuffer,
  });
  y.buffer[y.offset] = loss;
  return [y, dy];
}

export function logSoftmaxVjp(
  gy: Tensor,
  y: Tensor,
  _args: readonly unknown[],
  needs: readonly boolean[],
): (Tensor | undefined)[] {
  if (!needs[0]) return [undefined];
  const cols = y.shape[y.rank - 1],
    rows = y.size / cols;
  const gx = empty(y.shape);
  const g = gy.buffer,
    yb = y.buffer,
    out = gx.buffer;
  for (let r = 0; r < rows; r++) {
    const gr = gy.offset + r * cols,
      yr = y.offset + r * cols,
      xr = gx.offset + r * cols;
    let s = 0;
    for (let c = 0; c < cols; c++) s += g[gr + c];
    for (let c = 0; c < cols; c++) out[xr + c] = g[gr + c] - Math.exp(yb[yr + c]) * s;
  }
  return [gx];
}

/** Forward pass for the tape: the loss, and the softmax kept for the VJP. */
function softmaxCrossEntropyTaped(args: readonly unknown[]): { y: Tensor; saved: Tensor } {
  const logits = expectTensor('softmaxCrossEntropy', 'logits', args[0]);
  const probs = empty(logits.shape);
  try {
    return { y: crossEntropy(logits, undefined, args[1] as Labels, probs)[0], saved: probs };
  } catch (e) {
    probs.dispose();
    throw e;
  }
}

export function softmaxCrossEntropyVjp(
  gy: Tensor,
  _y: Tensor,
  args: readonly unknown[],
  needs: readonly boolean[],
  saved?: unknown,
): (Tensor | undefined)[] {
  if (!needs[0]) return [undefined, undefined];
  const logits = args[0] as Tensor,
    labels = args[1] as Labels;
  const [rows, cols] = logits.shape;
  let probs = saved as Tensor | undefined;
  const own = probs === undefined;
  if (own) probs = softmaxCrossEntropyTaped(args).saved;
  const gx = empty(logits.shape);
  const p = probs!.buffer,
    po = probs!.offset,
    out = gx.buffer,
    xo = gx.offset,
    scale = gy.item() / rows;
  for (let i = 0; i < rows * cols; i++) out[xo + i] = scale * p[po + i];
  for (let r = 0; r < rows; r++) out[xo + r * cols + labels[r]] -= scale;
  if (own) probs!.dispose();
  return [gx, undefined];
}

export const SOFTMAX_RULES: Record<string, OpRule> = {
  logSoftmax: {
    jvp: logSoftmaxJvp,
    vjp: logSoftmaxVjp,
    rule: 'ẏ = ẋ − Σ softmax(x)·ẋ per row',
    vjpRule: 'x̄ = ȳ − softmax(x)·Σȳ per row, softmax = exp(y)',
  },
  softmaxCrossEntropy: {
    jvp: softmaxCrossEntropyJvp,
    vjp: softmaxCrossEntropyVjp,
    taped: softmaxCrossEntropyTaped,
    rule: 'ẏ = mean_b(Σ_c p·ẋ − ẋ[label]) from the loss softmax',
    vjpRule: 'logits̄ = ȳ·(p − onehot(label))/B, p kept from the taped forward kernel',
  },
};
