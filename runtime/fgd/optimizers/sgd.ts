// Plain (forward) gradient descent: θ ← θ − η·g (the paper's Algorithm 1 update).
import type { Buf } from '../leaves';
import type { Optimizer, OptimizerState } from './optimizer';
import { checkState } from './optimizer';

export class Sgd implements Optimizer {
  readonly name = 'sgd';
  step(params: readonly Buf[], grads: readonly Buf[], lr: number, _t?: number): void {
    for (let j = 0; j < params.length; j++) {
      const p = params[j], g = grads[j];
      for (let i = 0; i < p.length; i++) p[i] -= lr * g[i];
    }
  }
  state(): OptimizerState { return { name: this.name, hyper: {}, slots: {} }; }
  load(state: OptimizerState): void { checkState(this.state(), state); }
}
