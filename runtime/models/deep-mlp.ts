// The depth-scaling network of the paper's Fig. 6 (§5.6): L linear layers of width 1024 with no
// bias, L from 1 to 100. HOW THE ENDS ATTACH (the paper does not say): layer 1 maps the 784 input
// pixels to 1024, layers 2…L map 1024 to 1024, each of the L layers is followed by ReLU, and a
// bias-free linear readout 1024→10 (not counted in L) gives the logits for softmax cross-entropy.
// So L = 1 is 784→1024→10 and every L adds one 1024×1024 matmul: the cost grows linearly in L.
// Params: `{ layers: Tensor[] /* L weights */, out: Tensor /* [1024, 10] */ }`, walked by a for-of
// loop (the transform differentiates loops over Tensor[]).
// INIT: He/Kaiming normal, std √(2/fan_in), for every layer including the readout; layer i from
// stream i+1 of the seed, the readout from stream L+1. Learning rate: the paper measures only time
// and memory for this model; we use the MLP's 2e-4.
import { Tensor, matmul, randn, relu, softmaxCrossEntropy } from '../index';
import type { Model } from './types';

export interface DeepMlpParams {
  layers: Tensor[];
  out: Tensor;
}

/**
 * Class scores of the deep MLP on x[B, inputs].
 * @forwardGrad
 */
export function deepMlpLogits(p: DeepMlpParams, x: Tensor): Tensor {
  let h = x;
  for (const w of p.layers) h = relu(matmul(h, w));
  return matmul(h, p.out);
}

/**
 * Mean cross-entropy of the deep MLP on a batch.
 * @forwardGrad
 */
export function deepMlpLoss(p: DeepMlpParams, x: Tensor, labels: Int32Array): Tensor {
  return softmaxCrossEntropy(deepMlpLogits(p, x), labels);
}

export const MAX_DEPTH = 100;

export interface DeepMlpSizes {
  inputs: number;
  width: number;
  classes: number;
}
export const PAPER_DEEP_MLP: DeepMlpSizes = { inputs: 784, width: 1024, classes: 10 };

function checkDepth(L: number): void {
  if (!Number.isInteger(L) || L < 1 || L > MAX_DEPTH)
    throw new Error(`deepMlp: depth L must be an integer in [1, ${MAX_DEPTH}], got ${L}`);
}

/** He-normal weights for L layers and the readout. */
export function initDeepMlp(L: number, seed: number, s: DeepMlpSizes = PAPER_DEEP_MLP): DeepMlpParams {
  checkDepth(L);
  const he = (fanIn: number) => Math.sqrt(2 / fanIn);
  const layers: Tensor[] = [];
  for (let i = 0; i < L; i++) {
    const fanIn = i === 0 ? s.inputs : s.width;
    layers.push(randn([fanIn, s.width], seed, { stream: i + 1, scale: he(fanIn) }));
  }
  return { layers, out: randn([s.width, s.classes], seed, { stream: L + 1, scale: he(s.width) }) };
}

/** The depth-L model (L hidden layers of width 1024, no bias). */
export function deepMlp(L: number): Model<DeepMlpParams> {
  checkDepth(L);
  return {
    name: `deep-mlp-${L}`,
    layout: 'flat',
    loss: deepMlpLoss,
    logits: deepMlpLogits,
    init: (seed: number, sizes?: DeepMlpSizes) => initDeepMlp(L, seed, sizes),
    paperLr: 2e-4,
    description: `MLP of ${L} bias-free ReLU layers of width 1024 plus a 1024→10 readout (paper §5.6, Fig. 6)`,
  };
}
