// logSoftmax over the last axis, and softmaxCrossEntropy(logits[B,C], labels) → scalar mean loss;
// each tangent comes from the same softmax as the value, in one kernel pass.
import { Tensor } from '../tensor/tensor';
import { JvpResult, Tangent, activeTensor, allocOut, backend, directions, expectTensor, opError, shapeStr } from './tangents';

export function logSoftmaxJvp(x: Tensor, dx: Tangent): JvpResult {
  expectTensor('logSoftmax', 'x', x);
  if (x.rank < 1 || x.shape[x.rank - 1] === 0) throw opError('logSoftmax', `expects a tensor with a non-empty last axis, got ${shapeStr(x.shape)}`);
  const cols = x.shape[x.rank - 1], rows = x.size / cols;
  const dir = directions('logSoftmax', [x, dx]);
  const [y, dy] = allocOut(x.shape, dir);
  const t = activeTensor(dx);
  backend().logSoftmax({
    x: x.buffer, xOffset: x.offset, rows, cols, y: y.buffer, yOffset: y.offset,
    dx: t?.buffer, dxOffset: t?.offset, dy: dy?.buffer, dyOffset: dy?.offset, directions: dir.K,
  });
  return [y, dy];
}
export const logSoftmax = (x: Tensor): Tensor => logSoftmaxJvp(x, undefined)[0];

export type Labels = readonly number[] | Int32Array;

function checkLabels(logits: Tensor, labels: Labels): Int32Array {
  if (!Array.isArray(labels) && !(labels instanceof Int32Array)) {
    throw opError('softmaxCrossEntropy', `labels must be a number[] or Int32Array, got ${labels === null ? 'null' : typeof labels}`);
  }
  const [B, C] = logits.shape;
  if (labels.length !== B) throw opError('softmaxCrossEntropy', `${labels.length} labels for logits ${shapeStr(logits.shape)} (expected ${B})`);
  for (let i = 0; i < B; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= C) {
      throw opError('softmaxCrossEntropy', `label ${l} at index ${i} is out of range [0, ${C}) for logits ${shapeStr(logits.shape)}`);
    }
  }
  return labels instanceof Int32Array ? labels : Int32Array.from(labels);
}

export function softmaxCrossEntropyJvp(logits: Tensor, dlogits: Tangent, labels: Labels): JvpResult {
  expectTensor('softmaxCrossEntropy', 'logits', logits);
  if (logits.rank !== 2 || logits.shape[0] === 0 || logits.shape[1] === 0) {
    throw opError('softmaxCrossEntropy', `expects non-empty logits[B,C], got ${shapeStr(logits.shape)}`);
  }
  const lab = checkLabels(logits, labels);
  const dir = directions('softmaxCrossEntropy', [logits, dlogits]);
  const t = activeTensor(dlogits);
  const [rows, cols] = logits.shape;
  const [y, dy] = allocOut([], dir);
  const loss = backend().softmaxCrossEntropy({
    logits: logits.buffer, logitsOffset: logits.offset, rows, cols, labels: lab,
    dlogits: t?.buffer, dlogitsOffset: t?.offset, dloss: dy?.toArray(), directions: dir.K,
  });
  y.buffer[y.offset] = loss;
  return [y, dy];
}
export const softmaxCrossEntropy = (logits: Tensor, labels: Labels): Tensor => softmaxCrossEntropyJvp(logits, undefined, labels)[0];
