// Gradient estimators for the descent loop, each one run per step over the same twin:
//   forward: the paper's forward gradient (runtime/forward-estimator.ts, shared with forwardGradient);
//   exact:   ∇f by n twin runs along the basis vectors e_i (forward mode, exact; for small n);
//   backprop: ∇f by reverse mode, one taped run of the original function and one backward pass over
//            the same tensor kernels (non-tensor parameters: basis sweeps through the twin).
import { dispose, keep, tidy } from '../tensor/pool';
import { Tensor, zerosPooled } from '../tensor/tensor';
import type { Twin } from '../registry';
import { reverse } from '../autodiff/reverse';
import { basisSweep } from '../autodiff/sweep';
import { Buf, Leaf, argLeaves, tensorsIn } from '../leaves';
import { scalarTangent } from '../directions';
import type { Estimate, Estimator, TwinCall } from '../forward-estimator';

export { ForwardEstimator, TwinCall } from '../forward-estimator';
export type { Estimate, Estimator, ScaledGradient } from '../forward-estimator';

export class ExactEstimator implements Estimator {
  readonly name = 'gd';
  private readonly grads: readonly Buf[];
  constructor(private readonly call: TwinCall) {
    this.grads = call.newGrads();
  }

  gradients(): readonly Buf[] {
    return this.grads;
  }

  finish(): void {
    this.call.release();
  }

  estimate(_step: number, inputs: readonly unknown[]): Estimate {
    const c = this.call;
    let loss = NaN,
      finite = true;
    for (let j = 0; j < c.leaves.length; j++) {
      const t = c.tangentLeaves[j],
        g = this.grads[j];
      for (let i = 0; i < c.leaves[j].size; i++) {
        const v = t.data();
        v[i] = 1;
        t.commit();
        const d = tidy(() => {
          const [y, dy] = c.run(inputs);
          loss = c.lossOf(y);
          return scalarTangent(dy, y, c.caller);
        });
        if (!Number.isFinite(d)) finite = false;
        g[i] = d;
        const v2 = t.data();
        v2[i] = 0;
        t.commit();
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

  constructor(
    readonly fn: Function,
    readonly twin: Twin,
    readonly params: unknown[],
    readonly thisArg: unknown,
    readonly caller: string,
  ) {
    this.leaves = argLeaves(
      params,
      params.map((_, i) => i),
    );
    tensorsIn(params, this.tensors);
  }

  /** params then inputs, checked against the function's arity. */
  args(inputs: readonly unknown[]): unknown[] {
    const n = this.twin.meta.tangentSlots.length;
    if (this.params.length + inputs.length !== n) {
      throw new Error(
        `${this.caller}(${this.twin.meta.name}): the function takes ${n} argument(s); got ${this.params.length} parameter(s) and ${inputs.length} input(s)`,
      );
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
    this.grads = call.leaves.map((l) =>
      l.kind === 'f32' || l.kind === 'tensor'
        ? new Float32Array(l.kind === 'tensor' ? 0 : l.size)
        : new Float64Array(l.size),
    );
    call.leaves.forEach((l, j) => {
      if (l.kind === 'tensor') this.tensorSlots.push(j);
      else this.scalarSlots.set(l.path, j);
    });
    this.paramIndices = call.params.map((_, i) => i);
  }

  gradients(): readonly Buf[] {
    return this.grads;
  }

  finish(): void {
    dispose(this.held);
    this.held = [];
    dispose([...this.zeros.values()]);
    this.zeros.clear();
  }

  estimate(_step: number, inputs: readonly unknown[]): Estimate {
    const c = this.call,
      args = c.args(inputs);
    dispose(this.held);
    this.held = [];
    const { value, cotangents } = reverse(
      () => c.fn.apply(c.thisArg, args),
      c.tensors,
      `${c.caller}(${c.twin.meta.name})`,
    );
    let finite = true;
    for (let t = 0; t < cotangents.length; t++) {
      const g = cotangents[t],
        slot = this.tensorSlots[t];
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
