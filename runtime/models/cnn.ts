// The paper's CNN (§5.5): four 3×3 convolutions of 64 channels (padding 1, stride 1), ReLU after
// each, 2×2 max-pooling after the second and the fourth, then linear 1024 with ReLU and linear 10;
// mean softmax cross-entropy. On 1×28×28 inputs the flattened features are 64·7·7 = 3136.
// INIT: convolution filters and linear weights He/Kaiming normal, std √(2/fan_in) with
// fan_in = in_channels·3·3 for a convolution and the input width for a linear layer; biases zero
// (conv biases [C, 1, 1], broadcast over the image); each weight from its own stream of the seed.
// Paper learning rate 2e-4 (Fig. 5).
import { Tensor, add, conv2d, matmul, maxPool2d, randn, relu, reshape, softmaxCrossEntropy, zeros } from '../index';
import type { Model } from './types';

export interface CnnParams {
  c1: Tensor;
  cb1: Tensor;
  c2: Tensor;
  cb2: Tensor;
  c3: Tensor;
  cb3: Tensor;
  c4: Tensor;
  cb4: Tensor;
  w5: Tensor;
  b5: Tensor;
  w6: Tensor;
  b6: Tensor;
}

/**
 * conv 3×3 (padding 1) + per-channel bias [C, 1, 1] + ReLU.
 * @forwardGrad
 */
export function cnnBlock(x: Tensor, w: Tensor, b: Tensor): Tensor {
  return relu(add(conv2d(x, w, { stride: 1, padding: 1 }), b));
}

/**
 * Class scores of the CNN on images x[B, C, H, W] (H and W divisible by 4).
 * @forwardGrad
 */
export function cnnLogits(p: CnnParams, x: Tensor): Tensor {
  const a2 = maxPool2d(cnnBlock(cnnBlock(x, p.c1, p.cb1), p.c2, p.cb2), { size: 2, stride: 2 });
  const a4 = maxPool2d(cnnBlock(cnnBlock(a2, p.c3, p.cb3), p.c4, p.cb4), { size: 2, stride: 2 });
  const flat = reshape(a4, [x.shape[0], -1]);
  const h = relu(add(matmul(flat, p.w5), p.b5));
  return add(matmul(h, p.w6), p.b6);
}

/**
 * Mean cross-entropy of the CNN on a batch.
 * @forwardGrad
 */
export function cnnLoss(p: CnnParams, x: Tensor, labels: Int32Array): Tensor {
  return softmaxCrossEntropy(cnnLogits(p, x), labels);
}

export interface CnnSizes {
  inChannels: number;
  size: number;
  channels: number;
  hidden: number;
  classes: number;
}

/** The paper's sizes on MNIST: 1×28×28 inputs, 64 channels, 1024 hidden, 10 classes. */
export const PAPER_CNN: CnnSizes = { inChannels: 1, size: 28, channels: 64, hidden: 1024, classes: 10 };

/** He-normal filters and weights, zero biases (sizes reducible for tests). */
export function initCnn(seed: number, s: CnnSizes = PAPER_CNN): CnnParams {
  if (s.size % 4 !== 0) throw new Error(`initCnn: image size ${s.size} must be divisible by 4 (two 2×2 poolings)`);
  const he = (fanIn: number) => Math.sqrt(2 / fanIn);
  const conv = (cin: number, stream: number) => randn([s.channels, cin, 3, 3], seed, { stream, scale: he(cin * 9) });
  const bias = () => zeros([s.channels, 1, 1]);
  const flat = s.channels * (s.size / 4) * (s.size / 4);
  return {
    c1: conv(s.inChannels, 1),
    cb1: bias(),
    c2: conv(s.channels, 2),
    cb2: bias(),
    c3: conv(s.channels, 3),
    cb3: bias(),
    c4: conv(s.channels, 4),
    cb4: bias(),
    w5: randn([flat, s.hidden], seed, { stream: 5, scale: he(flat) }),
    b5: zeros([s.hidden]),
    w6: randn([s.hidden, s.classes], seed, { stream: 6, scale: he(s.hidden) }),
    b6: zeros([s.classes]),
  };
}

export const cnn: Model<CnnParams> = {
  name: 'cnn',
  layout: 'image',
  loss: cnnLoss,
  logits: cnnLogits,
  init: initCnn,
  paperLr: 2e-4,
  description: 'CNN 4× conv 3×3/64 (ReLU, max-pool after 2 and 4), linear 1024 (ReLU), linear 10 (paper §5.5)',
};
