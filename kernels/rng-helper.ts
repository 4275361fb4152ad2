// One helper thread for large float32 normal fills: a worker_threads Worker running the same
// rng.wasm kernel over the same shared memory, so fillNormal stays synchronous (the main thread
// generates its half of each chunk, then Atomics.waits for the helper's half). The helper is
// started on first use, unref'd, and used only once ready; any failure leaves fills on the main
// thread, which computes the same numbers (each element depends only on (seed, stream, i)).
// Posting and waiting use the shared spin-then-sleep hand-off of kernels/wasm/spin-wait.ts.
import { SPIN_WAIT_SOURCE, awaitReady, awaitValue, signal } from './wasm/spin-wait';
import type { WasmMemory, WasmModule } from './wasm/webassembly';

/** Int32 slots of the control block at byte 0: job sequence, done sequence, ready flag, arguments. */
const C = { seq: 0, done: 1, ready: 2, args: 4 } as const;
export const CONTROL_INTS = 16;
/** Byte address of the helper's warm-up output (64 groups = 4 KB, inside the control page). */
const WARM = 4096;

const SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, C, WARM } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(memory.buffer, 0, ${CONTROL_INTS});
for (let i = 0; i < 40; i++) k.normals(1, 2, 3, 4, 0, 0, 64, WARM); // leave V8's baseline tier
let seen = Atomics.load(ctl, C.seq);
signal(ctl, C.ready, 1);
for (;;) {
  seen = nextValue(ctl, C.seq, seen, 0.05); // spin briefly: fills come in runs of chunks
  if (seen < 0) break;
  const a = C.args;
  k.normals(ctl[a], ctl[a + 1], ctl[a + 2], ctl[a + 3], ctl[a + 4], ctl[a + 5], ctl[a + 6], ctl[a + 7]);
  signal(ctl, C.done, seen);
}
${SPIN_WAIT_SOURCE}
`;

export class NormalHelper {
  private readonly ctl: Int32Array;
  private broken = false;
  private seq = 0;

  private constructor(private readonly worker: { terminate(): Promise<number> }, memory: WasmMemory) {
    this.ctl = new Int32Array(memory.buffer, 0, CONTROL_INTS);
  }

  /** Starts a helper, or returns undefined where worker threads are unavailable. */
  static start(module: WasmModule, memory: WasmMemory): NormalHelper | undefined {
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
      const w = new Worker(SOURCE, { eval: true, workerData: { module, memory, C, WARM } });
      w.unref(); // never keeps the process alive
      const h = new NormalHelper(w, memory);
      w.on('error', () => { h.broken = true; });
      return h;
    } catch {
      return undefined;
    }
  }

  get ready(): boolean { return !this.broken && Atomics.load(this.ctl, C.ready) === 1; }

  /** Blocks until the helper is ready or `timeoutMs` passed; returns `ready`. */
  waitReady(timeoutMs: number): boolean {
    if (!this.broken) awaitReady(this.ctl, C.ready, timeoutMs);
    return this.ready;
  }

  /** Posts normals(args…) to the helper; returns the ticket for `wait`. */
  post(args: readonly number[]): number {
    for (let i = 0; i < 8; i++) this.ctl[C.args + i] = args[i];
    this.seq = (this.seq + 1) & 0x3fffffff;
    signal(this.ctl, C.seq, this.seq);
    return this.seq;
  }

  /**
   * Waits for job `ticket`; false (and the helper marked broken) if it was not done within
   * `timeoutMs`: the caller then computes that part itself.
   */
  wait(ticket: number, timeoutMs = 5000): boolean {
    if (!this.broken && awaitValue(this.ctl, C.done, ticket, timeoutMs)) return true;
    this.broken = true;
    return false;
  }

  dispose(): Promise<number> {
    this.broken = true;
    signal(this.ctl, C.seq, -1);
    return this.worker.terminate();
  }
}
