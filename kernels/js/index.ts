// The js reference backend: plain float32 loops, every kernel present. It is the fallback for
// kernels other backends leave out, and the baseline the other backends are tested against.
import type { CompleteBackend } from '../backend';
import { gemm } from './gemm';
import { im2col } from './im2col';
import { unary } from './unary';
import { binary } from './binary';
import { reduce, transpose } from './reduce';
import { logSoftmax, softmaxCrossEntropy } from './softmax';
import { maxPool2d } from './pool';
import { maxPool2dBackward } from './pool-backward';
import { col2im } from './col2im';
import { permute } from './permute';
import { update } from './update';

export const jsBackend: CompleteBackend = {
  name: 'js',
  gemm,
  im2col,
  unary,
  binary,
  reduce,
  transpose,
  permute,
  logSoftmax,
  softmaxCrossEntropy,
  maxPool2d,
  col2im,
  maxPool2dBackward,
  update,
};

export function createBackend(): CompleteBackend {
  return jsBackend;
}
