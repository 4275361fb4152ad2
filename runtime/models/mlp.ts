// The paper's multi-layer network (§5.4): 784→1024→1024→10, ReLU after the two hidden layers,
// mean softmax cross-entropy. INIT: weights He/Kaiming normal, std √(2/fan_in) (ReLU follows the
// hidden layers; the output layer uses the same rule for simplicity), biases zero; each weight
// from its own counter-based stream (1, 2, 3) of the seed. Paper learning rate 2e-4 (Fig. 4 also
// shows 2e-5).
import { Tensor, add, matmul, randn, relu, softmaxCrossEntropy, zeros } from '../index';
import type { Model } from './types';

export interface MlpParams {
  w1: Tensor;
  b1: Tensor;
  w2: Tensor;
  b2: Tensor;
  w3: Tensor;
  b3: Tensor;
}

/**
 * Class scores of the MLP on x[B, inputs].
 * @forwardGrad
 */
export function mlpLogits(p: MlpParams, x: Tensor): Tensor {
  const h1 = relu(add(matmul(x, p.w1), p.b1));
  const h2 = relu(add(matmul(h1, p.w2), p.b2));
  return add(matmul(h2, p.w3), p.b3);
}

/**
 * Mean cross-entropy of the MLP on a batch.
 * @forwardGrad
 */
export function mlpLoss(p: MlpParams, x: Tensor, labels: Int32Array): Tensor {
  return softmaxCrossEntropy(mlpLogits(p, x), labels);
}

/** Layer sizes [inputs, hidden1, hidden2, classes]. */
export type MlpSizes = readonly [number, number, number, number];
export const PAPER_MLP: MlpSizes = [784, 1024, 1024, 10];

/** He-normal weights, zero biases. */
export function initMlp(seed: number, sizes: MlpSizes = PAPER_MLP): MlpParams {
  const [i, h1, h2, c] = sizes;
  const he = (fanIn: number) => Math.sqrt(2 / fanIn);
  return {
    w1: randn([i, h1], seed, { stream: 1, scale: he(i) }),
    b1: zeros([h1]),
    w2: randn([h1, h2], seed, { stream: 2, scale: he(h1) }),
    b2: zeros([h2]),
    w3: randn([h2, c], seed, { stream: 3, scale: he(h2) }),
    b3: zeros([c]),
  };
}

export const mlp: Model<MlpParams> = {
  name: 'mlp',
  layout: 'flat',
  loss: mlpLoss,
  logits: mlpLogits,
  init: initMlp,
  paperLr: 2e-4,
  description: 'MLP 784→1024→1024→10 with ReLU (paper §5.4)',
};
