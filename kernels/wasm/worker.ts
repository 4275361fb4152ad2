// The helper thread: a worker_threads Worker that shares the kernel memory and runs job lists the
// main thread posts into a control block, so the op API stays synchronous (the main thread does
// its share, then Atomics.waits). After a job the helper spins briefly on Atomics.load (a
// back-to-back hand-off then costs < 1 µs instead of ~100 µs for wait/notify), then sleeps.
import { Worker } from 'node:worker_threads';
import type { WasmMemory, WasmModule } from './webassembly';

/** Int32 slots of the control block at byte 0 of the shared memory. */
export const CTL = { seq: 0, done: 1, ready: 2, quit: 3, count: 4, error: 5, ack: 6, jobs: 8 } as const;
/** Words per job record: an opcode, then the kernel's arguments (alpha/beta as f32 bits). */
export const JOB_WORDS = 11;
export const OP = { packB: 1, kernel: 2, convKernel: 3, convPrep: 4 } as const;
/** Bytes [CONTROL_BYTES, RESERVED_BYTES) are the helper's own warm-up scratch. */
export const CONTROL_BYTES = 32768;
export const RESERVED_BYTES = 65536;
export const MAX_JOBS = Math.floor((CONTROL_BYTES / 4 - CTL.jobs) / JOB_WORDS);

// Plain JS (not TypeScript) so it runs as `eval` code from ts-jest, dist/ and bundles alike.
const SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, spinMs, warm, C, W, OP } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(memory.buffer, 0, ${CONTROL_BYTES / 4});
const ctlF = new Float32Array(memory.buffer, 0, ${CONTROL_BYTES / 4});
// Warm up: the first calls run in V8's baseline tier, several times slower.
for (let i = 0; i < 30; i++) k.kernel(warm, warm + 4096, warm + 8192, 8, 1, 0, 1, 64, 1, 0);
// Read before announcing readiness: the main thread posts its first job list only after that.
let seen = Atomics.load(ctl, C.seq);
Atomics.store(ctl, C.ready, 1);
Atomics.notify(ctl, C.ready);
for (;;) {
  let s = Atomics.load(ctl, C.seq);
  if (s === seen) {
    const until = performance.now() + spinMs;
    while ((s = Atomics.load(ctl, C.seq)) === seen && performance.now() < until) {
      for (let i = 0; i < 64; i++) if (Atomics.load(ctl, C.seq) !== seen) break;
    }
    while ((s = Atomics.load(ctl, C.seq)) === seen) Atomics.wait(ctl, C.seq, seen, 1000);
  }
  seen = s;
  if (Atomics.load(ctl, C.quit)) break;
  Atomics.store(ctl, C.ack, s);
  try {
    const n = ctl[C.count];
    for (let j = 0, r = C.jobs; j < n; j++, r += W) {
      if (ctl[r] === OP.packB) k.packB(ctl[r + 1], ctl[r + 2], ctl[r + 3], ctl[r + 4], ctl[r + 5], ctl[r + 6], ctl[r + 7], ctl[r + 8]);
      else if (ctl[r] === OP.convKernel) k.convKernel(ctl[r + 1], ctl[r + 2], ctl[r + 3], ctl[r + 4], ctl[r + 5], ctl[r + 6]);
      else if (ctl[r] === OP.convPrep) k.convPrep(ctl[r + 1], ctl[r + 2], ctl[r + 3], ctl[r + 4]);
      else k.kernel(ctl[r + 1], ctl[r + 2], ctl[r + 3], ctl[r + 4], ctl[r + 5], ctl[r + 6], ctl[r + 7], ctl[r + 8], ctlF[r + 9], ctlF[r + 10]);
    }
  } catch (e) {
    Atomics.store(ctl, C.error, 1);
  }
  Atomics.store(ctl, C.done, s);
  Atomics.notify(ctl, C.done);
}
`;

export interface HelperOptions {
  module: WasmModule;
  memory: WasmMemory;
  /** How long the helper spins after a job before sleeping, in ms. */
  spinMs: number;
}

/** One helper thread. `run(count)` starts the posted jobs; `wait()` blocks until they are done. */
export class Helper {
  private readonly worker: Worker;
  private readonly ctl: Int32Array;
  private disposed = false;
  private broken = false;

  constructor(opts: HelperOptions) {
    this.ctl = new Int32Array(opts.memory.buffer, 0, CONTROL_BYTES / 4);
    this.worker = new Worker(SOURCE, {
      eval: true,
      workerData: {
        module: opts.module, memory: opts.memory, spinMs: opts.spinMs,
        warm: CONTROL_BYTES, C: CTL, W: JOB_WORDS, OP,
      },
    });
    this.worker.unref(); // never keeps the process alive
    this.worker.on('error', () => { this.disposed = true; });
  }

  /** True once the helper has compiled and warmed up (it boots in the background). */
  get ready(): boolean {
    return !this.disposed && !this.broken && Atomics.load(this.ctl, CTL.ready) === 1;
  }

  /** Blocks until the helper is ready or `timeoutMs` passed; returns `ready`. */
  waitReady(timeoutMs: number): boolean {
    if (!this.disposed) Atomics.wait(this.ctl, CTL.ready, 0, timeoutMs);
    return this.ready;
  }

  /** Starts the `count` job records already written at CTL.jobs. */
  start(count: number): number {
    Atomics.store(this.ctl, CTL.count, count);
    Atomics.store(this.ctl, CTL.error, 0);
    const seq = Atomics.add(this.ctl, CTL.seq, 1) + 1;
    Atomics.notify(this.ctl, CTL.seq);
    return seq;
  }

  /**
   * Waits for job list `seq`: spins briefly (the helper is usually about done), then sleeps.
   * A helper that has not even taken the list after `ackTimeoutMs` is declared broken (an error,
   * and later calls stay on the main thread) rather than blocking the process forever.
   */
  wait(seq: number, ackTimeoutMs = 10000): void {
    for (let i = 0; i < 20000; i++) if (Atomics.load(this.ctl, CTL.done) === seq) return this.check();
    const t0 = Date.now();
    for (;;) {
      const d = Atomics.load(this.ctl, CTL.done);
      if (d === seq) return this.check();
      Atomics.wait(this.ctl, CTL.done, d, 1000);
      if (Atomics.load(this.ctl, CTL.ack) !== seq && Date.now() - t0 > ackTimeoutMs) {
        this.broken = true;
        throw new Error(`wasm backend: the helper thread did not take its jobs within ${ackTimeoutMs} ms; continuing on one thread`);
      }
    }
  }

  private check(): void {
    if (Atomics.load(this.ctl, CTL.error)) throw new Error('wasm backend: a kernel failed in the helper thread');
  }

  dispose(): Promise<number> {
    this.disposed = true;
    Atomics.store(this.ctl, CTL.quit, 1);
    Atomics.add(this.ctl, CTL.seq, 1);
    Atomics.notify(this.ctl, CTL.seq);
    return this.worker.terminate();
  }
}
