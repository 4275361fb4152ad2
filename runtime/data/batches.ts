// Minibatches as tensors reused across steps, in an order that is a pure function of (seed, step).
//
// THE ORDER. The examples are read as one endless stream: epoch e is a permutation of 0…count−1
// (Fisher–Yates from the counter-based Rng(seed, BATCH_STREAM + e)), epochs follow one another,
// and step s (s ≥ 1) takes stream positions (s−1)·B … s·B−1. Every batch is full (a batch may
// straddle two epochs), every example appears exactly once per epoch, and `batch(s)` needs no
// history: a run resumed at step s sees the batches an uninterrupted run would have seen.
//
// THE TENSORS. `x` ([B, 784] for layout 'flat', [B, 1, 28, 28] for 'image') and `labels` are
// allocated once, kept out of tidy scopes, and overwritten by every `batch()` call: callers use
// them within the step and must not dispose them (`dispose()` on the Batches releases them).
import { Rng } from '../../kernels/rng';
import { zeros } from '../tensor/create';
import { keep } from '../tensor/pool';
import { Tensor } from '../tensor/tensor';
import { markWritten } from '../tensor/version';
import { checkOptions } from '../options';
import type { Dataset } from './mnist';
import { permutation } from './mnist';

export type Layout = 'flat' | 'image';

export interface BatchesOptions {
  /** Examples per batch (the paper's 64). */
  readonly batchSize?: number;
  /** Seed of the epoch permutations (a non-negative safe integer). */
  readonly seed: number;
  /** 'flat': x is [B, height·width]; 'image': x is [B, 1, height, width]. */
  readonly layout: Layout;
}

export interface Batch {
  readonly x: Tensor;
  readonly labels: Int32Array;
}

/** The keys of BatchesOptions: any other key is a typo that would silently fall back to a default. */
const BATCHES_OPTIONS = ['batchSize', 'seed', 'layout'];

export const DEFAULT_BATCH_SIZE = 64;
/** Rng stream of epoch 0's permutation: far above the direction streams fgd draws (0, 1, 2, …). */
export const BATCH_STREAM = 2 ** 40;

export class Batches {
  /** Examples per batch. */
  readonly size: number;
  readonly layout: Layout;
  readonly seed: number;
  /** Steps per epoch (count / size, not necessarily an integer: batches may straddle epochs). */
  readonly stepsPerEpoch: number;
  private readonly x: Tensor;
  private readonly labels: Int32Array;
  /** The two most recently used epoch permutations (a batch touches at most two when B ≤ count). */
  private readonly cache = new Map<number, Int32Array>();
  private disposed = false;

  constructor(
    readonly dataset: Dataset,
    options: BatchesOptions,
  ) {
    const fail = (what: string): Error => new Error(`Batches: ${what}`);
    if (!dataset || !(dataset.images instanceof Float32Array) || !(dataset.labels instanceof Int32Array)) {
      throw fail(
        'dataset must be a Dataset from loadMnist ({ images: Float32Array, labels: Int32Array, count, height, width })',
      );
    }
    const { count, height, width } = dataset;
    if (
      !Number.isInteger(count) ||
      count < 1 ||
      dataset.labels.length !== count ||
      dataset.images.length !== count * height * width
    ) {
      throw fail(
        `dataset ${dataset.name} is inconsistent: count ${count}, ${dataset.labels.length} labels, ${dataset.images.length} pixels for ${height}×${width} images`,
      );
    }
    if (!options || typeof options !== 'object') throw fail('options { seed, layout, batchSize? } are required');
    checkOptions(options, BATCHES_OPTIONS, 'Batches');
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > count) {
      throw fail(`option batchSize must be an integer in [1, ${count}] (the dataset's size), got ${batchSize}`);
    }
    if (!Number.isSafeInteger(options.seed) || options.seed < 0)
      throw fail(`option seed must be a non-negative safe integer, got ${options.seed}`);
    if (options.layout !== 'flat' && options.layout !== 'image')
      throw fail(`option layout must be 'flat' or 'image', got ${JSON.stringify(options.layout)}`);
    this.size = batchSize;
    this.layout = options.layout;
    this.seed = options.seed;
    this.stepsPerEpoch = count / batchSize;
    const shape = this.layout === 'flat' ? [batchSize, height * width] : [batchSize, 1, height, width];
    this.x = keep(zeros(shape));
    this.labels = new Int32Array(batchSize);
  }

  /** The batch of step `step` (≥ 1), written into the shared tensors. */
  batch(step: number): Batch {
    if (this.disposed) throw new Error('Batches: batch() after dispose()');
    if (!Number.isSafeInteger(step) || step < 1) throw new Error(`Batches: step must be an integer ≥ 1, got ${step}`);
    const { count, images, labels } = this.dataset;
    const pixels = images.length / count,
      out = this.x.toArray();
    const first = (step - 1) * this.size;
    if (!Number.isSafeInteger(first + this.size)) throw new Error(`Batches: step ${step} is too large`);
    for (let i = 0; i < this.size; i++) {
      const pos = first + i,
        epoch = Math.floor(pos / count);
      const k = this.epoch(epoch)[pos - epoch * count];
      out.set(images.subarray(k * pixels, (k + 1) * pixels), i * pixels);
      this.labels[i] = labels[k];
    }
    // A no-op unless someone sealed x for reuse (then its packed copies must be invalidated).
    markWritten(this.x);
    return { x: this.x, labels: this.labels };
  }

  /** Epoch e's permutation of the example indices. */
  epoch(e: number): Int32Array {
    let p = this.cache.get(e);
    if (!p) {
      if (this.cache.size >= 2) this.cache.delete(this.cache.keys().next().value as number);
      p = permutation(this.dataset.count, new Rng(this.seed, BATCH_STREAM + e));
      this.cache.set(e, p);
    }
    return p;
  }

  /** Releases the batch tensor. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.x.dispose();
  }
}
