// The common optimizer interface: one step updates every parameter buffer in place from its
// gradient buffer. Parameters and gradients arrive as flat views (numbers, arrays, typed arrays,
// Tensor buffers alike), so one implementation serves every parameter kind.
import type { Buf } from '../../leaves';
import type { Direction } from '../../tensor/direction-storage';

export interface Optimizer {
  readonly name: string;
  /** θ ← update(θ, g) for each buffer; `t` is the 1-based step (Adam's bias correction). */
  step(params: readonly Buf[], grads: readonly Buf[], lr: number, t: number): void;
  /**
   * Optional fast path for a gradient held as scale·direction (fgd with one direction): the same
   * update as `step` on g = gradientAt(direction, scale), bit for bit, but in one pass that never
   * writes g. A direction may be a generator (lazy directions, only for Float32Array parameters):
   * then it is regenerated chunk by chunk (eachChunk) and each chunk updates its slice. The loop
   * falls back to forming g and calling `step` when this is absent.
   */
  stepScaled?(params: readonly Buf[], directions: readonly Direction[], scale: number, lr: number, t: number): void;
  /** Everything needed to continue bit-identically (hyper-parameters and per-element slots). */
  state(): OptimizerState;
  load(state: OptimizerState): void;
}

export interface OptimizerState {
  name: string;
  hyper: Record<string, number | boolean>;
  /** Named per-element slots, one buffer per parameter leaf (e.g. Adam's m and v). */
  slots: Record<string, Buf[]>;
}

/**
 * Element i of the gradient scale·direction as `step` would read it from a formed buffer of the
 * direction's type: 0 + s·v (the sum into zeros, so −0 becomes +0), rounded to float32 for a
 * Float32Array. The definition stepScaled loops write out inline (a call per element is slower).
 */
export function gradientAt(direction: Buf, scale: number, i: number): number {
  const g = 0 + scale * direction[i];
  return direction instanceof Float32Array ? Math.fround(g) : g;
}

/** The Float32Array parameter a generated direction updates (lazy directions exist only for Tensor leaves). */
export function f32Param(p: Buf, optimizer: string): Float32Array {
  if (!(p instanceof Float32Array))
    throw new Error(
      `${optimizer}.stepScaled: a generated direction needs a Float32Array parameter, got ${p.constructor.name}`,
    );
  return p;
}

/** A buffer of the same precision as `like` for per-element optimizer state. */
export function slotLike(like: Buf): Float32Array | Float64Array {
  return like instanceof Float32Array ? new Float32Array(like.length) : new Float64Array(like.length);
}

/** Checks a loaded state against this optimizer (name, hyper-parameters, slot sizes). */
export function checkState(mine: OptimizerState, loaded: OptimizerState): void {
  if (loaded.name !== mine.name)
    throw new Error(`checkpoint optimizer is '${loaded.name}', this run uses '${mine.name}'`);
  for (const [k, v] of Object.entries(mine.hyper)) {
    if (loaded.hyper[k] !== v)
      throw new Error(`checkpoint optimizer ${mine.name} has ${k}=${loaded.hyper[k]}, this run has ${k}=${v}`);
  }
  for (const [name, bufs] of Object.entries(mine.slots)) {
    const got = loaded.slots[name];
    if (!got || got.length !== bufs.length || got.some((b, i) => b.length !== bufs[i].length)) {
      throw new Error(`checkpoint optimizer slot '${name}' does not match the parameters' sizes`);
    }
  }
}

/** Copies loaded slot values into this optimizer's slots. */
export function copySlots(into: Record<string, Buf[]>, from: Record<string, Buf[]>): void {
  for (const [name, bufs] of Object.entries(into))
    bufs.forEach((b, i) => {
      const src = from[name][i];
      for (let j = 0; j < b.length; j++) b[j] = src[j];
    });
}
