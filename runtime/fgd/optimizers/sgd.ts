// Plain (forward) gradient descent: θ ← θ − η·g (the paper's Algorithm 1 update).
import type { Buf } from '../../leaves';
import type { Optimizer, OptimizerState } from './optimizer';
import { checkState, eachUpdate } from './optimizer';
import type { Direction } from '../../tensor/direction-storage';

const SGD = { name: 'sgd' } as const;

export class Sgd implements Optimizer {
  readonly name = 'sgd';
  step(params: readonly Buf[], grads: readonly Buf[], lr: number, _t?: number, saveTo?: readonly Buf[]): void {
    eachUpdate(
      this.name,
      params,
      grads,
      undefined,
      lr,
      saveTo,
      () => SGD,
      (j) => {
        const p = params[j],
          g = grads[j];
        for (let i = 0; i < p.length; i++) p[i] -= lr * g[i];
      },
    );
  }
  /** θ ← θ − η·(s·v) straight from the direction buffer (g = s·v is never written). */
  stepScaled(
    params: readonly Buf[],
    directions: readonly Direction[],
    scale: number,
    lr: number,
    _t?: number,
    saveTo?: readonly Buf[],
  ): void {
    eachUpdate(
      this.name,
      params,
      directions,
      scale,
      lr,
      saveTo,
      () => SGD,
      (j) => scaledAny(params[j], directions[j] as Buf, scale, lr),
    );
  }
  state(): OptimizerState {
    return { name: this.name, hyper: {}, slots: {} };
  }
  load(state: OptimizerState): void {
    checkState(this.state(), state);
  }
}

// Float32 buffers (Tensors) go to the backend's update kernel (kernels/js/update.ts holds the
// float32 loop); this one serves number[] and Float64Array leaves.
function scaledAny(p: Buf, v: Buf, s: number, lr: number): void {
  const f32 = v instanceof Float32Array;
  for (let i = 0; i < p.length; i++) {
    const x = 0 + s * v[i];
    p[i] -= lr * (f32 ? Math.fround(x) : x);
  }
}
