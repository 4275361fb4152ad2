// Gradient estimators for the descent loop, each one run per step over the same twin:
//   forward: the paper's forward gradient, g = (1/K) Σ_k (∇f·v_k) v_k, v_k regenerated from
//            (seed, stream = (step−1)·K + k): one twin run per direction, or one in vector mode;
//   exact:   ∇f by n twin runs along the basis vectors e_i (forward mode, exact; for small n);
//   backprop: ∇f by reverse mode, one taped run of the original function and one backward pass over
//            the same tensor kernels (non-tensor parameters: basis sweeps through the twin).
// Memory: each twin run and the reads of its numbers happen inside `tidy` (runtime/tensor/pool.ts),
// so a step's intermediates go back to the pool. v lives only in the tangent buffers the twin reads
// (it must be materialised there); with one run per step the estimate g is then formed in place over
// row 0 of those buffers, so no second parameter-sized buffer is held, and with K = 1 not formed at
// all when the optimizer can update from d·v directly (Optimizer.stepScaled).
import { dispose, keep, tidy } from '../tensor/pool';
import { Tensor, zerosPooled } from '../tensor/tensor';
import type { Twin } from '../registry';
import { reverse } from '../autodiff/reverse';
import { basisSweep } from '../autodiff/sweep';
import { zerosLike } from '../twin-support';
import { Buf, Leaf, argLeaves, tensorsIn, zerosMirror } from './leaves';
import { DirectionDistribution, drawDirections, scalarTangent, vectorTangent } from './directions';

export interface Estimate { loss: number; /** every directional derivative was finite */ finite: boolean }

/** A gradient held as scale·direction (one direction buffer per parameter leaf). */
export interface ScaledGradient { directions: readonly Buf[]; scale: number }

export interface Estimator {
  readonly name: string;
  /** Loss at the current parameters and the gradient estimate (read it with gradients()). Run it inside `tidy`. */
  estimate(step: number, inputs: readonly unknown[]): Estimate;
  /** The last estimate: one buffer per parameter leaf, valid until the next estimate(). */
  gradients(): readonly Buf[];
  /**
   * The last estimate as scale·direction when it is held that way (fgd with one direction), so an
   * optimizer's stepScaled can update without forming g; undefined otherwise. Valid until the next
   * estimate() or gradients() (which forms g over the direction).
   */
  scaled?(): ScaledGradient | undefined;
  /** Releases the estimator's pooled buffers (tangents, held gradients) once the run is over. */
  finish(): void;
}

/** What both estimators share: the twin, the parameters, and fresh tangents mirroring them. */
export class TwinCall {
  readonly leaves: Leaf[];
  readonly tangents: unknown[];
  readonly tangentLeaves: Leaf[];

  constructor(readonly twin: Twin, readonly params: unknown[], readonly thisArg: unknown, readonly rows: number, readonly caller: string) {
    const idx = params.map((_, i) => i);
    this.leaves = argLeaves(params, idx);
    // Tensor tangents (v, or the K directions) come from the pool, so memoryInfo counts them: they
    // are this method's parameter-sized state, as backprop's gradient is its.
    this.tangents = params.map((p) => zerosMirror(p, rows, zerosPooled));
    this.tangentLeaves = argLeaves(this.tangents, idx);
  }

  /** Returns the pooled tangent tensors (the run is over). */
  release(): void { dispose(this.tangents); }

  /** Fresh zero gradient buffers, one per leaf (float32 for float32 parameters). */
  newGrads(): Buf[] {
    return this.leaves.map((l) => (l.kind === 'f32' || l.kind === 'tensor' ? new Float32Array(l.size) : new Float64Array(l.size)));
  }

  /** One twin run: params with the current tangents, then inputs with zero tangents. */
  run(inputs: readonly unknown[]): [unknown, unknown] {
    const slots = this.twin.meta.tangentSlots, args: unknown[] = [];
    const np = this.params.length;
    if (np + inputs.length !== slots.length) {
      throw new Error(`${this.caller}(${this.twin.meta.name}): the function takes ${slots.length} argument(s); got ${np} parameter(s) and ${inputs.length} input(s)`);
    }
    for (let i = 0; i < slots.length; i++) {
      const primal = i < np ? this.params[i] : inputs[i - np];
      args.push(primal);
      if (slots[i]) args.push(i < np ? this.tangents[i] : zerosLike(primal));
    }
    return this.twin.fn.apply(this.thisArg, args);
  }

