// The one hand-off protocol between the main thread and a helper worker (kernels/wasm/worker.ts,
// kernels/rng-helper.ts), over Int32 slots in shared memory (`ListSlots`):
//   - a job list of `avail` units: the main thread writes the job while the list is closed, opens
//     it (`openList`: a new tag in `next`, `seq` bumped and notified), then claims units itself
//     (`drain`) and waits for the units the helper took (`awaitValue` on `finished`). Either thread
//     claims a unit with a compare-exchange on `next` = (tag << 11) | next unit, so a helper that
//     wakes late (a busy machine) only does less, never delays the call, and results never depend
//     on who ran which unit;
//   - the helper (`serve`) spins briefly on Atomics.load after a list, then sleeps in Atomics.wait:
//     a back-to-back hand-off costs < 1 µs instead of the ~100 µs of a wait/notify wake-up.
// The code is one source text, pasted into each worker's eval'd source and compiled here once for
// the main thread, so both sides run the same lines.

import { threadAtomics } from '../host';

/** Slot indices of a control block (Int32Array) that carries job lists. */
export interface ListSlots {
  /** Bumped (and notified) when a list opens or the helper should quit. */
  readonly seq: number;
  /** 1 once the helper runs. */
  readonly ready: number;
  /** Non-zero: the helper leaves its loop. */
  readonly quit: number;
  /** (tag << 11) | next unclaimed unit; −1 while closed. */
  readonly next: number;
  /** Units in the open list. */
  readonly avail: number;
  /** Units done. */
  readonly finished: number;
}

/** Most units per list (the index field of `next`). */
export const MAX_UNITS = 2047;
const CLOSED = -1;

/** Plain JS (not TypeScript) so it runs as `eval` code from ts-jest, dist/ and bundles alike. */
export const HANDOFF_SOURCE = `
// Stores v in slot i and wakes its waiters.
function signal(ctl, i, v) {
  Atomics.store(ctl, i, v);
  Atomics.notify(ctl, i);
}
// Returns slot i's value once it differs from seen: spins for spinMs (a burst of hand-offs comes
// back within microseconds), then sleeps until notified.
function nextValue(ctl, i, seen, spinMs) {
  let s = Atomics.load(ctl, i);
  if (s !== seen) return s;
  const until = performance.now() + spinMs;
  while ((s = Atomics.load(ctl, i)) === seen && performance.now() < until) {
    for (let j = 0; j < 64; j++) if (Atomics.load(ctl, i) !== seen) break;
  }
  while ((s = Atomics.load(ctl, i)) === seen) Atomics.wait(ctl, i, seen, 1000);
  return s;
}
// True once slot i holds target; false if its value made no progress (did not change) for
// stallMs, so the caller can take over or fail instead of hanging. Spins a little first.
function awaitValue(ctl, i, target, stallMs) {
  let last = Atomics.load(ctl, i);
  for (let spin = 0; last !== target && spin < 20000; spin++) last = Atomics.load(ctl, i);
  let t0 = Date.now();
  while (last !== target) {
    Atomics.wait(ctl, i, last, 100);
    const now = Atomics.load(ctl, i);
    if (now !== last) { last = now; t0 = Date.now(); } else if (Date.now() - t0 > stallMs) return false;
  }
  return true;
}
// -1: list closed, stale or exhausted; -3: lost a race, try again; else a unit index.
function claim(ctl, C, tag) {
  const v = Atomics.load(ctl, C.next);
  if (v < 0 || (v >>> 11) !== tag) return -1;
  const avail = Atomics.load(ctl, C.avail), i = v & 2047;
  if (i >= avail) return -1;
  return Atomics.compareExchange(ctl, C.next, v, v + 1) === v ? i : -3;
}
// Claims and runs units of list tag until none is left; run(i) must not throw.
function drain(ctl, C, tag, run) {
  for (;;) {
    const i = claim(ctl, C, tag);
    if (i === -1) return;
    if (i >= 0) {
      run(i);
      if (Atomics.add(ctl, C.finished, 1) + 1 === Atomics.load(ctl, C.avail)) Atomics.notify(ctl, C.finished);
    }
  }
}
// The helper's loop: announce readiness, then work through each list opened, until quit.
function serve(ctl, C, spinMs, run) {
  let seen = Atomics.load(ctl, C.seq); // read before announcing: the first list opens only after
  signal(ctl, C.ready, 1);
  for (;;) {
    seen = nextValue(ctl, C.seq, seen, spinMs);
    if (Atomics.load(ctl, C.quit)) return;
    drain(ctl, C, seen & 0xfffff, run);
  }
}
`;

// This thread's copy waits through the host's Atomics (a browser's main thread may not block in
// Atomics.wait: kernels/host.browser.ts spins there instead); the workers' copies use the real one.
const compiled = new Function('Atomics', `${HANDOFF_SOURCE}; return { signal, awaitValue, drain };`)(threadAtomics) as {
  signal(ctl: Int32Array, i: number, v: number): void;
  awaitValue(ctl: Int32Array, i: number, target: number, stallMs: number): boolean;
  drain(ctl: Int32Array, C: ListSlots, tag: number, run: (i: number) => void): void;
};

/** Stores `v` in slot `i` and wakes its waiters. */
export const signal = compiled.signal;

/**
 * Blocks until slot `i` holds `target` (true), or its value has not changed for `stallMs` (false:
 * the helper is stuck; the caller decides whether to compute the part itself or fail).
 */
export const awaitValue = compiled.awaitValue;

/** Claims and runs units of list `tag` on this thread until none is left (`run` must not throw). */
export const drain = compiled.drain;

/** Blocks until the helper signalled ready or `timeoutMs` passed; returns whether it did. */
export function awaitReady(ctl: Int32Array, C: ListSlots, timeoutMs: number): boolean {
  threadAtomics.wait(ctl, C.ready, 0, timeoutMs);
  return Atomics.load(ctl, C.ready) !== 0;
}

/** Closes the list: claims fail from now on (do this before rewriting a job's slots). */
export function closeList(ctl: Int32Array, C: ListSlots): void {
  Atomics.store(ctl, C.next, CLOSED);
}

/** Opens a list of `units` (1 … MAX_UNITS) over the job written while closed; wakes the helper; returns its tag. */
export function openList(ctl: Int32Array, C: ListSlots, units: number): number {
  Atomics.store(ctl, C.next, CLOSED);
  Atomics.store(ctl, C.avail, units);
  Atomics.store(ctl, C.finished, 0);
  const seq = Atomics.load(ctl, C.seq) + 1,
    tag = seq & 0xfffff;
  Atomics.store(ctl, C.next, tag << 11);
  signal(ctl, C.seq, seq);
  return tag;
}

/** Asks the helper to leave its loop. */
export function quit(ctl: Int32Array, C: ListSlots): void {
  closeList(ctl, C);
  Atomics.store(ctl, C.quit, 1);
  signal(ctl, C.seq, Atomics.load(ctl, C.seq) + 1);
}
