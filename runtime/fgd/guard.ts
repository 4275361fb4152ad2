// The divergence guard: a step whose loss or directional derivative is NaN/±Inf stops the run
// with the last parameters whose loss was finite (a snapshot taken before each update).
// Finite d and v do not make the next loss finite (the update can overflow, or move θ to where the
// function overflows), so the copy is needed; it is a typed-array copy (memcpy) of each leaf, in its
// own precision, into buffers allocated once.
import type { Buf, Leaf } from '../leaves';
import { acquire, release } from '../tensor/pool';
import { syncHost } from '../../kernels/residency';

export class Snapshot {
  private readonly copies: (Float32Array | Float64Array)[];
  private readonly extraCopies: (Float32Array | Float64Array)[];
  private valid = false;

  /** `extra`: live buffers saved and restored with the parameters (the optimizer's slots, when a checkpoint must stay consistent). */
  constructor(
    leaves: readonly Leaf[],
    private readonly extra: readonly Buf[] = [],
  ) {
    // Float32 copies of the parameters come from the tensor pool, i.e. the backend's kernel memory,
    // where the update kernel can write them in its own pass (beforeUpdate); dispose() returns them.
    const like = (b: Buf, n: number) => (b instanceof Float32Array ? acquire(n) : new Float64Array(n));
    this.copies = leaves.map((l) => like(l.data(), l.size));
    this.extraCopies = extra.map((b) =>
      b instanceof Float32Array ? new Float32Array(b.length) : new Float64Array(b.length),
    );
  }

  /**
   * For an update that saves the parameters in its own pass (Optimizer.step's saveTo): copies the
   * extras now (the update changes them too) and returns the parameters' snapshot buffers, to be
   * passed as saveTo; call afterUpdate() once the update ran. Same snapshot as save(), one pass fewer.
   */
  beforeUpdate(): readonly Buf[] {
    // Host copies of the slots: read back from a device backend each step (checkpointing asked for them).
    this.extra.forEach((b, j) => copy(this.extraCopies[j], b));
    return this.copies;
  }

  /** The update saved the parameters (beforeUpdate): restore() may use them. */
  afterUpdate(): void {
    this.valid = true;
  }

  /** Returns the pooled copies; the snapshot is unusable after. */
  dispose(): void {
    for (const c of this.copies) if (c instanceof Float32Array) release(c);
    this.copies.length = 0;
    this.valid = false;
  }

  save(leaves: readonly Leaf[]): void {
    leaves.forEach((l, j) => copy(this.copies[j], l.data()));
    this.extra.forEach((b, j) => copy(this.extraCopies[j], b));
    this.valid = true;
  }

  /** Restores the saved parameters (and extras); false when nothing was saved yet (the first step diverged). */
  restore(leaves: readonly Leaf[]): boolean {
    if (!this.valid) return false;
    // the update kernel wrote the copies (UpdateArgs.save), maybe on a device; the slots are written here
    leaves.forEach((l, j) => {
      copy(l.data(), this.copies[j]);
      l.commit();
    });
    this.extra.forEach((b, j) => copy(b, this.extraCopies[j]));
    return true;
  }
}

/** to[0..n) = from[0..n) over the shorter of the two: one typed-array copy when both have the same type. */
function copy(to: Buf, from: Buf): void {
  // kernels (the update, UpdateArgs.save) may have left either's current elements on a device
  // (kernels/residency.ts): bring them back, and never let a device copy shadow this write
  if (to instanceof Float32Array) syncHost(to);
  if (from instanceof Float32Array) syncHost(from);
  const n = Math.min(to.length, from.length);
  if (from.constructor === to.constructor && !Array.isArray(to))
    (to as Float64Array).set((from as Float64Array).subarray(0, n));
  else for (let i = 0; i < n; i++) to[i] = from[i];
}
