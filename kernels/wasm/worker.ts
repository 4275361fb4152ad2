// The helper thread: a worker_threads Worker that shares the kernel memory and takes work from job
// lists the main thread posts into a control block, so the op API stays synchronous. A list is cut
// into units (a few records each) that either thread claims (the hand-off protocol of handoff.ts):
// the main thread works through the list too, so a helper that wakes late (a busy machine) only
// does less, never delays the call, and the results do not depend on who ran which unit.
import { startEvalWorker, type HostWorker } from '../host';
import { HANDOFF_SOURCE, MAX_UNITS, awaitReady, awaitValue, closeList, drain, openList, quit } from './handoff';
import type { WasmMemory, WasmModule } from './webassembly';

/**
 * Int32 slots of the control block at byte 0 of the shared memory: the job list's (handoff.ts),
 * then `count` records of JOB_WORDS at `jobs`, `unit` records per unit, and an error flag.
 */
export const CTL = {
  seq: 0,
  ready: 2,
  quit: 3,
  count: 4,
  error: 5,
  next: 7,
  avail: 8,
  finished: 9,
  unit: 10,
  jobs: 12,
} as const;
/** Words per job record: an opcode, up to 10 integer arguments, then two floats (alpha/beta as f32 bits). */
export const JOB_WORDS = 13;
export const OP = {
  packB: 1,
  kernel: 2,
  convKernel: 3,
  convPrep: 4,
  ew: 5,
  kernelPackB: 6,
  conv1Prep: 7,
  conv1Kernel: 8,
} as const;
/** Bytes [CONTROL_BYTES, RESERVED_BYTES) are the helper's own warm-up scratch. */
export const CONTROL_BYTES = 32768;
export const RESERVED_BYTES = 65536;
export const MAX_JOBS = Math.floor((CONTROL_BYTES / 4 - CTL.jobs) / JOB_WORDS);
export { MAX_UNITS };

/** Running one unit's records, the same code on both threads (pasted into the helper's source, compiled here once). */
const RUN = `
function runUnit(k, ctl, ctlF, C, W, OP, i) {
  const unit = ctl[C.unit];
  for (let j = i * unit, r = C.jobs + j * W; j < (i + 1) * unit; j++, r += W) {
    if (ctl[r] === OP.packB) k.packB(ctl[r + 1], ctl[r + 2], ctl[r + 3], ctl[r + 4], ctl[r + 5], ctl[r + 6], ctl[r + 7], ctl[r + 8]);
    else if (ctl[r] === OP.convKernel) k.convKernel(ctl[r + 1], ctl[r + 2], ctl[r + 3], ctl[r + 4], ctl[r + 5], ctl[r + 6], ctl[r + 7]);
    else if (ctl[r] === OP.convPrep) k.convPrep(ctl[r + 1], ctl[r + 2], ctl[r + 3]);
    else if (ctl[r] === OP.ew) k.ewRun(ctl[r + 1], ctl[r + 2], ctl[r + 3]);
    else if (ctl[r] === OP.conv1Prep) k.conv1Prep(ctl[r + 1], ctl[r + 2], ctl[r + 3]);
    else if (ctl[r] === OP.conv1Kernel) k.conv1Kernel(ctl[r + 1], ctl[r + 2], ctl[r + 3], ctl[r + 4], ctl[r + 5], ctl[r + 6]);
    else if (ctl[r] === OP.kernelPackB) k.kernelPackB(ctl[r + 1], ctl[r + 2], ctl[r + 3], ctl[r + 4], ctl[r + 5], ctl[r + 6], ctl[r + 7], ctl[r + 8], ctlF[r + 11], ctlF[r + 12], ctl[r + 9], ctl[r + 10]);
    else k.kernel(ctl[r + 1], ctl[r + 2], ctl[r + 3], ctl[r + 4], ctl[r + 5], ctl[r + 6], ctl[r + 7], ctl[r + 8], ctlF[r + 11], ctlF[r + 12]);
  }
}
// Runs unit i; a throw sets the error flag (the unit still counts as done, so nobody waits forever).
function work(k, ctl, ctlF, C, W, OP, i) {
  try { runUnit(k, ctl, ctlF, C, W, OP, i); } catch (e) { Atomics.store(ctl, C.error, 1); }
}
`;
const shared = new Function(`${RUN}; return { work };`)() as {
  work(k: unknown, ctl: Int32Array, ctlF: Float32Array, C: typeof CTL, W: number, op: typeof OP, i: number): void;
};

