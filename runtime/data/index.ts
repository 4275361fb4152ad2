// Data: the IDX reader, MNIST-format datasets, reusable minibatches, whole-dataset evaluation.
export { readIdx } from './idx';
export type { IdxFile, IdxType, IdxData } from './idx';
export { loadMnist, EMBEDDED_SPLIT_SEED, EMBEDDED_TRAIN, EMBEDDED_VALIDATION } from './mnist';
export type { Dataset, MnistData, LoadMnistOptions } from './mnist';
export { Batches, DEFAULT_BATCH_SIZE } from './batches';
export type { Batch, BatchesOptions, Layout } from './batches';
export { evaluate } from './evaluate';
export type { EvaluateOptions, Evaluation } from './evaluate';
