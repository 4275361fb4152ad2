// Public runtime API of `forwardgrad`. Each part appends its exports here.
export { registerJvp, lookupJvp, markCompiled } from './registry';
export type { TwinMeta, Twin } from './registry';
export { Tensor, isTensor } from './tensor/tensor';
export { forwardGrad } from './decorator';
export { zerosLike, withTwin, releaseTemp } from './twin-support';
export { tensor, zeros, full, randn } from './tensor/create';
export type { TensorData } from './tensor/create';
export { tidy, keep, dispose, memoryInfo, resetPeakMemory } from './tensor/pool';
export type { MemoryInfo } from './tensor/pool';
export * from './ops/index';
export { setBackend, getBackend, listBackends, registerBackend } from '../kernels/select';
export { jvp } from './jvp';
export type { JvpOptions } from './jvp';
export { forwardGradient } from './forward-gradient';
export type { ForwardGradientOptions, ForwardGradientResult } from './forward-gradient';
export { grad } from './grad';
export type { GradOptions, GradResult } from './grad';
export {
  fgd,
  gd,
  exponentialDecay,
  constant as constantSchedule,
  createOptimizer,
  Sgd,
  Momentum,
  Adam,
  loadCheckpoint,
  readJsonLines,
} from './fgd';
export type {
  FgdOptions,
  FgdMethod,
  DescentOptions,
  DescentResult,
  DescentStatus,
  StepInfo,
  Schedule,
  Optimizer,
  OptimizerState,
  OptimizerSpec,
} from './fgd';
export { Rng, fillNormal, fillRademacher, fillUniform, randomSeed } from '../kernels/rng';
export type { Distribution } from '../kernels/rng';
export {
  readIdx,
  loadMnist,
  Batches,
  evaluate,
  EMBEDDED_SPLIT_SEED,
  EMBEDDED_TRAIN,
  EMBEDDED_VALIDATION,
  DEFAULT_BATCH_SIZE,
} from './data/index';
export type {
  IdxFile,
  IdxType,
  IdxData,
  Dataset,
  MnistData,
  LoadMnistOptions,
  Batch,
  BatchesOptions,
  Layout,
  EvaluateOptions,
  Evaluation,
} from './data/index';
