// One helper thread for large float32 normal fills: a worker_threads Worker running the same
// rng.wasm kernel over the same shared memory, so fillNormal stays synchronous. Each chunk of a
// fill is a job list (kernels/wasm/handoff.ts): units of UNIT_GROUPS groups that both threads claim,
// so a helper that wakes late or is descheduled (a busy second core) only does less, and the main
// thread never waits for a unit nobody has started. The helper is started on first use, unref'd,
// and used only once ready; any failure leaves fills on the main thread, which computes the same
// numbers (each element depends only on (seed, stream, i), never on who ran which unit).
import { HANDOFF_SOURCE, awaitReady, awaitValue, closeList, drain, openList, quit } from './wasm/handoff';
import type { WasmMemory, WasmModule } from './wasm/webassembly';

/** Int32 slots of the control block at byte 0: the job list's (handoff.ts), then the fill's arguments. */
const C = { seq: 0, ready: 1, quit: 2, next: 3, avail: 4, finished: 5, args: 8 } as const;
export const CONTROL_INTS = 32;
/** Byte address of the helper's warm-up output (64 groups = 4 KB, inside the control page). */
const WARM = 4096;
/** Groups (16 normals each) per unit: 2048 normals, a few microseconds of work. */
export const UNIT_GROUPS = 128;

/**
 * Unit i of the posted chunk: groups [i·unit, min((i+1)·unit, groups)) of the blocks from
 * (blo, bhi), written at dst + 64·(first group). Arguments: k0 k1 s0 s1 blo bhi unit groups dst.
 */
const RUN = `
function runUnit(k, ctl, C, i) {
  const a = C.args, unit = ctl[a + 6], g0 = i * unit, n = Math.min(unit, ctl[a + 7] - g0);
  const lo = (ctl[a + 4] >>> 0) + 4 * g0; // the block counter's low word may carry into the high one
  k.normals(ctl[a], ctl[a + 1], ctl[a + 2], ctl[a + 3], lo | 0, (ctl[a + 5] + (lo >= 4294967296 ? 1 : 0)) | 0, n, ctl[a + 8] + 64 * g0);
}
`;
const shared = new Function(`${RUN}; return { runUnit };`)() as {
  runUnit(k: unknown, ctl: Int32Array, c: typeof C, i: number): void;
};

const SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, C, WARM } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(memory.buffer, 0, ${CONTROL_INTS});
for (let i = 0; i < 40; i++) k.normals(1, 2, 3, 4, 0, 0, 64, WARM); // leave V8's baseline tier
serve(ctl, C, 0.05, (i) => runUnit(k, ctl, C, i)); // spin briefly: fills come in runs of chunks
${RUN}
${HANDOFF_SOURCE}
`;

export class NormalHelper {
  private readonly ctl: Int32Array;
  private broken = false;

  private constructor(
    private readonly worker: { terminate(): Promise<number> },
    memory: WasmMemory,
    private readonly k: unknown,
  ) {
    this.ctl = new Int32Array(memory.buffer, 0, CONTROL_INTS);
  }

  /** Starts a helper (k: this thread's instance of the same module), or returns undefined where worker threads are unavailable. */
  static start(module: WasmModule, memory: WasmMemory, k: unknown): NormalHelper | undefined {
    try {
      const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
      const w = new Worker(SOURCE, { eval: true, workerData: { module, memory, C, WARM } });
      w.unref(); // never keeps the process alive
      const h = new NormalHelper(w, memory, k);
      w.on('error', () => {
        h.broken = true;
      });
      return h;
    } catch {
      return undefined;
    }
  }

  get ready(): boolean {
    return !this.broken && Atomics.load(this.ctl, C.ready) === 1;
  }

  /** Blocks until the helper is ready or `timeoutMs` passed; returns `ready`. */
  waitReady(timeoutMs: number): boolean {
    if (!this.broken) awaitReady(this.ctl, C, timeoutMs);
    return this.ready;
  }

  /**
   * normals(k0, k1, s0, s1, blo, bhi, groups, dst) on both threads, in units of UNIT_GROUPS groups.
   * False (and the helper marked broken) if a unit the helper took made no progress for
   * `stallMs`: the caller then computes the chunk itself, elsewhere (the helper may still write dst).
   */
  normals(
    args: readonly [number, number, number, number, number, number],
    groups: number,
    dst: number,
    stallMs = 5000,
  ): boolean {
    const c = this.ctl,
      a = C.args,
      units = Math.ceil(groups / UNIT_GROUPS);
    closeList(c, C); // a late helper must not claim while the arguments change
    for (let i = 0; i < 6; i++) c[a + i] = args[i];
    c[a + 6] = UNIT_GROUPS;
    c[a + 7] = groups;
    c[a + 8] = dst;
    const tag = openList(c, C, units);
    drain(c, C, tag, (i) => shared.runUnit(this.k, c, C, i));
    const done = awaitValue(c, C.finished, units, stallMs);
    closeList(c, C);
    if (!done) this.broken = true;
    return done;
  }

  dispose(): Promise<number> {
    this.broken = true;
    quit(this.ctl, C);
    return this.worker.terminate();
  }
}
