// The `wasm` backend: AssemblyScript SIMD GEMM (relaxed-SIMD fused multiply-add where available)
// on the main thread plus, optionally, one helper thread sharing the kernel memory.
// Options: FORWARDGRAD_THREADS (1 or 2; default 2 when the machine has ≥ 2 cores),
// FORWARDGRAD_WASM_MEMORY_MB (kernel memory, fixed size, default 256; the tensor heap takes up to
// heapShare of it, see heap.ts),
// FORWARDGRAD_RELAXED_SIMD=0 (never set V8's relaxed-SIMD flag).
import type {
  BinaryArgs,
  Conv2dArgs,
  Conv2dNchwKernel,
  GemmArgs,
  Im2colArgs,
  KernelBackend,
  MaxPool2dArgs,
  ReduceArgs,
  UnaryArgs,
  UpdateArgs,
} from '../backend';
import { compileKernels, type KernelExports, type WasmVariant } from './module';
import { Helper, RESERVED_BYTES } from './worker';
import { WasmGemm } from './gemm';
import { WasmConv } from './conv2d';
import { Engine } from './engine';
import { DEFAULT_HEAP_SHARE, TensorHeap, type HeapInfo } from './heap';
import { im2col } from './im2col';
import { EwCall } from './ew-call';
import { WasmElementwise } from './elementwise';
import { WasmReduce } from './reduce';
import { WasmPool } from './pool';
import { WasmUpdate } from './update';
import { wasmApi } from './webassembly';
import { envVar, hardwareThreads } from '../host';
import { registerKernelMemory } from '../rng';

export interface WasmBackendOptions {
  /** 1 = main thread only; 2 = main thread + one helper. */
  threads?: number;
  memoryMB?: number;
  /** Most of the kernel memory the tensor heap may take, in [0, 1) (default 0.75; 0 = no heap). */
  heapShare?: number;
  variant?: WasmVariant;
  /** Calls below this many flops run on the main thread only (default 1.5e7 ≈ 0.5 ms). */
  minParallelFlops?: number;
  /** Helper spin time after a job before sleeping, ms (default 0.05). */
  spinMs?: number;
  /** Elementwise/reduce/pool/update calls moving fewer bytes run on the main thread only (default 32 MiB). */
  minParallelBytes?: number;
}

/** Every key of WasmBackendOptions: any other is a typo, refused rather than ignored. */
const OPTION_KEYS: readonly (keyof WasmBackendOptions)[] = [
  'threads',
  'memoryMB',
  'heapShare',
  'variant',
  'minParallelFlops',
  'spinMs',
  'minParallelBytes',
];

export interface WasmBackend extends KernelBackend, Conv2dNchwKernel {
  readonly name: 'wasm';
  readonly threads: number;
  readonly variant: WasmVariant;
  /** n floats in the kernel memory (see KernelBackend.allocate): the tensor heap. */
  allocate(n: number): Float32Array | undefined;
  /** Gives a block from allocate back to the tensor heap (see KernelBackend.release). */
  release(buf: Float32Array): void;
  /** gemm takes GemmArgs.bSource (generated into the arena, then packed). */
  readonly generatesB: true;
  /** How much of the tensor heap is used. */
  heapInfo(): HeapInfo;
  /** Blocks until the helper thread (if any) has started; returns whether it is running. */
  waitForThreads(timeoutMs?: number): boolean;
  /** Stops the helper thread; later calls run on the main thread. */
  dispose(): Promise<void>;
}

