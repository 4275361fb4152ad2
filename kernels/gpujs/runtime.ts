// gpu.js plumbing shared by every kernel family: lazy loading, mode checks, a per-shape kernel
// cache, argument slicing and output read-back. gpu.js is required only when a gpujs backend is
// created, so users of the other backends never load it.

import { syncHost } from '../residency';
import { createArrayDevice, createGpuDevice, type GpujsDevice } from './device';
import { DIRECTION_GLSL } from './direction';

export type GpujsMode = 'webasm' | 'cpu' | 'gpu';

/** The part of a gpu.js kernel shortcut we use: a call, and the inner kernel for fallback checks. */
interface GpuKernel {
  (...args: (Float32Array | number | object)[]): KernelOutput;
  kernel?: { fallbackReason?: string };
  destroy?(): void;
}
type Row = ArrayLike<number>;
type KernelOutput = Row | Row[] | Row[][];

interface GpuInstance {
  readonly Kernel: (abstract new (...args: never[]) => unknown) | null;
  createKernel(source: string, settings: Record<string, unknown>): GpuKernel;
  addNativeFunction(name: string, source: string, settings: Record<string, unknown>): void;
  destroy(): void;
}

/**
 * Every array index in a gpu.js kernel is computed in float32 on its webasm and GL backends
 * (measured: a[2^24 + 1] reads a[2^24]), so each operand slice must stay below 2^24 elements.
 */
export const MAX_INDEX = 1 << 24;

interface GpujsModule {
  GPU: new (settings: { mode: string }) => GpuInstance;
  /** Base class of gpu.js's WebGL, WebGL2 and headless-gl kernels: the synchronous GPU ones. */
  GLKernel: abstract new (...args: never[]) => unknown;
}

function loadGpujs(): GpujsModule {
  try {
    // Lazy on purpose (see the header): gpu.js pulls native GPU bindings.
    return require('gpu.js');
  } catch (e) {
    throw new Error(
      `gpujs backend: cannot load the 'gpu.js' package (${(e as Error).message}); ` +
        `install it (npm install gpu.js) or select another backend (wasm, js)`,
    );
  }
}

function createGpu(mode: GpujsMode): GpuInstance {
  const { GPU, GLKernel } = loadGpujs();
  let gpu: GpuInstance;
  try {
    gpu = new GPU({ mode });
  } catch (e) {
    throw new Error(`gpujs-${mode}: gpu.js cannot run mode '${mode}' here: ${(e as Error).message}`);
  }
  // gpu.js's 'gpu' mode silently falls back to webasm when no GL context exists; a backend
  // named gpujs-gpu must run on a GPU or refuse. (Checked by class, not by name: bundlers rename.)
  if (mode === 'gpu' && !(gpu.Kernel && gpu.Kernel.prototype instanceof GLKernel)) {
    const fallback = gpu.Kernel?.name.replace(/^_+/, '') ?? 'nothing';
    gpu.destroy();
    throw new Error(
      `gpujs-gpu: no GPU context for gpu.js here (it would fall back to ${fallback}); it needs WebGL/WebGL2 (a browser) or headless-gl (the 'gl' ` +
        `package with its native binary). gpu.js's WebGPU mode is asynchronous only and cannot back ` +
        `the synchronous kernel interface. Select gpujs-webasm, wasm or js instead.`,
    );
  }
  return gpu;
}

/** One gpu.js instance per backend and its compiled kernels, keyed by kernel name and shape. */
export class KernelCache {
  private readonly gpu: GpuInstance;
  private readonly kernels = new Map<string, GpuKernel>();
  /** Operand size limit; MAX_INDEX, lowered only by tests to exercise batch splitting. */
  maxIndex = MAX_INDEX;
  /**
   * Compiled kernels kept (least recently used dropped): each webasm kernel owns a memory sized
   * for its operands, and a training run uses a fixed, small set of shapes.
   */
  maxKernels = 64;
  /** Keys of pipeline (resident-output) kernels: never evicted (see evict). */
  private readonly pipelined = new Set<string>();

  /** gpujs-gpu's device memory (kernel outputs kept as textures); undefined on the CPU modes. */
  readonly device: GpujsDevice | undefined;

  /** `resident` on the cpu mode: its test double (device.ts's createArrayDevice). */
  constructor(
    readonly mode: GpujsMode,
    resident = mode === 'gpu',
  ) {
    if (resident && mode === 'webasm') throw new Error('gpujs: the webasm mode has no resident form');
    this.gpu = createGpu(mode);
    this.device = !resident ? undefined : mode === 'gpu' ? createGpuDevice() : createArrayDevice();
    // native functions must be added before the first kernel is created
    if (mode === 'gpu') this.gpu.addNativeFunction('fg_direction', DIRECTION_GLSL, { returnType: 'Number' });
  }

