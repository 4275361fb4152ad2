// The forward-gradient estimator, one step of which is both `forwardGradient` (a user's own loop)
// and each step of `fgd`: g = (1/K) Σ_k (∇f·v_k) v_k, v_k drawn from (seed, stream = (step−1)·K + k)
// or a user's Rng, one twin run per direction or one in vector mode. It lives below the descent loop
// (runtime/fgd/) so core forwardGradient does not load the training machinery.
// Memory: each twin run and the reads of its numbers happen inside `tidy` (runtime/tensor/pool.ts),
// so a step's intermediates go back to the pool. v lives only in the tangent buffers the twin reads
// (it must be materialised there); with one run per step the estimate g is then formed in place over
// row 0 of those buffers, so no second parameter-sized buffer is held, and with K = 1 not formed at
// all when the optimizer can update from d·v directly (Optimizer.stepScaled).
import { getBackend } from '../kernels/select';
import { acquireUnpooled, dispose, releaseUnpooled, tidy } from './tensor/pool';
import { Tensor, zerosPooled } from './tensor/tensor';
import { DirectionStorage, eachChunk } from './tensor/direction-storage';
import type { Twin } from './registry';
import { zerosLike } from './twin-support';
import { Buf, Leaf, argLeaves, tensorsIn, zerosMirror } from './leaves';
import { DirectionDistribution, DirectionSource, drawDirections, scalarTangent, vectorTangent } from './directions';
import type { Direction } from './tensor/direction-storage';

export interface Estimate {
  loss: number;
  /** every directional derivative was finite */ finite: boolean;
}

/**
 * A gradient held as scale·direction: per parameter leaf a direction buffer, or (lazy directions)
 * the generator the optimizer regenerates it from chunk by chunk.
 */
export interface ScaledGradient {
  directions: readonly Direction[];
  scale: number;
}

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

export interface TwinCallOptions {
  /** The argument indices (of params) that get direction tangents; the others get zero tangents (default: all). */
  wrt?: readonly number[];
  /** Tensor tangents from the pool (default true: fgd's, released by finish()); false: plain ones a cache may keep. */
  pooled?: boolean;
  /**
   * Tensor tangents as direction storages (runtime/tensor/direction-storage.ts): described from the
   * seed each run, generated where consumed, never held parameter-sized (default false; fgd's option
   * `regenerate`). Only for seeded sources: a user's sequential Rng fills buffers in order.
   */
  lazy?: boolean;
}

/**
 * A zero tangent a cache keeps between calls: outside the pool (the pool must not count it as live),
 * but in the kernel memory when there is room, so the kernels read it in place instead of copying it.
 */
function unpooledZeros(shape: readonly number[]): Tensor {
  return new Tensor(acquireUnpooled(shape.reduce((a, d) => a * d, 1)).fill(0), shape);
}

/** What the twin-running estimators share: the twin, the parameters, and fresh tangents mirroring them. */
export class TwinCall {
  /** The leaves of params[wrt] (structure: offsets, sizes, shapes; fgd's optimizer also writes through them). */
  leaves: Leaf[];
  readonly tangents: unknown[];
  readonly tangentLeaves: Leaf[];
  /** Per tangent leaf: its direction storage when lazy (then never read through tangentLeaves[j].data()). */
  readonly lazy: readonly (DirectionStorage | undefined)[];
  readonly wrt: readonly number[];

  constructor(
    readonly twin: Twin,
    public params: unknown[],
    public thisArg: unknown,
    readonly rows: number,
    readonly caller: string,
    options: TwinCallOptions = {},
  ) {
    const wrt = (this.wrt = options.wrt ?? params.map((_, i) => i));
    this.leaves = argLeaves(params, wrt);
    // Tensor tangents (v, or the K directions) come from the pool, so memoryInfo counts them: they
    // are this method's parameter-sized state, as backprop's gradient is its.
    // Lazy ones hold no buffer at all: that is the point (issue 9).
    const lazy = options.lazy ?? false;
    const zeros = lazy
      ? (shape: readonly number[]) => {
          const n = shape.reduce((a, d) => a * d, 1);
          return new Tensor(new DirectionStorage(rows, n / rows), shape);
        }
      : options.pooled === false
        ? unpooledZeros
        : zerosPooled;
    this.tangents = params.map((p, i) => (wrt.includes(i) ? zerosMirror(p, rows, zeros) : undefined));
    this.tangentLeaves = argLeaves(this.tangents, wrt);
    const tensors = tensorsIn(this.tangents);
    let next = 0;
    this.lazy = this.tangentLeaves.map((l) => {
      if (l.kind !== 'tensor') return undefined;
      const s = tensors[next++].storage;
      return s instanceof DirectionStorage ? s : undefined;
    });
  }

