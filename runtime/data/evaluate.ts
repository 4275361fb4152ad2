// Loss and accuracy of a model over a whole dataset: the logits of each chunk of examples (primal
// ops only, inside `tidy`, so nothing is taped or kept), then the mean cross-entropy and the
// fraction of argmax hits, accumulated in float64 from the logits.
import { Tensor } from '../tensor/tensor';
import { tensor } from '../tensor/create';
import { tidy } from '../tensor/pool';
import type { Model } from '../models/types';
import type { Dataset } from './mnist';
import { checkOptions } from '../options';

export interface EvaluateOptions {
  /** Examples per forward pass (memory only; the result does not depend on it). */
  readonly batchSize?: number;
}

export interface Evaluation {
  /** Mean softmax cross-entropy over the dataset. */
  readonly loss: number;
  /** Fraction of examples whose largest logit is the label's (first maximum on ties). */
  readonly accuracy: number;
}

export const DEFAULT_EVAL_BATCH = 500;
/** The keys of EvaluateOptions. */
const EVALUATE_OPTIONS = ['batchSize'];

export function evaluate<P>(model: Model<P>, params: P, dataset: Dataset, options: EvaluateOptions = {}): Evaluation {
  const fail = (what: string): Error => new Error(`evaluate: ${what}`);
  if (!model || typeof model.logits !== 'function') throw fail('model must be a Model (with logits)');
  if (
    !dataset ||
    !(dataset.images instanceof Float32Array) ||
    !(dataset.labels instanceof Int32Array) ||
    !(dataset.count >= 1)
  ) {
    throw fail('dataset must be a non-empty Dataset from loadMnist');
  }
  checkOptions(options, EVALUATE_OPTIONS, 'evaluate');
  const batchSize = options.batchSize ?? DEFAULT_EVAL_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw fail(`option batchSize must be a positive integer, got ${batchSize}`);
  const { count, height, width, images, labels } = dataset;
  const pixels = height * width;
  let lossSum = 0,
    hits = 0;
  for (let start = 0; start < count; start += batchSize) {
    const b = Math.min(batchSize, count - start);
    tidy(() => {
      const shape = model.layout === 'image' ? [b, 1, height, width] : [b, pixels];
      const x = tensor(images.subarray(start * pixels, (start + b) * pixels), shape);
      const logits: Tensor = model.logits(params, x);
      if (logits.rank !== 2 || logits.shape[0] !== b) {
        throw fail(
          `model ${model.name} returned logits of shape [${logits.shape.join(', ')}] for ${b} examples (expected [${b}, classes])`,
        );
      }
      const classes = logits.shape[1],
        z = logits.toArray();
      for (let i = 0; i < b; i++) {
        const row = i * classes,
          label = labels[start + i];
        if (label < 0 || label >= classes)
          throw fail(`${dataset.name}: label ${label} at index ${start + i} is outside 0–${classes - 1}`);
        let max = -Infinity,
          arg = 0;
        for (let c = 0; c < classes; c++)
          if (z[row + c] > max) {
            max = z[row + c];
            arg = c;
          }
        let s = 0;
        for (let c = 0; c < classes; c++) s += Math.exp(z[row + c] - max);
        lossSum += Math.log(s) + max - z[row + label];
        if (arg === label) hits++;
      }
    });
  }
  return { loss: lossSum / count, accuracy: hits / count };
}
