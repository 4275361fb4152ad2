// Shared by the wasm elementwise-family tests: two engines over one kernel memory (main thread
// only, and main + helper with every call split), a spy on the exported ewRun (so a test can tell
// the wasm kernel ran rather than the js fallback), and in-place operands as views of that memory.
import { compileKernels, type KernelExports } from '../../kernels/wasm/module';
import { Helper } from '../../kernels/wasm/worker';
import { Engine } from '../../kernels/wasm/engine';
import { EwCall } from '../../kernels/wasm/ew-call';
import { wasmApi, type WasmMemory } from '../../kernels/wasm/webassembly';

/** Views for in-place operands start here; the kernels' own arena use stays far below. */
export const TENSOR_AREA = 32 << 20;
const MEMORY_PAGES = 1024; // 64 MiB

export interface Engines {
  memory: WasmMemory;
  /** Main thread only. */
  one: EwCall;
  /** Main thread + helper, every call split (minParallelBytes 0). */
  two: EwCall;
  helper: Helper;
  calls: jest.Mock;
  dispose(): Promise<number>;
}

export function makeEngines(): Engines {
  const { module } = compileKernels();
  const memory = new wasmApi.Memory({ initial: MEMORY_PAGES, maximum: MEMORY_PAGES, shared: true });
  const exports = new wasmApi.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  // Every ewRun on the main thread, and (p = −1) every hand-off of a job list to the helper.
  const calls = jest.fn((p: number, i0: number, i1: number) => {
    if (p >= 0) exports.ewRun(p, i0, i1);
  });
  const k: KernelExports = { ...exports, ewRun: calls };
  const helper = new Helper({ module, memory, spinMs: 0.05 });
  if (!helper.waitReady(20000)) throw new Error('test: the helper thread did not start');
  const one = new EwCall(new Engine(k, memory, undefined, { minParallelFlops: Infinity }), {
    minParallelBytes: Infinity,
  });
  const e2 = new Engine(k, memory, helper, { minParallelFlops: 0 });
  // On two threads the helper may run every unit: count the hand-off too.
  const launch = e2.launch.bind(e2);
  e2.launch = (unit?: number) => {
    calls(-1, 0, 0);
    return launch(unit);
  };
  const two = new EwCall(e2, { minParallelBytes: 0 });
  return { memory, one, two, helper, calls, dispose: () => helper.dispose() };
}

/** A bump allocator of views into the tensor area (each test takes a fresh one). */
export class Arena {
  private top = TENSOR_AREA;
  constructor(private readonly e: Engines) {}
  alloc(n: number): Float32Array {
    const v = new Float32Array(this.e.memory.buffer, this.top, n);
    this.top += 4 * n + 16;
    if (this.top > this.e.memory.buffer.byteLength) throw new Error('test arena full');
    return v.fill(0);
  }
  allocInt(n: number): Int32Array {
    const v = new Int32Array(this.e.memory.buffer, this.top, n);
    this.top += 4 * n + 16;
    return v.fill(0);
  }
  copy(src: Float32Array): Float32Array {
    const v = this.alloc(src.length);
    v.set(src);
    return v;
  }
}

/** Same float32 bits everywhere, except that any NaN matches any NaN (payloads are not specified). */
export function bitsEqual(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length).toBe(want.length);
  const gb = new Uint32Array(Float32Array.from(got).buffer),
    wb = new Uint32Array(Float32Array.from(want).buffer);
  for (let i = 0; i < want.length; i++) {
    if (gb[i] !== wb[i] && !(got[i] !== got[i] && want[i] !== want[i]))
      throw new Error(
        `${what}: element ${i} is ${got[i]} (0x${gb[i].toString(16)}), js has ${want[i]} (0x${wb[i].toString(16)})`,
      );
  }
}
