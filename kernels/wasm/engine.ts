// What the wasm kernels share: the instance's exports, views of the fixed shared memory, the
// helper thread and its job list, and the memory map (float indices):
//   [0, base)       control block and the helper's warm-up scratch (worker.ts)
//   [base, start)   gemm.ts's packed-B cache (empty when start = base)
//   [start, end)    the per-call arena: packed operands, copies of operands not in the memory
//   [end, top)      the tensor heap (heap.ts): grows down from the top, lowering `end`
// The cache sits below the arena so that heap blocks (which lower `end`) do not evict it.
import type { GeneratedArray } from '../backend';
import type { KernelExports } from './module';
import type { WasmMemory } from './webassembly';
import { CTL, Helper, JOB_WORDS, MAX_JOBS, MAX_UNITS, RESERVED_BYTES } from './worker';

export interface EngineOptions {
  /** Calls with fewer flops stay on the main thread: a hand-off costs microseconds. */
  minParallelFlops: number;
}

export class Engine {
  readonly f32: Float32Array;
  readonly i32: Int32Array;
  private readonly ctl: Int32Array;
  private readonly ctlF: Float32Array;
  /** First float after the control block: where the packed-B cache starts. */
  readonly base = RESERVED_BYTES / 4;
  /** First float of the per-call arena: `base`, or the end of the packed-B cache. */
  start = this.base;
  /** End of the arena: the tensor heap's lowest float (heap.ts lowers it). */
  end: number;
  /** Called when a kernel needs the cache's room: gemm.ts drops its packed-B cache. */
  onReclaim: () => void = () => {};
  private jobs = 0;

  constructor(
    readonly k: KernelExports,
    memory: WasmMemory,
    public helper: Helper | undefined,
    readonly opts: EngineOptions,
  ) {
    // The memory never grows (shared, initial = maximum), so these views stay valid.
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.ctl = new Int32Array(memory.buffer, 0, RESERVED_BYTES / 4);
    this.ctlF = new Float32Array(memory.buffer, 0, RESERVED_BYTES / 4);
    this.end = this.f32.length;
  }

  /** Whether a call of `flops` with `parts` ≥ 2 splittable units should use the helper now. */
  parallel(flops: number, parts: number): boolean {
    return this.helper !== undefined && parts >= 2 && flops >= this.opts.minParallelFlops && this.helper.ready;
  }

  /** Most batch items per hand-off: two job records each must fit in the control block. */
  static readonly MAX_GROUP = Math.floor(MAX_JOBS / 2);
  /** Most records and units in one list. */
  static readonly MAX_JOBS = MAX_JOBS;
  static readonly MAX_UNITS = MAX_UNITS;

  /** The memory's size and the heap's share, for errors that say what to change. */
  describe(): string {
    const mb = (floats: number) => ((floats * 4) / 2 ** 20).toFixed(1);
    return `kernel memory ${mb(this.f32.length)} MB, of which the tensor heap holds ${mb(this.f32.length - this.end)} MB; set FORWARDGRAD_WASM_MEMORY_MB higher`;
  }

  /** Floats free in the arena for one call; reclaims the cache when `need` does not fit otherwise. */
  room(need: number): number {
    if (need > this.end - this.start && this.start > this.base) this.reclaim();
    return this.end - this.start;
  }

  /** Drops the packed-B cache: the arena starts at `base` again. */
  reclaim(): void {
    this.onReclaim();
    this.start = this.base;
  }

  /** Copies rows×cols (row stride ld) from src into the memory at float index dst, compacted. */
  copyIn(src: Float32Array, off: number, ld: number, rows: number, cols: number, dst: number): void {
    if (ld === cols) this.f32.set(src.subarray(off, off + rows * cols), dst);
    else for (let r = 0; r < rows; r++) this.f32.set(src.subarray(off + r * ld, off + r * ld + cols), dst + r * cols);
  }

  /** Writes rows×cols (row stride ld) of the generated array src from element off into the memory at float index dst, compacted. */
  generateIn(src: GeneratedArray, off: number, ld: number, rows: number, cols: number, dst: number): void {
    if (ld === cols) src.fill(this.f32.subarray(dst, dst + rows * cols), off);
    else for (let r = 0; r < rows; r++) src.fill(this.f32.subarray(dst + r * cols, dst + (r + 1) * cols), off + r * ld);
  }

  /** Appends one helper job: an opcode and up to 10 integer arguments, then two floats. */
  post(op: number, ints: number[], f0 = 0, f1 = 0): void {
    if (this.jobs >= MAX_JOBS) throw new Error(`wasm backend: more than ${MAX_JOBS} jobs in one list`);
    const r = CTL.jobs + this.jobs * JOB_WORDS;
    this.ctl[r] = op;
    for (let i = 0; i < ints.length; i++) this.ctl[r + 1 + i] = ints[i];
    this.ctlF[r + 11] = f0;
    this.ctlF[r + 12] = f1;
    this.jobs++;
  }

  /** Drops the posted records (an error while preparing a list). */
  abandon(): void {
    this.jobs = 0;
  }

  /**
   * Wakes the helper for the posted records, cut into units of `unit` records (default: all in
   * one, the helper's share of a static split); either thread claims units until none are left.
   */
  launch(unit = this.jobs): number {
    const n = this.jobs;
    this.jobs = 0;
    this.helper!.start(n, unit);
    return 0;
  }

  /** Runs whatever the helper has not claimed on this thread, then waits for the rest. */
  finish(_ticket = 0): void {
    this.jobs = 0;
    this.helper!.finish(this.k);
  }
}
