// Public runtime API of `forwardgrad`. Each part appends its exports here.
export { registerJvp, lookupJvp } from './registry';
export type { TwinMeta, Twin } from './registry';
export { Tensor, isTensor } from './tensor/tensor';
export { forwardGrad } from './decorator';
export { zerosLike } from './twin-support';
export { tensor, zeros, full, randn } from './tensor/create';
export type { TensorData } from './tensor/create';
export { tidy, keep, dispose, memoryInfo } from './tensor/pool';
export * from './ops/index';
export { setBackend, getBackend, listBackends, registerBackend } from '../kernels/select';
