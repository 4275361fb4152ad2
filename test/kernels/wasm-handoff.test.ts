// The hand-off protocol both helper threads use (kernels/wasm/handoff.ts), with a real worker that
// runs the same source text: every unit of a list runs exactly once whoever claims it, a closed
// list cannot be claimed, and a helper stuck in a unit makes the main thread's wait return false
// (it never hangs).
import { Worker } from 'node:worker_threads';
import { HANDOFF_SOURCE, awaitReady, awaitValue, closeList, drain, openList, quit } from '../../kernels/wasm/handoff';

const C = { seq: 0, ready: 1, quit: 2, next: 3, avail: 4, finished: 5 } as const;
/** Int32 slots after the control block: per-unit run counts (and who ran it), and the helper's stall switch. */
const RUNS = 16,
  WHO = RUNS + 2048,
  STALL = WHO + 2048,
  SLOTS = STALL + 2;

// Unit i: counts its runs, records the runner (1 = helper, 2 = main); the helper blocks in unit 0
// while STALL is set (a descheduled or stuck helper).
const RUN = `
function runUnit(ctl, i, who) {
  if (who === 1 && i === 0) while (Atomics.load(ctl, ${STALL}) === 1) Atomics.wait(ctl, ${STALL}, 1, 50);
  Atomics.add(ctl, ${RUNS} + i, 1);
  Atomics.store(ctl, ${WHO} + i, who);
  for (let s = 0, t = performance.now(); performance.now() - t < 0.01; s++) {} // ~10 µs of work
}
`;
const { runUnit } = new Function(`${RUN}; return { runUnit };`)() as {
  runUnit(ctl: Int32Array, i: number, who: number): void;
};

const SOURCE = `
const { workerData } = require('node:worker_threads');
const ctl = new Int32Array(workerData.buffer);
serve(ctl, workerData.C, 0.05, (i) => runUnit(ctl, i, 1));
${RUN}
${HANDOFF_SOURCE}
`;

describe('hand-off protocol (kernels/wasm/handoff.ts)', () => {
  const ctl = new Int32Array(new SharedArrayBuffer(4 * SLOTS));
  let worker: Worker;

  beforeAll(() => {
    worker = new Worker(SOURCE, { eval: true, workerData: { buffer: ctl.buffer, C } });
    expect(awaitReady(ctl, C, 20000)).toBe(true);
  });
  afterAll(async () => {
    quit(ctl, C);
    await worker.terminate();
  });

  const reset = () => {
    ctl.fill(0, RUNS, STALL + 1);
  };

  test('every unit of a list runs exactly once, over many lists, whichever thread claims it', () => {
    const ranBy = new Set<number>();
    for (let list = 0; list < 200; list++) {
      reset();
      const units = 1 + (list % 40);
      closeList(ctl, C);
      const tag = openList(ctl, C, units);
      drain(ctl, C, tag, (i) => runUnit(ctl, i, 2));
      expect(awaitValue(ctl, C.finished, units, 10000)).toBe(true);
      closeList(ctl, C);
      for (let i = 0; i < units; i++) {
        expect(ctl[RUNS + i]).toBe(1);
        ranBy.add(ctl[WHO + i]);
      }
      expect(ctl[RUNS + units]).toBe(0); // nothing beyond the list
    }
    expect(ranBy.has(2)).toBe(true); // the main thread always takes part; the helper may or may not have
  });

  test('a closed list cannot be claimed: units left when it closes never run', () => {
    reset();
    Atomics.store(ctl, STALL, 1); // a helper that claims unit 0 blocks there, so it claims at most one
    const tag = openList(ctl, C, 40);
    // Close it as closeList does (−1 in next), reading what the helper had claimed by then.
    const v = Atomics.exchange(ctl, C.next, -1),
      claimed = v >>> 11 === tag ? v & 2047 : 0;
    drain(ctl, C, tag, (i) => runUnit(ctl, i, 2));
    Atomics.store(ctl, STALL, 0);
    Atomics.notify(ctl, STALL);
    expect(awaitValue(ctl, C.finished, claimed, 10000)).toBe(true);
    expect(claimed).toBeLessThanOrEqual(1);
    for (let i = 0; i < 40; i++) expect(ctl[RUNS + i]).toBe(i < claimed ? 1 : 0);
  });

  test('a helper stuck in a unit: the wait returns false after stallMs instead of hanging, and the unit finishes later', () => {
    reset();
    Atomics.store(ctl, STALL, 1);
    closeList(ctl, C);
    const tag = openList(ctl, C, 1);
    // Leave unit 0 to the helper: wait until it has claimed it (it then blocks inside).
    for (const t0 = Date.now(); Atomics.load(ctl, C.next) === tag << 11 && Date.now() - t0 < 20000;)
      Atomics.wait(ctl, SLOTS - 1, 0, 1);
    drain(ctl, C, tag, (i) => runUnit(ctl, i, 2)); // nothing left to claim
    expect(awaitValue(ctl, C.finished, 1, 200)).toBe(false); // the helper is still inside unit 0
    Atomics.store(ctl, STALL, 0);
    Atomics.notify(ctl, STALL);
    expect(awaitValue(ctl, C.finished, 1, 10000)).toBe(true);
    expect(ctl[WHO]).toBe(1);
    closeList(ctl, C);
  });
});
