// Adam (Kingma & Ba 2015): m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
// θ ← θ − η·m̂/(√v̂ + ε) with bias-corrected m̂ = m/(1−β1^t), v̂ = v/(1−β2^t).
import type { Buf } from '../../leaves';
import { Optimizer, OptimizerState, checkState, copySlots, f32Param, slotLike } from './optimizer';
import { Direction, eachChunk, isGenerated } from '../../tensor/direction-storage';

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

  step(params: readonly Buf[], grads: readonly Buf[], lr: number, t: number): void {
    const b1 = this.beta1,
      b2 = this.beta2,
      eps = this.epsilon;
    const c1 = 1 - b1 ** t,
      c2 = 1 - b2 ** t;
    for (let j = 0; j < params.length; j++) {
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
    }
  }

  /** step() with g_i = gradientAt(direction, s, i) computed in the loop. */
  stepScaled(params: readonly Buf[], directions: readonly Direction[], scale: number, lr: number, t: number): void {
    const h: AdamStep = {
      b1: this.beta1,
      b2: this.beta2,
      eps: this.epsilon,
      c1: 1 - this.beta1 ** t,
      c2: 1 - this.beta2 ** t,
      s: scale,
      lr,
    };
    for (let j = 0; j < params.length; j++) {
      const p = params[j],
        d = directions[j],
        m = this.m[j],
        v = this.v[j];
      if (isGenerated(d)) {
        const p32 = f32Param(p, this.name),
          m32 = m as Float32Array, // slotLike(p): float32 too
          v32 = v as Float32Array;
        eachChunk(d, 0, p32.length, (c, from) => {
          const to = from + c.length;
          scaledF32(p32.subarray(from, to), c, m32.subarray(from, to), v32.subarray(from, to), h);
        });
      } else if (
        p instanceof Float32Array &&
        d instanceof Float32Array &&
        m instanceof Float32Array &&
        v instanceof Float32Array
      )
        scaledF32(p, d, m, v, h);
      else scaledAny(p, d, m, v, h);
    }
  }

  state(): OptimizerState {
    return {
      name: this.name,
      hyper: { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon },
      slots: { m: this.m, v: this.v },
    };
  }
  load(state: OptimizerState): void {
    checkState(this.state(), state);
    copySlots({ m: this.m, v: this.v }, state.slots);
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

// Two copies of one loop so the float32 one (Tensors) stays monomorphic (mixed buffer types are ~20× slower).
function scaledF32(p: Float32Array, d: Float32Array, m: Float32Array, v: Float32Array, h: AdamStep): void {
  const { b1, b2, eps, c1, c2, s, lr } = h;
  for (let i = 0; i < p.length; i++) {
    const gi = Math.fround(0 + s * d[i]);
    const mi = b1 * m[i] + (1 - b1) * gi,
      vi = b2 * v[i] + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
  }
}
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
