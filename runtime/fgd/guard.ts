// The divergence guard: a step whose loss or directional derivative is NaN/±Inf stops the run
// with the last parameters whose loss was finite (a snapshot taken before each update).
// Finite d and v do not make the next loss finite (the update can overflow, or move θ to where the
// function overflows), so the copy is needed; it is a typed-array copy (memcpy) of each leaf, in its
// own precision, into buffers allocated once.
import type { Buf, Leaf } from './leaves';

export class Snapshot {
  private readonly copies: (Float32Array | Float64Array)[];
  private valid = false;

  constructor(leaves: readonly Leaf[]) {
    this.copies = leaves.map((l) => (l.data() instanceof Float32Array ? new Float32Array(l.size) : new Float64Array(l.size)));
  }

  save(leaves: readonly Leaf[]): void {
    leaves.forEach((l, j) => copy(this.copies[j], l.data()));
    this.valid = true;
  }

  /** Restores the saved parameters; false when nothing was saved yet (the first step diverged). */
  restore(leaves: readonly Leaf[]): boolean {
    if (!this.valid) return false;
    leaves.forEach((l, j) => { copy(l.data(), this.copies[j]); l.commit(); });
    return true;
  }
}

/** to[0..n) = from[0..n) over the shorter of the two: one typed-array copy when both have the same type. */
function copy(to: Buf, from: Buf): void {
  const n = Math.min(to.length, from.length);
  if (from.constructor === to.constructor && !Array.isArray(to)) (to as Float64Array).set((from as Float64Array).subarray(0, n));
  else for (let i = 0; i < n; i++) to[i] = from[i];
}