  /**
   * The kernel for `source` with these constants and output size, compiled on first use.
   * Sizes are constants (baked in), so a kernel serves exactly one shape; offsets never reach
   * the kernel because operands arrive as exact slices (see `slice`). A function as `source` is
   * called only to compile (a derived source is not rebuilt on every call).
   */
  get(
    name: string,
    source: string | (() => string),
    output: number[],
    constants: Record<string, number>,
    settings: { pipeline?: boolean } = {},
  ): GpuKernel {
    const pipeline = settings.pipeline === true;
    const key = `${name}|${output.join('x')}|${JSON.stringify(constants)}${pipeline ? '|texture' : ''}`;
    let k = this.kernels.get(key);
    if (k) {
      this.kernels.delete(key); // re-insert: Map order is then least recently used first
    } else {
      // On WebGL, gpu.js maps a 2-D output [w, h] onto a w×h texture, so w above the context's
      // maxTextureSize (8192 on SwiftShader, often 16384) fails, e.g. a [65536, 2] fused JVP of a
      // 64×1024 activation; packing four floats per texel into a near-square texture avoids that.
      const maxTexture =
        (this.gpu.Kernel as unknown as { features?: { maxTextureSize?: number } } | null)?.features?.maxTextureSize ??
        4096;
      const packed =
        this.mode === 'gpu' && output.length > 1 && output[0] > maxTexture ? { optimizeFloatMemory: true } : {};
      // pipeline: the output stays a texture (device.ts); immutable: each run returns its own, so a
      // segment is never overwritten by the kernel's next run
      const keep = pipeline ? { pipeline: true, immutable: true } : {};
      k = this.gpu.createKernel(typeof source === 'function' ? source() : source, {
        output,
        constants,
        precision: 'single',
        tactic: 'precision',
        ...packed,
        ...keep,
      });
      this.evict();
    }
    this.kernels.set(key, k);
    if (pipeline) this.pipelined.add(key);
    return k;
  }

  /**
   * Drops least recently used kernels down to maxKernels. Never a pipeline kernel: gpu.js's destroy
   * deletes every texture the kernel ever rendered, refs or not, and device segments may still hold
   * some (a parameter written by the update): a resident run keeps its kernels, a fixed set per
   * model shape.
   */
  private evict(): void {
    for (const [key, k] of this.kernels) {
      if (this.kernels.size < this.maxKernels) return;
      if (this.pipelined.has(key)) continue;
      this.kernels.delete(key);
      k.destroy?.();
    }
  }

  /** Runs a kernel and refuses gpu.js's silent fallback to its cpu backend. */
  run(name: string, k: GpuKernel, args: (Float32Array | number | object)[]): KernelOutput {
    let out: KernelOutput;
    try {
      out = k(...args); // gpu.js compiles (GLSL on a GPU) on the first call
    } catch (e) {
      throw new Error(`gpujs-${this.mode}: kernel '${name}' failed to compile or run: ${(e as Error).message}`);
    }
    const reason = k.kernel?.fallbackReason;
    if (reason) throw new Error(`gpujs-${this.mode}: kernel '${name}' fell back to gpu.js's cpu backend: ${reason}`);
    return out;
  }

  /**
   * The `length` elements of `buf` from `offset`, as a view: what a kernel reads, so its indices
   * start at 0 and stay in gpu.js's float index range. Empty slices become one zero (gpu.js
   * rejects zero-length arrays).
   */
  slice(buf: Float32Array, offset: number, length: number, what: string): Float32Array {
    this.check(buf, offset, length, what);
    // on a device, a buffer read or written on the host is brought back first (kernels/residency.ts)
    if (this.device) syncHost(buf);
    return length > 0 ? buf.subarray(offset, offset + length) : new Float32Array(1);
  }

  /** Throws unless buf[offset, offset + length) exists and fits gpu.js's index range. */
  check(buf: Float32Array, offset: number, length: number, what: string): void {
    if (length >= this.maxIndex) {
      throw new Error(
        `gpujs-${this.mode}: ${what} spans ${length} elements; gpu.js indexes in float32, so one ` +
          `kernel operand must stay under ${this.maxIndex} elements (use the wasm or js backend for this size)`,
      );
    }
    if (!Number.isInteger(offset) || offset < 0 || offset + length > buf.length) {
      throw new Error(
        `gpujs-${this.mode}: ${what} needs elements [${offset}, ${offset + length}) but its buffer has ${buf.length}`,
      );
    }
  }

  /** Number of compiled kernels (tests check shapes are reused). */
  get size(): number {
    return this.kernels.size;
  }

  destroy(): void {
    this.device?.retire();
    for (const k of this.kernels.values()) k.destroy?.();
    this.kernels.clear();
    this.gpu.destroy();
  }
}

/** Calls `row(values, r)` for each innermost row of a kernel's output, in row-major order. */
export function forEachRow(out: KernelOutput, row: (values: Row, r: number) => void): void {
  const isRow = (v: Row | Row[]): v is Row => typeof v[0] === 'number';
  if (isRow(out as Row)) {
    row(out as Row, 0);
    return;
  }
  let r = 0;
  for (const part of out as (Row | Row[])[]) {
    if (isRow(part)) row(part, r++);
    else for (const inner of part) row(inner, r++);
  }
}

/** Copies a kernel's output, flattened row-major, into `target` from `offset`. */
export function copyOut(out: KernelOutput, target: Float32Array, offset: number): void {
  let o = offset;
  forEachRow(out, (values) => {
    target.set(values, o);
    o += values.length;
  });
}