// Plain JS (not TypeScript) so it runs as `eval` code from ts-jest, dist/ and bundles alike.
const SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, spinMs, warm, C, W, OP } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(memory.buffer, 0, ${CONTROL_BYTES / 4});
const ctlF = new Float32Array(memory.buffer, 0, ${CONTROL_BYTES / 4});
// Warm up: the first calls run in V8's baseline tier, several times slower.
for (let i = 0; i < 30; i++) {
  k.kernel(warm, warm + 4096, warm + 8192, 8, 1, 0, 1, 64, 1, 0);
  k.kernelPackB(warm, warm + 4096, warm + 8192, 8, 1, 0, 1, 64, 1, 0, warm + 12288, 8);
  k.packB(warm + 12288, 64, 0, 16, 64, 0, 8, warm + 16384);
}
serve(ctl, C, spinMs, (i) => work(k, ctl, ctlF, C, W, OP, i));
${RUN}
${HANDOFF_SOURCE}
`;

export interface HelperOptions {
  module: WasmModule;
  memory: WasmMemory;
  /** How long the helper spins after a job before sleeping, in ms. */
  spinMs: number;
}

/**
 * One helper thread. A call: the engine writes records, `start` releases them in units and wakes
 * the helper, `finish` makes the main thread claim and run what is left, then waits for the units
 * the helper took.
 */
export class Helper {
  private readonly worker: HostWorker;
  private readonly ctl: Int32Array;
  private readonly ctlF: Float32Array;
  private disposed = false;
  private broken = false;
  private tag = -1;

  constructor(opts: HelperOptions) {
    this.ctl = new Int32Array(opts.memory.buffer, 0, CONTROL_BYTES / 4);
    this.ctlF = new Float32Array(opts.memory.buffer, 0, CONTROL_BYTES / 4);
    this.worker = startEvalWorker(SOURCE, {
      module: opts.module,
      memory: opts.memory,
      spinMs: opts.spinMs,
      warm: CONTROL_BYTES,
      C: CTL,
      W: JOB_WORDS,
      OP,
    });
    this.worker.onError(() => {
      this.disposed = true;
    });
  }

  /** True once the helper has compiled and warmed up (it boots in the background). */
  get ready(): boolean {
    return !this.disposed && !this.broken && Atomics.load(this.ctl, CTL.ready) === 1;
  }

  /** Blocks until the helper is ready or `timeoutMs` passed; returns `ready`. */
  waitReady(timeoutMs: number): boolean {
    if (!this.disposed) awaitReady(this.ctl, CTL, timeoutMs);
    return this.ready;
  }

  /** Wakes the helper for the `count` records written at CTL.jobs, cut into units of `unit` records. */
  start(count: number, unit: number): void {
    const units = count / unit,
      c = this.ctl;
    if (!Number.isInteger(units) || units < 1 || units > MAX_UNITS || count > MAX_JOBS) {
      throw new Error(`wasm backend: bad job list (${count} records in units of ${unit})`);
    }
    closeList(c, CTL); // a late helper must not claim while the slots change
    Atomics.store(c, CTL.count, count);
    Atomics.store(c, CTL.unit, unit);
    Atomics.store(c, CTL.error, 0);
    this.tag = openList(c, CTL, units);
  }

  /**
   * Runs unclaimed units on this thread with `k` (the main thread's kernels), then waits for the
   * units the helper took. A helper that makes no progress for `stallMs` while holding a unit is
   * declared broken (an error, and later calls stay on the main thread) rather than blocking forever.
   */
  finish(k: unknown, stallMs = 10000): void {
    const c = this.ctl;
    drain(c, CTL, this.tag, (i) => shared.work(k, c, this.ctlF, CTL, JOB_WORDS, OP, i));
    if (!awaitValue(c, CTL.finished, Atomics.load(c, CTL.avail), stallMs)) {
      this.broken = true;
      closeList(c, CTL);
      throw new Error(`wasm backend: the helper thread made no progress for ${stallMs} ms; continuing on one thread`);
    }
    closeList(c, CTL);
    if (Atomics.load(c, CTL.error)) throw new Error('wasm backend: a kernel failed while running a job list');
  }

  dispose(): Promise<number> {
    this.disposed = true;
    quit(this.ctl, CTL);
    return this.worker.terminate();
  }
}
