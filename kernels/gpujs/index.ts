// The gpu.js backends: every kernel of kernels/backend.ts as gpu.js kernels written once, run by
// gpu.js's webasm (WebAssembly SIMD), cpu (plain JS) or gpu (WebGL/headless-gl) mode.
// kernels/select.ts registers them as gpujs-webasm, gpujs-cpu and gpujs-gpu and requires this
// file lazily; gpu.js itself is loaded only when createBackend runs.
import type { CompleteBackend } from '../backend';
import { KernelCache, type GpujsMode } from './runtime';
import { gemm } from './gemm';
import { im2col } from './im2col';
import { unary } from './unary';
import { binary } from './binary';
import { reduce, transpose } from './reduce';
import { logSoftmax, softmaxCrossEntropy } from './softmax';
import { maxPool2d } from './pool';

export type { GpujsMode } from './runtime';

/**
 * Every forward kernel but the general permute (data movement, rare: the js one, as are the
 * reverse-mode scatters col2im and maxPool2dBackward, and the optimizer update on CPU memory;
 * select.ts fills them in).
 */
export interface GpujsBackend extends Omit<CompleteBackend, 'col2im' | 'maxPool2dBackward' | 'permute' | 'update'> {
  readonly mode: GpujsMode;
  /** Compiled kernels (one per kernel family and shape). */
  readonly cache: KernelCache;
  /** Releases the compiled kernels and gpu.js's context. */
  destroy(): void;
}

const MODES: readonly GpujsMode[] = ['webasm', 'cpu', 'gpu'];

/** Synchronous; throws (naming the reason and the alternatives) when the mode cannot run here. */
export function createBackend(mode: string = 'webasm'): GpujsBackend {
  if (!(MODES as readonly string[]).includes(mode)) {
    throw new Error(`gpujs: unknown mode '${mode}'; use one of ${MODES.join(', ')}`);
  }
  const cache = new KernelCache(mode as GpujsMode);
  return {
    name: `gpujs-${mode}`,
    mode: mode as GpujsMode,
    cache,
    gemm: (g) => gemm(cache, g),
    im2col: (g) => im2col(cache, g),
    unary: (g) => unary(cache, g),
    binary: (g) => binary(cache, g),
    reduce: (g) => reduce(cache, g),
    transpose: (g) => transpose(cache, g),
    logSoftmax: (g) => logSoftmax(cache, g),
    softmaxCrossEntropy: (g) => softmaxCrossEntropy(cache, g),
    maxPool2d: (g) => maxPool2d(cache, g),
    destroy: () => cache.destroy(),
  };
}
