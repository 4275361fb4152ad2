// The common optimizer interface: one step updates every parameter buffer in place from its
// gradient buffer. Parameters and gradients arrive as flat views (numbers, arrays, typed arrays,
// Tensor buffers alike), so one implementation serves every parameter kind.
import type { Buf } from '../../leaves';
import type { CompleteBackend, UpdateRule } from '../../../kernels/backend';
import { getBackend } from '../../../kernels/select';
import { acquire, release } from '../../tensor/pool';
import {
  Direction,
  DirectionStorage,
  GeneratedDirection,
  eachChunk,
  isGenerated,
} from '../../tensor/direction-storage';
import { syncHost } from '../../../kernels/residency';

export interface Optimizer {
  readonly name: string;
  /**
   * θ ← update(θ, g) for each buffer; `t` is the 1-based step (Adam's bias correction). `saveTo`
   * (optional, one buffer per parameter, same type and size): receives θ as it was before the
   * update, in the same pass where the backend's kernel can (the descent guard's snapshot).
   */
  step(params: readonly Buf[], grads: readonly Buf[], lr: number, t: number, saveTo?: readonly Buf[]): void;
  /**
   * Optional fast path for a gradient held as scale·direction (fgd with one direction): the same
   * update as `step` on g = gradientAt(direction, scale), bit for bit, but in one pass that never
   * writes g. A direction may be a generator (lazy directions, Float32Array parameters only): it is
   * then regenerated chunk by chunk (updateGenerated). The loop falls back to forming g and calling
   * `step` when this is absent.
   */
  stepScaled?(
    params: readonly Buf[],
    directions: readonly Direction[],
    scale: number,
    lr: number,
    t: number,
    saveTo?: readonly Buf[],
  ): void;
  /** Everything needed to continue bit-identically (hyper-parameters and per-element slots). */
  state(): OptimizerState;
  load(state: OptimizerState): void;
  /** Returns pooled slot buffers (the loop calls it when its run ends); the optimizer is unusable after. */
  dispose?(): void;
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

/**
 * A zeroed buffer of the same precision as `like` for per-element optimizer state. Float32 slots
 * come from the tensor pool, so they live where the backend's kernels can update them in place
 * (the wasm backend's memory); give them back with releaseSlots.
 */
export function slotLike(like: Buf): Float32Array | Float64Array {
  return like instanceof Float32Array ? acquire(like.length).fill(0) : new Float64Array(like.length);
}

/**
 * For the float32 kernel path: saveTo[j] when it is a Float32Array (the kernel saves θ in its own
 * pass), else undefined after copying θ into it here (any other buffer type).
 */
function saveOf(saveTo: readonly Buf[] | undefined, j: number, p: Buf): Float32Array | undefined {
  const b = saveTo?.[j];
  if (b instanceof Float32Array) return b;
  saveCopy(saveTo, j, p);
  return undefined;
}

/** saveTo[j] ← p for the loops that do not save in their own pass (number[] and Float64Array leaves). */
function saveCopy(saveTo: readonly Buf[] | undefined, j: number, p: Buf): void {
  const to = saveTo?.[j];
  if (to) for (let i = 0; i < p.length; i++) to[i] = p[i];
}

/**
 * The slots as state() hands them out: current on the host (a device backend's update may hold
 * them, kernels/residency.ts), since the caller reads them (checkpoints, the guard).
 */
export function hostSlots<T extends Record<string, Buf[]>>(slots: T): T {
  for (const bufs of Object.values(slots)) for (const b of bufs) if (b instanceof Float32Array) syncHost(b);
  return slots;
}

/** Returns slotLike's pooled buffers to the pool. */
export function releaseSlots(slots: readonly Buf[]): void {
  for (const b of slots) if (b instanceof Float32Array) release(b);
}

/** The kernel backend's optimizer step (kernels/backend.ts UpdateArgs): float32 buffers only. */
function updateKernel(): CompleteBackend['update'] {
  return getBackend().update;
}

/**
 * The update kernel with g = scale·v for a generated direction v (lazy directions): v regenerated
 * chunk by chunk into cache-resident scratch, each chunk updating its slice of θ, of the slots
 * (`rule(from, to)`: the rule over those slices) and of `save`. Same elements, same per-element
 * arithmetic as over a filled v, so the same bits.
 */
function updateGenerated(
  who: string,
  p: Buf,
  v: GeneratedDirection,
  scale: number,
  lr: number,
  save: Float32Array | undefined,
  rule: (from: number, to: number) => UpdateRule,
): void {
  if (!(p instanceof Float32Array))
    throw new Error(
      `${who}.stepScaled: a generated direction needs a Float32Array parameter, got ${p.constructor.name}`,
    );
  const update = updateKernel();
  eachChunk(v, 0, p.length, (c, from) => {
    const to = from + c.length;
    update({
      rule: rule(from, to),
      n: c.length,
      params: p.subarray(from, to),
      grad: c,
      scale,
      lr,
      save: save?.subarray(from, to),
    });
  });
}

/**
 * One optimizer step over every leaf j, the dispatch every optimizer shares: a generated direction
 * goes through updateGenerated; float32 θ and g whose slots are float32 too (`rule(j)` defined)
 * through the backend's update kernel; anything else (number[], Float64Array leaves) through the
 * optimizer's own loop `loop(j)`, after θ is saved. `scale` given: g = scale·grads[j] (stepScaled);
 * undefined: g = grads[j] (step). `rule(j, from, to)` describes the slots over elements [from, to).
 */
export function eachUpdate(
  who: string,
  params: readonly Buf[],
  grads: readonly Direction[],
  scale: number | undefined,
  lr: number,
  saveTo: readonly Buf[] | undefined,
  rule: (j: number, from?: number, to?: number) => UpdateRule | undefined,
  loop: (j: number) => void,
): void {
  for (let j = 0; j < params.length; j++) {
    const p = params[j],
      g = grads[j];
    if (isGenerated(g) && !onDevice(g)) {
      updateGenerated(who, p, g, scale ?? 1, lr, saveOf(saveTo, j, p), (from, to) => rule(j, from, to)!);
      continue;
    }
    // A lazy direction on a device backend: made on the device (fillDirection), used whole, dropped.
    const v = isGenerated(g) ? (g as DirectionStorage).kernelData(getBackend()) : g;
    const r = p instanceof Float32Array && v instanceof Float32Array ? rule(j) : undefined;
    if (r) {
      const save = saveOf(saveTo, j, p);
      updateKernel()({ rule: r, n: p.length, params: p as Float32Array, grad: v as Float32Array, scale, lr, save });
      if (v !== g) (g as DirectionStorage).dematerialise();
    } else if (v !== g) {
      throw new Error(
        `${who}.stepScaled: a generated direction needs a Float32Array parameter, got ${p.constructor.name}`,
      );
    } else {
      saveCopy(saveTo, j, p);
      loop(j);
    }
  }
}

/**
 * Whether a generated direction is made where a device backend's update reads it (a DirectionStorage
 * with fillDirection: kernels/residency.ts): regenerating it on the host in chunks would upload every
 * chunk and split the parameters' device copy into per-chunk pieces.
 */
function onDevice(g: GeneratedDirection): g is DirectionStorage {
  const b = getBackend();
  return b.device !== undefined && b.fillDirection !== undefined && g instanceof DirectionStorage;
}

/** A float32 slot over [from, to) (the whole slot when from is undefined), or undefined for any other buffer. */
export function slotSlice(slot: Buf, from?: number, to?: number): Float32Array | undefined {
  if (!(slot instanceof Float32Array)) return undefined;
  return from === undefined ? slot : slot.subarray(from, to);
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
      if (b instanceof Float32Array) syncHost(b); // a device copy would shadow the host write (kernels/residency.ts)
      for (let j = 0; j < b.length; j++) b[j] = src[j];
    });
}
