// Heavy-ball momentum (PyTorch's convention): u ← μ·u + g; θ ← θ − η·u (Nesterov: θ ← θ − η·(g + μ·u)).
import type { Buf } from '../leaves';
import { Optimizer, OptimizerState, checkState, copySlots, slotLike } from './optimizer';

export interface MomentumOptions { momentum?: number; nesterov?: boolean }

export class Momentum implements Optimizer {
  readonly name = 'momentum';
  readonly momentum: number;
  readonly nesterov: boolean;
  private readonly u: Buf[];

  constructor(params: readonly Buf[], options: MomentumOptions = {}) {
    this.momentum = options.momentum ?? 0.9;
    this.nesterov = options.nesterov ?? false;
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new Error(`momentum: momentum must be in [0, 1), got ${this.momentum}`);
    this.u = params.map(slotLike);
  }

  step(params: readonly Buf[], grads: readonly Buf[], lr: number, _t?: number): void {
    const mu = this.momentum;
    for (let j = 0; j < params.length; j++) {
      const p = params[j], g = grads[j], u = this.u[j];
      for (let i = 0; i < p.length; i++) {
        const ui = mu * u[i] + g[i];
        u[i] = ui;
        p[i] -= lr * (this.nesterov ? g[i] + mu * ui : ui);
      }
    }
  }

  state(): OptimizerState { return { name: this.name, hyper: { momentum: this.momentum, nesterov: this.nesterov }, slots: { u: this.u } }; }
  load(state: OptimizerState): void { checkState(this.state(), state); copySlots({ u: this.u }, state.slots); }
}
