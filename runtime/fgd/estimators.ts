// Gradient estimators for the descent loop, each one run per step over the same twin:
//   forward: the paper's forward gradient, g = (1/K) Σ_k (∇f·v_k) v_k, v_k regenerated from
//            (seed, stream = (step−1)·K + k): one twin run per direction, or one in vector mode;
//   exact:   ∇f by n twin runs along the basis vectors e_i (forward mode, exact; for small n).
import { isTensor } from '../tensor/tensor';
import type { Twin } from '../registry';
import { zerosLike } from '../twin-support';
import { Buf, Leaf, argLeaves, zerosMirror } from './leaves';
import { DirectionDistribution, drawDirections, scalarTangent, vectorTangent } from './directions';

export interface Estimate { loss: number; /** every directional derivative was finite */ finite: boolean }

export interface Estimator {
  readonly name: string;
  /** Loss at the current parameters; the gradient estimate is written into `grads`. */
  estimate(step: number, inputs: readonly unknown[]): Estimate;
}

/** What both estimators share: the twin, the parameters, and fresh tangents mirroring them. */
export class TwinCall {
  readonly leaves: Leaf[];
  readonly tangents: unknown[];
  readonly tangentLeaves: Leaf[];
  readonly grads: Buf[];

  constructor(readonly twin: Twin, readonly params: unknown[], readonly thisArg: unknown, readonly rows: number, readonly caller: string) {
    const idx = params.map((_, i) => i);
    this.leaves = argLeaves(params, idx);
    this.tangents = params.map((p) => zerosMirror(p, rows));
    this.tangentLeaves = argLeaves(this.tangents, idx);
    this.grads = this.leaves.map((l) => (l.kind === 'f32' || l.kind === 'tensor' ? new Float32Array(l.size) : new Float64Array(l.size)));
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

  clearGrads(): void { for (const g of this.grads) g.fill(0); }

  /** grads += scale · (row `row` of the tangents). */
  addTangentRow(row: number, scale: number): void {
    for (let j = 0; j < this.leaves.length; j++) {
      const n = this.leaves[j].size, g = this.grads[j], v = this.tangentLeaves[j].data(), base = row * n;
      for (let i = 0; i < n; i++) g[i] += scale * v[base + i];
    }
  }

  lossOf(y: unknown, dy: unknown): number {
    const loss = scalarTangent(y, y, this.caller); // the value must be a scalar too
    release(y, this.params); release(dy, this.params);
    return loss;
  }
}

/** Frees tensors a twin returned (never a parameter itself). */
function release(x: unknown, params: readonly unknown[]): void {
  if (isTensor(x) && !params.includes(x)) (x as { dispose?: () => void }).dispose?.();
}

export class ForwardEstimator implements Estimator {
  readonly name = 'fgd';
  constructor(private readonly call: TwinCall, private readonly seed: number, private readonly K: number,
    private readonly distribution: DirectionDistribution, private readonly vector: boolean) {}

  estimate(step: number, inputs: readonly unknown[]): Estimate {
    const c = this.call, K = this.K, stream = (step - 1) * K;
    c.clearGrads();
    let loss = NaN, finite = true;
    for (let run = 0; run < (this.vector ? 1 : K); run++) {
      drawDirections(c.leaves, c.tangentLeaves, this.vector ? K : 1, { seed: this.seed }, this.distribution, stream + run);
      const [y, dy] = c.run(inputs);
      const ds = this.vector ? Array.from(vectorTangent(dy, y, K, c.caller)) : [scalarTangent(dy, y, c.caller)];
      if (run === 0) loss = c.lossOf(y, dy); else c.lossOf(y, dy);
      for (let k = 0; k < ds.length; k++) {
        if (!Number.isFinite(ds[k])) finite = false;
        c.addTangentRow(this.vector ? k : 0, ds[k] / K);
      }
    }
    return { loss, finite };
  }
}

export class ExactEstimator implements Estimator {
  readonly name = 'gd';
  constructor(private readonly call: TwinCall) {}

  estimate(_step: number, inputs: readonly unknown[]): Estimate {
    const c = this.call;
    let loss = NaN, finite = true;
    for (let j = 0; j < c.leaves.length; j++) {
      const t = c.tangentLeaves[j], g = c.grads[j];
      for (let i = 0; i < c.leaves[j].size; i++) {
        const v = t.data(); v[i] = 1; t.commit();
        const [y, dy] = c.run(inputs);
        const d = scalarTangent(dy, y, c.caller);
        loss = c.lossOf(y, dy);
        if (!Number.isFinite(d)) finite = false;
        g[i] = d;
        const v2 = t.data(); v2[i] = 0; t.commit();
      }
    }
    if (c.leaves.length === 0) loss = c.lossOf(...c.run(inputs));
    return { loss, finite };
  }
}
