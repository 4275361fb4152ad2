// The divergence guard: a step whose loss or directional derivative is NaN/±Inf stops the run
// with the last parameters whose loss was finite (a snapshot taken before each update).
import type { Buf, Leaf } from './leaves';

export class Snapshot {
  private readonly copies: Float64Array[];
  private valid = false;

  constructor(leaves: readonly Leaf[]) { this.copies = leaves.map((l) => new Float64Array(l.size)); }

  save(leaves: readonly Leaf[]): void {
    leaves.forEach((l, j) => { const d = l.data(), c = this.copies[j]; for (let i = 0; i < l.size; i++) c[i] = d[i]; });
    this.valid = true;
  }

  /** Restores the saved parameters; false when nothing was saved yet (the first step diverged). */
  restore(leaves: readonly Leaf[]): boolean {
    if (!this.valid) return false;
    leaves.forEach((l, j) => { const d: Buf = l.data(), c = this.copies[j]; for (let i = 0; i < l.size; i++) d[i] = c[i]; l.commit(); });
    return true;
  }
}
