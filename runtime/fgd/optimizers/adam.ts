// Adam (Kingma & Ba 2015): m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
// θ ← θ − η·m̂/(√v̂ + ε) with bias-corrected m̂ = m/(1−β1^t), v̂ = v/(1−β2^t).
import type { Buf } from '../leaves';
import { Optimizer, OptimizerState, checkState, copySlots, slotLike } from './optimizer';

export interface AdamOptions { beta1?: number; beta2?: number; epsilon?: number }

export class Adam implements Optimizer {
  readonly name = 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private readonly m: Buf[];
  private readonly v: Buf[];

  constructor(params: readonly Buf[], options: AdamOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    for (const [k, b] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(b >= 0 && b < 1)) throw new Error(`adam: ${k} must be in [0, 1), got ${b}`);
    }
    if (!(this.epsilon > 0)) throw new Error(`adam: epsilon must be > 0, got ${this.epsilon}`);
    this.m = params.map(slotLike);
    this.v = params.map(slotLike);
  }

  step(params: readonly Buf[], grads: readonly Buf[], lr: number, t: number): void {
    const b1 = this.beta1, b2 = this.beta2, eps = this.epsilon;
    const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
    for (let j = 0; j < params.length; j++) {
      const p = params[j], g = grads[j], m = this.m[j], v = this.v[j];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const mi = b1 * m[i] + (1 - b1) * gi, vi = b2 * v[i] + (1 - b2) * gi * gi;
        m[i] = mi; v[i] = vi;
        p[i] -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
      }
    }
  }

  state(): OptimizerState {
    return { name: this.name, hyper: { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon }, slots: { m: this.m, v: this.v } };
  }
  load(state: OptimizerState): void { checkState(this.state(), state); copySlots({ m: this.m, v: this.v }, state.slots); }
}
