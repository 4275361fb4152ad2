// Heavy-ball momentum (PyTorch's convention): u ← μ·u + g; θ ← θ − η·u (Nesterov: θ ← θ − η·(g + μ·u)).
import type { Buf } from '../../leaves';
import {
  Optimizer,
  OptimizerState,
  checkState,
  copySlots,
  releaseSlots,
  saveCopy,
  saveOf,
  slotLike,
  updateKernel,
} from './optimizer';
import { updateGenerated } from './optimizer';
import { Direction, isGenerated } from '../../tensor/direction-storage';

export interface MomentumOptions {
  momentum?: number;
  nesterov?: boolean;
}

export class Momentum implements Optimizer {
  readonly name = 'momentum';
  readonly momentum: number;
  readonly nesterov: boolean;
  private readonly u: Buf[];

  constructor(params: readonly Buf[], options: MomentumOptions = {}) {
    this.momentum = options.momentum ?? 0.9;
    this.nesterov = options.nesterov ?? false;
    if (!(this.momentum >= 0 && this.momentum < 1))
      throw new Error(`momentum: momentum must be in [0, 1), got ${this.momentum}`);
    this.u = params.map(slotLike);
  }

  step(params: readonly Buf[], grads: readonly Buf[], lr: number, _t?: number, saveTo?: readonly Buf[]): void {
    const mu = this.momentum;
    for (let j = 0; j < params.length; j++) {
      const p = params[j],
        g = grads[j],
        u = this.u[j];
      if (p instanceof Float32Array && g instanceof Float32Array && u instanceof Float32Array) {
        updateKernel()({ rule: this.rule(u), n: p.length, params: p, grad: g, lr, save: saveOf(saveTo, j, p) });
        continue;
      }
      saveCopy(saveTo, j, p);
      for (let i = 0; i < p.length; i++) {
        const ui = mu * u[i] + g[i];
        u[i] = ui;
        p[i] -= lr * (this.nesterov ? g[i] + mu * ui : ui);
      }
    }
  }

  /** step() with g_i = gradientAt(v, s, i) computed in the loop. */
  stepScaled(
    params: readonly Buf[],
    directions: readonly Direction[],
    scale: number,
    lr: number,
    _t?: number,
    saveTo?: readonly Buf[],
  ): void {
    for (let j = 0; j < params.length; j++) {
      const p = params[j],
        v = directions[j],
        u = this.u[j];
      if (isGenerated(v)) {
        const u32 = u as Float32Array; // slotLike of a Float32Array parameter
        updateGenerated(this.name, p, v, scale, lr, saveOf(saveTo, j, p), (a, b) => this.rule(u32.subarray(a, b)));
      } else if (p instanceof Float32Array && v instanceof Float32Array && u instanceof Float32Array)
        updateKernel()({ rule: this.rule(u), n: p.length, params: p, grad: v, scale, lr, save: saveOf(saveTo, j, p) });
      else {
        saveCopy(saveTo, j, p);
        scaledAny(p, v, u, scale, lr, this.momentum, this.nesterov);
      }
    }
  }

  private rule(u: Float32Array) {
    return { name: 'momentum', momentum: this.momentum, nesterov: this.nesterov, u } as const;
  }

  state(): OptimizerState {
    return { name: this.name, hyper: { momentum: this.momentum, nesterov: this.nesterov }, slots: { u: this.u } };
  }
  dispose(): void {
    releaseSlots(this.u);
    this.u.length = 0;
  }
  load(state: OptimizerState): void {
    checkState(this.state(), state);
    copySlots({ u: this.u }, state.slots);
  }
}

// Float32 buffers (Tensors) go to the backend's update kernel (kernels/js/update.ts holds the
// float32 loop); this one serves number[] and Float64Array leaves.
function scaledAny(p: Buf, v: Buf, u: Buf, s: number, lr: number, mu: number, nesterov: boolean): void {
  const f32 = v instanceof Float32Array;
  for (let i = 0; i < p.length; i++) {
    const x = 0 + s * v[i],
      gi = f32 ? Math.fround(x) : x,
      ui = mu * u[i] + gi;
    u[i] = ui;
    p[i] -= lr * (nesterov ? gi + mu * ui : ui);
  }
}
