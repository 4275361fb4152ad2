// Adam (Kingma & Ba 2015): m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
// θ ← θ − η·m̂/(√v̂ + ε) with bias-corrected m̂ = m/(1−β1^t), v̂ = v/(1−β2^t).
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

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

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
    for (const [k, b] of [
      ['beta1', this.beta1],
      ['beta2', this.beta2],
    ] as const) {
      if (!(b >= 0 && b < 1)) throw new Error(`adam: ${k} must be in [0, 1), got ${b}`);
    }
    if (!(this.epsilon > 0)) throw new Error(`adam: epsilon must be > 0, got ${this.epsilon}`);
    this.m = params.map(slotLike);
    this.v = params.map(slotLike);
  }

  step(params: readonly Buf[], grads: readonly Buf[], lr: number, t: number, saveTo?: readonly Buf[]): void {
    const b1 = this.beta1,
      b2 = this.beta2,
      eps = this.epsilon;
    const c1 = 1 - b1 ** t,
      c2 = 1 - b2 ** t;
    eachUpdate(this.name, params, grads, undefined, lr, saveTo, this.ruleAt(c1, c2), (j) => {
      const p = params[j],
        g = grads[j],
        m = this.m[j],
        v = this.v[j];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const mi = b1 * m[i] + (1 - b1) * gi,
          vi = b2 * v[i] + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
      }
    });
  }

  /** step() with g_i = gradientAt(direction, s, i) computed in the loop. */
  stepScaled(
    params: readonly Buf[],
    directions: readonly Direction[],
    scale: number,
    lr: number,
    t: number,
    saveTo?: readonly Buf[],
  ): void {
    const h: AdamStep = {
      b1: this.beta1,
      b2: this.beta2,
      eps: this.epsilon,
      c1: 1 - this.beta1 ** t,
      c2: 1 - this.beta2 ** t,
      s: scale,
      lr,
    };
    eachUpdate(this.name, params, directions, scale, lr, saveTo, this.ruleAt(h.c1, h.c2), (j) =>
      scaledAny(params[j], directions[j] as Buf, this.m[j], this.v[j], h),
    );
  }

  /** The update kernel's rule over m[j], v[j]'s elements [from, to) (undefined unless both are float32). */
  private ruleAt(c1: number, c2: number) {
    return (j: number, from?: number, to?: number) => {
      const m = slotSlice(this.m[j], from, to),
        v = slotSlice(this.v[j], from, to);
      return (
        m && v && ({ name: 'adam', beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, c1, c2, m, v } as const)
      );
    };
  }

  state(): OptimizerState {
    return {
      name: this.name,
      hyper: { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon },
      slots: hostSlots({ m: this.m, v: this.v }),
    };
  }
  load(state: OptimizerState): void {
    checkState(this.state(), state);
    copySlots({ m: this.m, v: this.v }, state.slots);
  }
  dispose(): void {
    releaseSlots(this.m);
    releaseSlots(this.v);
    this.m.length = this.v.length = 0;
  }
}

interface AdamStep {
  b1: number;
  b2: number;
  eps: number;
  c1: number;
  c2: number;
  s: number;
  lr: number;
}

// Float32 buffers (Tensors) go to the backend's update kernel (kernels/js/update.ts holds the
// float32 loop); this one serves number[] and Float64Array leaves.
function scaledAny(p: Buf, d: Buf, m: Buf, v: Buf, h: AdamStep): void {
  const { b1, b2, eps, c1, c2, s, lr } = h,
    f32 = d instanceof Float32Array;
  for (let i = 0; i < p.length; i++) {
    const x = 0 + s * d[i],
      gi = f32 ? Math.fround(x) : x;
    const mi = b1 * m[i] + (1 - b1) * gi,
      vi = b2 * v[i] + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
  }
}