  /**
   * Points the call at other parameter values of the same structure (forwardGradient reusing its
   * tangents between calls): `leaves` must be the new values' leaves, mirroring the old ones.
   */
  rebind(params: unknown[], thisArg: unknown, leaves: Leaf[]): void {
    this.params = params;
    this.thisArg = thisArg;
    this.leaves = leaves;
  }

  /** Returns the pooled tangent tensors (the run is over). */
  release(): void {
    dispose(this.tangents);
  }

  /** Gives the unpooled tangents' buffers (options.pooled false) back to the kernel memory; the call is unusable after. */
  releaseUnpooled(): void {
    for (const t of tensorsIn(this.tangents)) if (!t.storage.pooled) releaseUnpooled(t.buffer);
  }

  /** Fresh zero gradient buffers, one per leaf (float32 for float32 parameters). */
  newGrads(): Buf[] {
    return this.leaves.map((l) =>
      l.kind === 'f32' || l.kind === 'tensor' ? new Float32Array(l.size) : new Float64Array(l.size),
    );
  }

  /** One twin run: params with the current tangents, then inputs with zero tangents. */
  run(inputs: readonly unknown[]): [unknown, unknown] {
    const slots = this.twin.meta.tangentSlots,
      args: unknown[] = [];
    const np = this.params.length;
    if (np + inputs.length !== slots.length) {
      throw new Error(
        `${this.caller}(${this.twin.meta.name}): the function takes ${slots.length} argument(s); got ${np} parameter(s) and ${inputs.length} input(s)`,
      );
    }
    for (let i = 0; i < slots.length; i++) {
      const primal = i < np ? this.params[i] : inputs[i - np];
      args.push(primal);
      if (slots[i]) args.push(i < np && this.tangents[i] !== undefined ? this.tangents[i] : zerosLike(primal));
    }
    return this.twin.fn.apply(this.thisArg, args);
  }

  /** The loss from a twin's value (must be a scalar: a number or a one-element Tensor). */
  lossOf(y: unknown): number {
    return scalarTangent(y, y, this.caller);
  }
}

export class ForwardEstimator implements Estimator {
  readonly name = 'fgd';
  /** In place, a lazy leaf's entry is empty until gradients() needs it (there is no row 0 to form g over). */
  private readonly grads: Buf[];
  /** One twin run per step (K = 1 or vector mode): g is formed in place over tangent row 0. */
  private readonly inPlace: boolean;
  private readonly ds: Float64Array;
  /** In place: g not yet formed over row 0 (row 0 still holds v_0). */
  private pending = false;

  constructor(
    private readonly call: TwinCall,
    private source: DirectionSource,
    private readonly K: number,
    private distribution: DirectionDistribution,
    private readonly vector: boolean,
  ) {
    this.inPlace = K === 1 || vector;
    this.ds = new Float64Array(K);
    // In place: a view of row 0 of each tangent buffer (boxed numbers: their box, committed after scaling).
    this.grads = this.inPlace
      ? call.tangentLeaves.map((t, j) => (call.lazy[j] ? NONE : rowOf(t.data(), 0, call.leaves[j].size)))
      : call.newGrads();
  }

  /** forwardGradient's reuse: the same structure at other values, directions drawn afresh (see TwinCall.rebind). */
  rebind(
    params: unknown[],
    thisArg: unknown,
    leaves: Leaf[],
    source: DirectionSource,
    distribution: DirectionDistribution,
  ): void {
    this.call.rebind(params, thisArg, leaves);
    this.source = source;
    this.distribution = distribution;
  }

  /** The end of a cached estimator (forwardGradient's, replaced or never cached): its unpooled tangents go back. */
  discard(): void {
    this.call.releaseUnpooled();
  }

  /** Drops the references to the caller's values (a cached estimator must not keep a batch alive); rebind before the next run. */
  detach(): void {
    this.call.rebind([], undefined, []);
    this.source = { seed: 0 };
  }

  estimate(step: number, inputs: readonly unknown[]): Estimate {
    const { value, finite } = this.run(step, inputs, (y) => this.call.lossOf(y));
    return { loss: value, finite };
  }

