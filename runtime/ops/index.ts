// Tensor ops, their JVPs and VJPs (the names the manifest lists), re-exported by runtime/index.ts.
// The public ops are defined once from the rule table (runtime/autodiff/primal.ts): the fused JVP
// without tangents, recorded on the tape when reverse mode tracks an argument.
import type { Tensor } from '../tensor/tensor';
import type { Conv2dOptions } from './conv';
import type { MaxPool2dOptions } from './pool';
import type { Labels } from './softmax';
import type { Operand } from './tangents';
import { primal } from '../autodiff/primal';

export const add: (a: Operand, b: Operand) => Tensor = primal('add');
export const sub: (a: Operand, b: Operand) => Tensor = primal('sub');
export const mul: (a: Operand, b: Operand) => Tensor = primal('mul');
export const div: (a: Operand, b: Operand) => Tensor = primal('div');
export const neg: (x: Tensor) => Tensor = primal('neg');
export const square: (x: Tensor) => Tensor = primal('square');
export const relu: (x: Tensor) => Tensor = primal('relu');
export const tanh: (x: Tensor) => Tensor = primal('tanh');
export const sigmoid: (x: Tensor) => Tensor = primal('sigmoid');
export const exp: (x: Tensor) => Tensor = primal('exp');
export const log: (x: Tensor) => Tensor = primal('log');
export const softplus: (x: Tensor) => Tensor = primal('softplus');
export const matmul: (a: Tensor, b: Tensor) => Tensor = primal('matmul');
export const conv2d: (x: Tensor, w: Tensor, options?: Conv2dOptions) => Tensor = primal('conv2d');
export const maxPool2d: (x: Tensor, options?: MaxPool2dOptions) => Tensor = primal('maxPool2d');
export const sum: (x: Tensor, axis?: number) => Tensor = primal('sum');
export const mean: (x: Tensor, axis?: number) => Tensor = primal('mean');
export const reshape: (x: Tensor, shape: readonly number[]) => Tensor = primal('reshape');
export const transpose: (x: Tensor, perm?: readonly number[]) => Tensor = primal('transpose');
export const logSoftmax: (x: Tensor) => Tensor = primal('logSoftmax');
export const softmaxCrossEntropy: (logits: Tensor, labels: Labels) => Tensor = primal('softmaxCrossEntropy');

export {
  addJvp,
  subJvp,
  mulJvp,
  divJvp,
  negJvp,
  squareJvp,
  reluJvp,
  tanhJvp,
  sigmoidJvp,
  expJvp,
  logJvp,
  softplusJvp,
  addVjp,
  subVjp,
  mulVjp,
  divVjp,
  negVjp,
  squareVjp,
  reluVjp,
  tanhVjp,
  sigmoidVjp,
  expVjp,
  logVjp,
  softplusVjp,
  ELEMENTWISE_RULES,
} from './elementwise';
export { matmulJvp, matmulVjp } from './matmul';
export { conv2dJvp, conv2dVjp } from './conv';
export type { Conv2dOptions } from './conv';
export { maxPool2dJvp, maxPool2dVjp } from './pool';
export type { MaxPool2dOptions } from './pool';
export { sumJvp, meanJvp, sumVjp, meanVjp } from './reduce';
export { reshapeJvp, transposeJvp, reshapeVjp, transposeVjp } from './shape';
export { logSoftmaxJvp, softmaxCrossEntropyJvp, logSoftmaxVjp, softmaxCrossEntropyVjp } from './softmax';
export { itemJvp, itemVjp } from './item';
export type { Labels } from './softmax';
export type { Operand, Tangent, JvpResult } from './tangents';
export type { OpRule, VjpFn } from './rule';
export { OP_RULES, METHOD_RULES } from './rules';
