// Multinomial logistic regression (paper §5.3): logits = x·W + b with W [784, 10], b [10], trained
// on the mean softmax cross-entropy. INIT: all zeros (the loss is convex, so no symmetry needs
// breaking; every run then starts from loss ln 10 and runs differ only in batches and directions);
// the seed is accepted for the common Model interface and unused. Paper learning rate 1e-4 (Fig. 3).
import { Tensor, add, matmul, softmaxCrossEntropy, zeros } from '../index';
import type { Model } from './types';

export interface LogregParams {
  w: Tensor;
  b: Tensor;
}

/**
 * Class scores x[B, inputs]·w + b.
 * @forwardGrad
 */
export function logregLogits(p: LogregParams, x: Tensor): Tensor {
  return add(matmul(x, p.w), p.b);
}

/**
 * Mean cross-entropy of logistic regression on a batch.
 * @forwardGrad
 */
export function logregLoss(p: LogregParams, x: Tensor, labels: Int32Array): Tensor {
  return softmaxCrossEntropy(logregLogits(p, x), labels);
}

/** Zero parameters for `inputs` features and `classes` classes (paper: 784, 10); seed unused. */
export function initLogreg(
  _seed: number,
  sizes: { inputs: number; classes: number } = { inputs: 784, classes: 10 },
): LogregParams {
  return { w: zeros([sizes.inputs, sizes.classes]), b: zeros([sizes.classes]) };
}

export const logisticRegression: Model<LogregParams> = {
  name: 'logreg',
  layout: 'flat',
  loss: logregLoss,
  logits: logregLogits,
  init: initLogreg,
  paperLr: 1e-4,
  description: 'multinomial logistic regression 784→10 (paper §5.3)',
};