  /**
   * The step's twin runs, with `first` applied to run 0's value inside its tidy scope: what it returns
   * (a loss, or the value itself for forwardGradient) survives; every other intermediate is freed.
   */
  run<V>(step: number, inputs: readonly unknown[], first: (y: unknown) => V): { value: V; finite: boolean } {
    const c = this.call,
      K = this.K,
      stream = (step - 1) * K,
      runs = this.vector ? 1 : K,
      ds = this.ds;
    let value: V | undefined,
      finite = true;
    this.pending = false;
    if (!this.inPlace) for (const g of this.grads) g.fill(0);
    for (let run = 0; run < runs; run++) {
      const rows = this.vector ? K : 1;
      drawDirections(c.leaves, c.tangentLeaves, rows, this.source, this.distribution, stream + run, c.lazy);
      const v = tidy(() => {
        const [y, dy] = c.run(inputs);
        if (this.vector) ds.set(vectorTangent(dy, y, K, c.caller));
        else ds[run] = scalarTangent(dy, y, c.caller);
        return run === 0 ? first(y) : undefined;
      });
      // Ops that read a lazy direction's numbers materialised it: free that memory, it is regenerable.
      // With K = 1 a device that makes directions keeps its copy for the update (scaled()), which
      // reads it there; K > 1 forms g on the host from regenerated rows. (A scalar-only run has no
      // lazy leaf and never asks for a backend.)
      if (c.lazy.some((s) => s !== undefined) && !(K === 1 && getBackend().fillDirection))
        for (const s of c.lazy) s?.dematerialise();
      if (run === 0) value = v;
      if (!this.inPlace) addRow(this.grads, c.tangentLeaves, 0, ds[run] / K, undefined, c.lazy);
    }
    for (let k = 0; k < K; k++) if (!Number.isFinite(ds[k])) finite = false;
    // In place, g is formed on demand: with K = 1 an optimizer's stepScaled reads d·v straight from row 0.
    this.pending = this.inPlace;
    return { value: value as V, finite };
  }

  /** ∇f·v_k of the last estimate, one per direction. */
  directional(): readonly number[] {
    return Array.from(this.ds);
  }

  finish(): void {
    this.call.release();
  }

  scaled(): ScaledGradient | undefined {
    if (!this.pending || this.K !== 1) return undefined;
    const c = this.call;
    // refresh boxed numbers' boxes (they are grads' views); a lazy leaf's direction is its generator
    for (const t of c.tangentLeaves) if (t.kind === 'number') t.data();
    return { directions: this.grads.map((g, j) => c.lazy[j] ?? g), scale: this.ds[0] };
  }

  gradients(): readonly Buf[] {
    if (this.pending) {
      // g = Σ_k (d_k/K)·v_k over row 0, in the same order and precision as accumulating into zeros.
      const c = this.call,
        K = this.K,
        ds = this.ds;
      const rows = c.tangentLeaves.map((t, j) => (c.lazy[j] ? NONE : t.data()));
      for (let j = 0; j < rows.length; j++) {
        const lazy = c.lazy[j],
          s = ds[0] / K;
        if (lazy) {
          // no tangent row to form g over: a gradient buffer of its own, v regenerated chunk by chunk
          if (this.grads[j].length === 0) this.grads[j] = new Float32Array(c.leaves[j].size);
          const g = this.grads[j] as Float32Array;
          eachChunk(lazy, 0, g.length, (v, from) => {
            for (let i = 0; i < v.length; i++) g[from + i] = 0 + s * v[i];
          });
          continue;
        }
        const g = this.grads[j],
          v = rows[j];
        for (let i = 0; i < g.length; i++) g[i] = 0 + s * v[i];
      }
      for (let k = 1; k < K; k++) addRow(this.grads, c.tangentLeaves, k, ds[k] / K, rows, c.lazy);
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

const NONE = new Float32Array(0);

/** grads += scale · (row `row` of the tangent leaves); a lazy leaf's row is regenerated chunk by chunk. */
function addRow(
  grads: readonly Buf[],
  tangent: readonly Leaf[],
  row: number,
  scale: number,
  data?: Buf[],
  lazy: readonly (DirectionStorage | undefined)[] = [],
): void {
  for (let j = 0; j < grads.length; j++) {
    const g = grads[j],
      base = row * g.length,
      s = lazy[j];
    if (s) {
      eachChunk(s, base, g.length, (v, from) => {
        for (let i = 0; i < v.length; i++) g[from - base + i] += scale * v[i];
      });
      continue;
    }
    const v = data ? data[j] : tangent[j].data();
    for (let i = 0; i < g.length; i++) g[i] += scale * v[base + i];
  }
}
