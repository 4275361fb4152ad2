// Heavy-ball momentum (PyTorch's convention): u ← μ·u + g; θ ← θ − η·u (Nesterov: θ ← θ − η·(g + μ·u)).
import type { Buf } from '../../leaves';
import {
  Optimizer,
  OptimizerState,
  checkState,
  copySlots,
  hostSlots,
  eachUpdate,
  releaseSlots,
  slotLike,
  slotSlice,
} from './optimizer';
import type { Direction } from '../../tensor/direction-storage';

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
    eachUpdate(this.name, params, grads, undefined, lr, saveTo, this.rule, (j) => {
      const p = params[j],
        g = grads[j],
        u = this.u[j];
      for (let i = 0; i < p.length; i++) {
        const ui = mu * u[i] + g[i];
        u[i] = ui;
        p[i] -= lr * (this.nesterov ? g[i] + mu * ui : ui);
      }
    });
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
    eachUpdate(this.name, params, directions, scale, lr, saveTo, this.rule, (j) =>
      scaledAny(params[j], directions[j] as Buf, this.u[j], scale, lr, this.momentum, this.nesterov),
    );
  }

  /** The update kernel's rule over u[j]'s elements [from, to) (undefined when u[j] is not float32). */
  private readonly rule = (j: number, from?: number, to?: number) => {
    const u = slotSlice(this.u[j], from, to);
    return u && ({ name: 'momentum', momentum: this.momentum, nesterov: this.nesterov, u } as const);
  };

  state(): OptimizerState {
    return {
      name: this.name,
      hyper: { momentum: this.momentum, nesterov: this.nesterov },
      slots: hostSlots({ u: this.u }),
    };
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
