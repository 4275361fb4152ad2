// Our contenders on one harness model: the base forward (the loss only), fgd steps (K directions,
// SGD, guard off), the backprop step (fgd's method 'backprop': the same loop with the exact
// reverse-mode gradient), and forwardGradient through the public API in a user's own SGD loop.
// Step times come from fgd's onStep clock (the loop's own elapsed time, so the update and the
// direction draw are inside), skipping each run's first step (buffers are allocated there).
import * as pool from '../../runtime/tensor/pool';
import { fgd } from '../../runtime/fgd';
import { forwardGradient } from '../../runtime/forward-gradient';
import { Sgd } from '../../runtime/fgd';
import { argLeaves } from '../../runtime/leaves';
import { Tensor } from '../../runtime/tensor/tensor';
import { zeros } from '../../runtime/tensor/create';
import type { BenchModel, HostBatch } from './host';
import { ourInput } from './host';

/** Peak pooled-tensor bytes of `fn` above what was live before it (undefined without the counters). */
export function peakExtraBytes(fn: () => void): number | undefined {
  const p = pool as unknown as {
    resetPeakMemory?: () => void;
    memoryInfo: () => { liveBytes?: number; peakBytes?: number };
  };
  if (!p.resetPeakMemory || p.memoryInfo().peakBytes === undefined) {
    fn();
    return undefined;
  }
  const before = p.memoryInfo().liveBytes ?? 0;
  p.resetPeakMemory();
  fn();
  return (p.memoryInfo().peakBytes ?? 0) - before;
}

export interface Ours {
  readonly params: any;
  forward(): number;
  /** Times (ms) of `steps` fgd steps with K directions (one run of steps + 1), v ~ N(0, I) or Rademacher. */
  fgdSteps(K: number, steps: number, distribution?: 'normal' | 'rademacher'): number[];
  /** Times (ms) of `steps` backprop steps. */
  backpropSteps(steps: number): number[];
  /**
   * Times (ms) of `steps` user-loop steps: forwardGradient, then θ −= η·g. Plain: a fresh gradient
   * each call and the update as a JavaScript loop. reuseOut: pooled zeros made once as `out` (the gradient lands in the kernel memory), and the
   * update by the public `Sgd` optimizer (`new Sgd().step(θ, g, η)`, the backend's update kernel).
   */
  userLoopSteps(steps: number, reuseOut: boolean): number[];
  dispose(): void;
}

export function ours(bm: BenchModel, params: any, batch: HostBatch, lr: number, seed: number): Ours {
  const x: Tensor = ourInput(batch);
  const labels = batch.labels;
  const loss = bm.model.loss;
  let runSeed = seed;
  const timed = (options: Record<string, unknown>, steps: number): number[] => {
    const per: number[] = [];
    let last = 0;
    fgd(loss, [params], {
      lr,
      decay: 0,
      iterations: steps + 1,
      inputs: () => [x, labels],
      progress: false,
      guard: false,
      ...(options.method === 'backprop' ? {} : { seed: runSeed++ }),
      ...options,
      onStep: (i) => {
        if (i.step > 1) per.push(i.elapsedMs - last);
        last = i.elapsedMs;
      },
    });
    return per;
  };
  const leaves = argLeaves([params], [0]);
  const sgd = new Sgd();
  return {
    params,
    forward: () => pool.tidy(() => (loss(params, x, labels) as Tensor).item()),
    fgdSteps: (K, steps, distribution = 'normal') => timed({ directions: K, distribution }, steps),
    backpropSteps: (steps) => timed({ method: 'backprop' }, steps),
    userLoopSteps: (steps, reuseOut) => {
      const per: number[] = [];
      // with out: a structure of pooled zeros made once (so the gradient is written into the kernel
      // memory, where the update kernel reads it in place), then reused every call
      const out: unknown[] | undefined = reuseOut ? [zerosLike(params), undefined, undefined] : undefined;
      for (let s = 0; s <= steps; s++) {
        const t0 = performance.now();
        const r = forwardGradient(loss, [params, x, labels], { wrt: 0, seed: runSeed++, ...(out ? { out } : {}) });
        (r.value as Tensor).dispose();
        const g = argLeaves(r.gradient, [0]);
        if (reuseOut)
          sgd.step(
            leaves.map((l) => l.data()),
            g.map((l) => l.data()),
            lr,
          );
        else
          for (let j = 0; j < leaves.length; j++) {
            const p = leaves[j].data(),
              d = g[j].data();
            for (let i = 0; i < p.length; i++) p[i] -= lr * d[i];
          }
        if (s > 0) per.push(performance.now() - t0);
      }
      if (out) pool.dispose(out);
      return per;
    },
    dispose: () => x.dispose(),
  };
}

/** The same structure as `p` with every Tensor replaced by pooled zeros of its shape. */
function zerosLike(p: unknown): unknown {
  if (p instanceof Tensor) return zeros(p.shape);
  if (Array.isArray(p)) return p.map(zerosLike);
  if (p !== null && typeof p === 'object')
    return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, zerosLike(v)]));
  return p;
}
