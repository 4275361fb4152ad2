// Tensor ops and their JVPs (the names the manifest lists), re-exported by runtime/index.ts.
// Elementwise: every table op with its Jvp and Vjp, and ELEMENTWISE_RULES (all that file exports).
export * from './elementwise';
export { matmul, matmulJvp } from './matmul';
export { conv2d, conv2dJvp } from './conv';
export type { Conv2dOptions } from './conv';
export { maxPool2d, maxPool2dJvp } from './pool';
export type { MaxPool2dOptions } from './pool';
export { sum, mean, sumJvp, meanJvp } from './reduce';
export { reshape, transpose, reshapeJvp, transposeJvp } from './shape';
export { logSoftmax, softmaxCrossEntropy, logSoftmaxJvp, softmaxCrossEntropyJvp } from './softmax';
export { itemJvp } from './item';
export type { Labels } from './softmax';
export type { Operand, Tangent, JvpResult } from './tangents';
export { JVP_RULES, METHOD_RULES } from './jvp-rules';
