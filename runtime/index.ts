// Public runtime API of `forwardgrad`. Each part appends its exports here.
export { registerJvp, lookupJvp } from './registry';
export type { TwinMeta, Twin } from './registry';
export { Tensor, isTensor } from './tensor/tensor';
