// Heavy-ball momentum (PyTorch's convention): u ← μ·u + g; θ ← θ − η·u (Nesterov: θ ← θ − η·(g + μ·u)).
import type { Buf } from '../../leaves';
import { Optimizer, OptimizerState, checkState, copySlots, f32Param, slotLike } from './optimizer';
import { Direction, eachChunk, isGenerated } from '../../tensor/direction-storage';

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

  step(params: readonly Buf[], grads: readonly Buf[], lr: number, _t?: number): void {
    const mu = this.momentum;
    for (let j = 0; j < params.length; j++) {
      const p = params[j],
        g = grads[j],
        u = this.u[j];
      for (let i = 0; i < p.length; i++) {
        const ui = mu * u[i] + g[i];
        u[i] = ui;
        p[i] -= lr * (this.nesterov ? g[i] + mu * ui : ui);
      }
    }
  }

  /** step() with g_i = gradientAt(v, s, i) computed in the loop. */
  stepScaled(params: readonly Buf[], directions: readonly Direction[], scale: number, lr: number, _t?: number): void {
    for (let j = 0; j < params.length; j++) {
      const p = params[j],
        v = directions[j],
        u = this.u[j];
      if (isGenerated(v)) {
        const p32 = f32Param(p, this.name),
          u32 = u as Float32Array; // slotLike(p): float32 too
        eachChunk(v, 0, p32.length, (c, from) => {
          const to = from + c.length;
          scaledF32(p32.subarray(from, to), c, u32.subarray(from, to), scale, lr, this.momentum, this.nesterov);
        });
      } else if (p instanceof Float32Array && v instanceof Float32Array && u instanceof Float32Array)
        scaledF32(p, v, u, scale, lr, this.momentum, this.nesterov);
      else scaledAny(p, v, u, scale, lr, this.momentum, this.nesterov);
    }
  }

  state(): OptimizerState {
    return { name: this.name, hyper: { momentum: this.momentum, nesterov: this.nesterov }, slots: { u: this.u } };
  }
  load(state: OptimizerState): void {
    checkState(this.state(), state);
    copySlots({ u: this.u }, state.slots);
  }
}

// Two copies of one loop so the float32 one (Tensors) stays monomorphic (mixed buffer types are ~20× slower).
function scaledF32(
  p: Float32Array,
  v: Float32Array,
  u: Float32Array,
  s: number,
  lr: number,
  mu: number,
  nesterov: boolean,
): void {
  for (let i = 0; i < p.length; i++) {
    const gi = Math.fround(0 + s * v[i]),
      ui = mu * u[i] + gi;
    u[i] = ui;
    p[i] -= lr * (nesterov ? gi + mu * ui : ui);
  }
}
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
