// The one hand-off protocol between the main thread and a helper worker (kernels/wasm/worker.ts,
// kernels/rng-helper.ts): Int32 slots in shared memory, a writer that stores and notifies, and a
// waiter that spins briefly on Atomics.load before sleeping in Atomics.wait. Spinning first matters:
// a back-to-back hand-off then costs < 1 µs instead of the ~100 µs of a wait/notify wake-up.
// The code is one source text, pasted into each worker's eval'd source and compiled here once for
// the main thread, so both sides run the same lines.

/** Plain JS (not TypeScript) so it runs as `eval` code from ts-jest, dist/ and bundles alike. */
export const SPIN_WAIT_SOURCE = `
// Stores v in slot i and wakes its waiters.
function signal(ctl, i, v) {
  Atomics.store(ctl, i, v);
  Atomics.notify(ctl, i);
}
// Helper side: returns slot i's value once it differs from seen. Spins for spinMs (a burst of
// hand-offs comes back within microseconds), then sleeps until notified.
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
// Main side: true once slot i holds target; false if its value made no progress (did not change)
// for stallMs, so the caller can take over the work instead of hanging. Spins a little first.
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
`;

// eslint-disable-next-line @typescript-eslint/no-implied-eval
const compiled = new Function(`${SPIN_WAIT_SOURCE}; return { signal, awaitValue };`)() as {
  signal(ctl: Int32Array, i: number, v: number): void;
  awaitValue(ctl: Int32Array, i: number, target: number, stallMs: number): boolean;
};

/** Stores `v` in slot `i` and wakes its waiters (a job posted, a helper ready, a quit request). */
export const signal = compiled.signal;

/**
 * Blocks until slot `i` holds `target` (true), or its value has not changed for `stallMs` (false:
 * the helper is stuck; the caller decides whether to compute the part itself or fail).
 */
export const awaitValue = compiled.awaitValue;

/** Blocks until the helper signalled ready (slot `i` ≠ 0) or `timeoutMs` passed; returns whether it did. */
export function awaitReady(ctl: Int32Array, i: number, timeoutMs: number): boolean {
  Atomics.wait(ctl, i, 0, timeoutMs);
  return Atomics.load(ctl, i) !== 0;
}