  /** The loss from a twin's value (must be a scalar: a number or a one-element Tensor). */
  lossOf(y: unknown): number { return scalarTangent(y, y, this.caller); }
}

export class ForwardEstimator implements Estimator {
  readonly name = 'fgd';
  private readonly grads: readonly Buf[];
  /** One twin run per step (K = 1 or vector mode): g is formed in place over tangent row 0. */
  private readonly inPlace: boolean;
  private readonly ds: Float64Array;
  /** In place: g not yet formed over row 0 (row 0 still holds v_0). */
  private pending = false;

  constructor(private readonly call: TwinCall, private readonly seed: number, private readonly K: number,
    private readonly distribution: DirectionDistribution, private readonly vector: boolean) {
    this.inPlace = K === 1 || vector;
    this.ds = new Float64Array(K);
    // In place: a view of row 0 of each tangent buffer (boxed numbers: their box, committed after scaling).
    this.grads = this.inPlace ? call.tangentLeaves.map((t, j) => rowOf(t.data(), 0, call.leaves[j].size)) : call.newGrads();
  }

  estimate(step: number, inputs: readonly unknown[]): Estimate {
    const c = this.call, K = this.K, stream = (step - 1) * K, runs = this.vector ? 1 : K, ds = this.ds;
    let loss = NaN, finite = true;
    this.pending = false;
    if (!this.inPlace) for (const g of this.grads) g.fill(0);
    for (let run = 0; run < runs; run++) {
      drawDirections(c.leaves, c.tangentLeaves, this.vector ? K : 1, { seed: this.seed }, this.distribution, stream + run);
      const l = tidy(() => {
        const [y, dy] = c.run(inputs);
        if (this.vector) ds.set(vectorTangent(dy, y, K, c.caller)); else ds[run] = scalarTangent(dy, y, c.caller);
        return c.lossOf(y);
      });
      if (run === 0) loss = l;
      if (!this.inPlace) addRow(this.grads, c.tangentLeaves, 0, ds[run] / K);
    }
    for (let k = 0; k < K; k++) if (!Number.isFinite(ds[k])) finite = false;
    // In place, g is formed on demand: with K = 1 an optimizer's stepScaled reads d·v straight from row 0.
    this.pending = this.inPlace;
    return { loss, finite };
  }

  finish(): void { this.call.release(); }

  scaled(): ScaledGradient | undefined {
    if (!this.pending || this.K !== 1) return undefined;
    for (const t of this.call.tangentLeaves) t.data(); // refresh boxed numbers' boxes (they are grads' views)
    return { directions: this.grads, scale: this.ds[0] };
  }

  gradients(): readonly Buf[] {
    if (this.pending) {
      // g = Σ_k (d_k/K)·v_k over row 0, in the same order and precision as accumulating into zeros.
      const c = this.call, K = this.K, ds = this.ds;
      const rows = c.tangentLeaves.map((t) => t.data());
      for (let j = 0; j < rows.length; j++) {
        const g = this.grads[j], v = rows[j], s = ds[0] / K;
        for (let i = 0; i < g.length; i++) g[i] = 0 + s * v[i];
      }
      for (let k = 1; k < K; k++) addRow(this.grads, c.tangentLeaves, k, ds[k] / K, rows);
      for (const t of c.tangentLeaves) t.commit();
      this.pending = false;
    }
    return this.grads;
  }
}

/** Row `row` (of length n) of a tangent buffer, as a view. */
function rowOf(buf: Buf, row: number, n: number): Buf {
  if (row === 0 && buf.length === n) return buf;
  return Array.isArray(buf) ? buf : (buf as Float32Array).subarray(row * n, (row + 1) * n);
}

/** grads += scale · (row `row` of the tangent leaves). */
function addRow(grads: readonly Buf[], tangent: readonly Leaf[], row: number, scale: number, data?: Buf[]): void {
  for (let j = 0; j < grads.length; j++) {
    const g = grads[j], v = data ? data[j] : tangent[j].data(), base = row * g.length;
    for (let i = 0; i < g.length; i++) g[i] += scale * v[base + i];
  }
}

export class ExactEstimator implements Estimator {
  readonly name = 'gd';
  private readonly grads: readonly Buf[];
  constructor(private readonly call: TwinCall) { this.grads = call.newGrads(); }

  gradients(): readonly Buf[] { return this.grads; }

  finish(): void { this.call.release(); }

