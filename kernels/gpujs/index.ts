// The gpu.js backends: every kernel of kernels/backend.ts as gpu.js kernels written once, run by
// gpu.js's webasm (WebAssembly SIMD), cpu (plain JS) or gpu (WebGL/headless-gl) mode.
// kernels/select.ts registers them as gpujs-webasm, gpujs-cpu and gpujs-gpu and requires this
// file lazily; gpu.js itself is loaded only when createBackend runs.
import type { CompleteBackend, FillDirectionArgs, UpdateArgs } from '../backend';
import { update } from './update';
import { upload } from './device';
import { fillDirection, fillDirectionUploaded } from './direction';
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
 * reverse-mode scatters col2im and maxPool2dBackward; select.ts fills them in). gpujs-gpu is a
 * device backend (device.ts): outputs stay in textures, and it adds the optimizer update and
 * random directions on the GPU; the CPU modes update through the js kernel.
 */
export interface GpujsBackend extends Omit<
  CompleteBackend,
  'col2im' | 'maxPool2dBackward' | 'permute' | 'update' | 'fillDirection'
> {
  readonly mode: GpujsMode;
  /** Compiled kernels (one per kernel family and shape). */
  readonly cache: KernelCache;
  /** Releases the compiled kernels and gpu.js's context. */
  destroy(): void;
  /** gpujs-gpu: the optimizer step and random directions on the device (kernels/gpujs/update.ts, direction.ts). */
  update?(args: UpdateArgs): void;
  fillDirection?(args: FillDirectionArgs): void;
  /** Resident backends: makes buf's host elements [offset, offset + length) a device copy (tests; data staged ahead). */
  upload?(buf: Float32Array, offset?: number, length?: number): void;
}

const MODES: readonly GpujsMode[] = ['webasm', 'cpu', 'gpu'];

/** Synchronous; throws (naming the reason and the alternatives) when the mode cannot run here. */
export function createBackend(mode: string = 'webasm'): GpujsBackend {
  if (!(MODES as readonly string[]).includes(mode)) {
    throw new Error(`gpujs: unknown mode '${mode}'; use one of ${MODES.join(', ')}`);
  }
  return backendOn(new KernelCache(mode as GpujsMode), `gpujs-${mode}`);
}

/**
 * gpu.js's cpu mode with gpujs-gpu's residency (device.ts's array double): the resident kernels,
 * update and coherence in Node, for tests. Not registered as a backend.
 */
export function createCpuResidentBackend(): GpujsBackend {
  return backendOn(new KernelCache('cpu', true), 'gpujs-cpu-resident');
}

function backendOn(cache: KernelCache, name: string): GpujsBackend {
  const device = cache.device;
  // gpujs-gpu keeps tensors in textures (device.ts): the optimizer step (and, on a GPU, the random
  // directions) run there too, so a training step reads back only the loss and its tangents.
  const resident = device
    ? {
        device,
        update: (g: UpdateArgs) => update(cache, device, g),
        upload: (buf: Float32Array, offset = 0, length = buf.length - offset) =>
          upload(cache, device, buf, offset, length),
        // the cpu double makes them on the host and uploads them: the same segments, for Node tests
        fillDirection: (g: FillDirectionArgs) =>
          cache.mode === 'gpu' ? fillDirection(cache, device, g) : fillDirectionUploaded(cache, device, g),
      }
    : {};
  return {
    ...resident,
    name,
    mode: cache.mode,
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