function envInt(name: string): number | undefined {
  const v = envVar(name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${v}'`);
  return n;
}

export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend {
  for (const key of Object.keys(options)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key))
      throw new Error(`wasm backend: unknown option '${key}' (options: ${OPTION_KEYS.join(', ')})`);
  }
  const asked = options.threads ?? envInt('FORWARDGRAD_THREADS');
  let threads = asked ?? Math.min(2, hardwareThreads());
  if (threads !== 1 && threads !== 2) throw new Error(`wasm backend: threads must be 1 or 2, got ${threads}`);
  const memoryMB = options.memoryMB ?? envInt('FORWARDGRAD_WASM_MEMORY_MB') ?? 256;
  const pages = Math.ceil(memoryMB * 16);
  if (pages * 65536 < 2 * RESERVED_BYTES || pages > 65536)
    throw new Error(`wasm backend: memory must be between 1 and 4096 MB, got ${memoryMB}`);
  const { module, variant } = compileKernels(options.variant);
  const memory = new wasmApi.Memory({ initial: pages, maximum: pages, shared: true });
  const exports = new wasmApi.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  // Random directions drawn into tensors stored in this memory are written in place (kernels/rng.ts).
  registerKernelMemory(memory);
  let helper: Helper | undefined;
  if (threads === 2) {
    // A page that is not cross-origin isolated has no SharedArrayBuffer for a worker: one thread
    // then, unless two were asked for explicitly.
    try {
      helper = new Helper({ module, memory, spinMs: options.spinMs ?? 0.05 });
    } catch (e) {
      if (asked === 2)
        throw new Error(
          `wasm backend: threads 2 needs a helper thread, which cannot start here: ${(e as Error).message}`,
        );
      threads = 1;
    }
  }
  const engine = new Engine(exports, memory, helper, { minParallelFlops: options.minParallelFlops ?? 1.5e7 });
  const heap = new TensorHeap(engine, options.heapShare ?? DEFAULT_HEAP_SHARE);
  const gemm = new WasmGemm(engine),
    conv = new WasmConv(engine, gemm, (n) => heap.allocate(n));
  // The elementwise family runs in wasm only on operands in the kernel memory (else the js kernels).
  const minParallelBytes = options.minParallelBytes ?? 1 << 25;
  if (!(minParallelBytes >= 0))
    throw new Error(
      `wasm backend: minParallelBytes must be a number ≥ 0 (Infinity: never split), got ${minParallelBytes}`,
    );
  const ew = new EwCall(engine, { minParallelBytes });
  const elementwise = new WasmElementwise(ew),
    reduce = new WasmReduce(ew),
    pool = new WasmPool(ew),
    update = new WasmUpdate(ew);
  warmUp(gemm, conv);
  warmUpElementwise(ew, elementwise, pool, update);
  return {
    name: 'wasm',
    threads,
    variant,
    gemm: (args: GemmArgs) => gemm.gemm(args),
    conv2dNchw: (args: Conv2dArgs) => conv.conv2dNchw(args),
    im2col: (args: Im2colArgs) => im2col(args),
    unary: (args: UnaryArgs) => elementwise.unary(args),
    binary: (args: BinaryArgs) => elementwise.binary(args),
    reduce: (args: ReduceArgs) => reduce.reduce(args),
    maxPool2d: (args: MaxPool2dArgs) => pool.maxPool2d(args),
    update: (args: UpdateArgs) => update.update(args),
    allocate: (n: number) => heap.allocate(n),
    release: (buf: Float32Array) => heap.free(buf),
    generatesB: true,
    heapInfo: () => heap.info(),
    waitForThreads: (timeoutMs = 10000) => engine.helper?.waitReady(timeoutMs) ?? false,
    dispose: async () => {
      const h = engine.helper;
      engine.helper = undefined; // later calls run on the main thread
      if (h) await h.dispose();
    },
  };
}

/** Runs each kernel a few times: V8 first compiles wasm with its baseline tier (≈ 5× slower). */
function warmUp(gemm: WasmGemm, conv: WasmConv): void {
  const m = 16,
    n = 64,
    k = 256;
  const a = new Float32Array(m * k),
    b = new Float32Array(k * n),
    c = new Float32Array(m * n);
  const x = new Float32Array(2 * 16 * 64),
    w = new Float32Array(16 * 16 * 9),
    y = new Float32Array(2 * 16 * 64);
  for (let i = 0; i < 10; i++) {
    conv.conv2dNchw({
      x,
      xOffset: 0,
      batch: 2,
      c: 16,
      h: 8,
      w: 8,
      weight: w,
      weightOffset: 0,
      o: 16,
      kh: 3,
      kw: 3,
      strideH: 1,
      strideW: 1,
      padH: 1,
      padW: 1,
      outH: 8,
      outW: 8,
      y,
      yOffset: 0,
    });
    gemm.gemm({
      m,
      n,
      k,
      a,
      aOffset: 0,
      lda: i % 2 === 1 ? m : k,
      transA: i % 2 === 1,
      strideA: 0,
      b,
      bOffset: 0,
      ldb: n,
      transB: false,
      strideB: 0,
      c,
      cOffset: 0,
      ldc: n,
      strideC: 0,
      batch: 1,
      alpha: 1,
      beta: i % 2,
    });
  }
}

/**
 * The same for the elementwise family, on views of the arena (256 KiB past its start, clear of the
 * parameter block and the copies the kernels make there).
 */
function warmUpElementwise(ew: EwCall, elementwise: WasmElementwise, pool: WasmPool, update: WasmUpdate): void {
  const n = 1024,
    base = ew.e.start + (1 << 16);
  ew.e.room(1 << 17);
  const view = (i: number) => ew.e.f32.subarray(base + i * n, base + (i + 1) * n).fill(0);
  const [x, y, dx, dy, b] = [0, 1, 2, 3, 4].map(view);
  for (let i = 0; i < 10; i++) {
    elementwise.unary({ op: 'relu', n, x, xOffset: 0, y, yOffset: 0, dx, dxOffset: 0, dy, dyOffset: 0 });
    for (const op of ['add', 'mul'] as const)
      elementwise.binary({
        op,
        n,
        a: x,
        aOffset: 0,
        aLen: n,
        b,
        bOffset: 0,
        bLen: 32,
        y,
        yOffset: 0,
        da: dx,
        daOffset: 0,
        db: b,
        dbOffset: 0,
        dy,
        dyOffset: 0,
      });
    const geometry = { planes: 4, h: 16, w: 16, kh: 2, kw: 2, strideH: 2, strideW: 2, outH: 8, outW: 8 };
    pool.maxPool2d({ x, xOffset: 0, ...geometry, y, yOffset: 0, dx, dxOffset: 0, dy, dyOffset: 0 });
    update.update({ rule: { name: 'sgd' }, n, params: y, grad: x, scale: 1, lr: 0 });
    const adam = { name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, c1: 1, c2: 1, m: dx, v: dy } as const;
    update.update({ rule: adam, n, params: y, grad: x, scale: 1, lr: 0 });
  }
}

/** Entry point used by kernels/select.ts. */
export function createBackend(): WasmBackend {
  return createWasmBackend();
}