  estimate(_step: number, inputs: readonly unknown[]): Estimate {
    const c = this.call;
    let loss = NaN, finite = true;
    for (let j = 0; j < c.leaves.length; j++) {
      const t = c.tangentLeaves[j], g = this.grads[j];
      for (let i = 0; i < c.leaves[j].size; i++) {
        const v = t.data(); v[i] = 1; t.commit();
        const d = tidy(() => {
          const [y, dy] = c.run(inputs);
          loss = c.lossOf(y);
          return scalarTangent(dy, y, c.caller);
        });
        if (!Number.isFinite(d)) finite = false;
        g[i] = d;
        const v2 = t.data(); v2[i] = 0; t.commit();
      }
    }
    if (c.leaves.length === 0) loss = tidy(() => c.lossOf(c.run(inputs)[0]));
    return { loss, finite };
  }
}

/** Every element finite, in one pass: v·0 is NaN exactly when v is ±Inf or NaN (a plain local sum: fast). */
function allFinite(a: Float32Array): boolean {
  let probe = 0;
  for (let i = 0; i < a.length; i++) probe += a[i] * 0;
  return probe === 0;
}

/** What the backprop estimator runs: the original function (taped) and, for non-tensor leaves, its twin. */
export class ReverseCall {
  readonly leaves: Leaf[];
  /** The Tensor parameters, in leaf order (the tape tracks these). */
  readonly tensors: Tensor[] = [];

  constructor(readonly fn: Function, readonly twin: Twin, readonly params: unknown[], readonly thisArg: unknown, readonly caller: string) {
    this.leaves = argLeaves(params, params.map((_, i) => i));
    tensorsIn(params, this.tensors);
  }

  /** params then inputs, checked against the function's arity. */
  args(inputs: readonly unknown[]): unknown[] {
    const n = this.twin.meta.tangentSlots.length;
    if (this.params.length + inputs.length !== n) {
      throw new Error(`${this.caller}(${this.twin.meta.name}): the function takes ${n} argument(s); got ${this.params.length} parameter(s) and ${inputs.length} input(s)`);
    }
    return [...this.params, ...inputs];
  }
}

export class BackpropEstimator implements Estimator {
  readonly name = 'backprop';
  /** Per leaf: a view of the step's cotangent (tensors) or the swept derivatives (other leaves). */
  private readonly grads: Buf[];
  /** Index into grads of each tensor (leaf order), and of each non-tensor leaf by path. */
  private readonly tensorSlots: number[] = [];
  private readonly scalarSlots = new Map<string, number>();
  private readonly paramIndices: number[];
  /** The last step's cotangents: the gradient the optimizer reads, freed at the next step. */
  private held: Tensor[] = [];
  /** Zeros for a tensor parameter the loss does not depend on (made on first need). */
  private readonly zeros = new Map<number, Tensor>();

  constructor(private readonly call: ReverseCall) {
    this.grads = call.leaves.map((l) => (l.kind === 'f32' || l.kind === 'tensor' ? new Float32Array(l.kind === 'tensor' ? 0 : l.size) : new Float64Array(l.size)));
    call.leaves.forEach((l, j) => { if (l.kind === 'tensor') this.tensorSlots.push(j); else this.scalarSlots.set(l.path, j); });
    this.paramIndices = call.params.map((_, i) => i);
  }

  gradients(): readonly Buf[] { return this.grads; }

  finish(): void {
    dispose(this.held);
    this.held = [];
    dispose([...this.zeros.values()]);
    this.zeros.clear();
  }

  estimate(_step: number, inputs: readonly unknown[]): Estimate {
    const c = this.call, args = c.args(inputs);
    dispose(this.held);
    this.held = [];
    const { value, cotangents } = reverse(() => c.fn.apply(c.thisArg, args), c.tensors, `${c.caller}(${c.twin.meta.name})`);
    let finite = true;
    for (let t = 0; t < cotangents.length; t++) {
      const g = cotangents[t], slot = this.tensorSlots[t];
      if (g === undefined) {
        let z = this.zeros.get(t);
        if (!z) this.zeros.set(t, (z = keep(zerosPooled(c.tensors[t].shape))));
        this.grads[slot] = z.toArray();
        continue;
      }
      // No copy: the optimizer reads the cotangent itself, kept past the step's tidy scope.
      keep(g);
      this.held.push(g);
      const a = g.toArray();
      this.grads[slot] = a;
      if (!allFinite(a)) finite = false;
    }
    basisSweep(c.twin, args, this.paramIndices, c.thisArg, c.caller, (leaf, i, d) => {
      this.grads[this.scalarSlots.get(leaf.path)!][i] = d;
      if (!Number.isFinite(d)) finite = false;
    });
    return { loss: value, finite };
  }
}
