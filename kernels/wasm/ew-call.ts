// How the elementwise-family wasm kernels (assembly/ew.as: unary, binary, reduce, maxPool2d, the
// optimizer update) are called: they work in place on operands in the kernel memory (place.ts)
// and on arena copies of the others (`stage`), take their arguments from a
// parameter block at the start of the per-call arena, and split their items [0, items) between the
// main thread and the helper (OP.ew jobs) when the call moves enough bytes to pay for the hand-off.
// Who runs which range never changes a bit: every item is computed by the same code either way.
import { Engine } from './engine';
import { addressOf } from './place';
import { OP } from './worker';

/** The `kind` slot of a parameter block (ew.as's ewRun dispatch). */
export const KIND = { unary: 1, binary: 2, reduce: 3, pool: 4, update: 5 } as const;

/** Floats of a parameter block: 32 i32 slots, then 8 f64 slots (byte 128 on). */
const PARAM_FLOATS = 48;
/** Ranges per two-thread call: the thread that starts first picks up the slack. */
const UNITS = 4;

export interface EwOptions {
  /**
   * Calls that move fewer bytes stay on the main thread: a hand-off costs a few µs (~60 µs when
   * the helper sleeps), and one core already streams cache-resident operands at ~45 GB/s. The
   * backend's default, 32 MiB, splits only DRAM-bound calls (the CNN's activation-sized JVPs, the
   * adam update), where a second core can add bandwidth; see bench/NOTES.md for what was measured.
   */
  minParallelBytes: number;
}

export class EwCall {
  readonly buffer: ArrayBufferLike;
  private readonly f64: Float64Array;

  constructor(
    readonly e: Engine,
    readonly opts: EwOptions,
  ) {
    this.buffer = e.f32.buffer;
    this.f64 = new Float64Array(this.buffer);
  }

  /** Byte address of arr[offset] in the kernel memory, or −1 (not a view of it). */
  addr(arr: Float32Array | Int32Array | undefined, offset = 0): number {
    return arr === undefined ? -1 : addressOf(this.buffer, arr, offset);
  }

  /**
   * Writes a parameter block at the arena's start (ints, then f64s at byte 128); returns its byte
   * address. Addresses above 2³¹ wrap in the Int32 slots and are read back unsigned by ew.as.
   */
  params(kind: number, ints: readonly number[], f64s: readonly number[] = []): number {
    const at = this.first(),
      i32 = this.e.i32;
    i32[at] = kind;
    for (let i = 0; i < ints.length; i++) i32[at + 1 + i] = ints[i];
    for (let j = 0; j < f64s.length; j++) this.f64[(at * 4 + 128) / 8 + j] = f64s[j];
    return at * 4;
  }

  private pending: [Operand, number][] = [];

  /**
   * Byte addresses for a call's operands (undefined entries: 0, absent): in place where they are
   * views of the kernel memory, else copies in the arena after the parameter block (read ones
   * copied in now, written ones copied out by `unstage`), so where a tensor lives never changes
   * which code computes it. Undefined when the copies do not fit the arena: the caller splits the
   * call or, where the js kernel gives the same bits, calls that. Call before `params`.
   */
  stage(ops: readonly (Operand | undefined)[]): number[] | undefined {
    let copies = 0;
    for (const o of ops) if (o && this.addr(o.arr, o.off) < 0) copies += Math.ceil(o.count / 4) * 4;
    const need = 4 + PARAM_FLOATS + copies;
    if (copies > 0 && this.e.room(need) < need) return undefined;
    let top = this.first() + PARAM_FLOATS;
    this.pending.length = 0;
    return ops.map((o) => {
      if (!o) return 0;
      const at = this.addr(o.arr, o.off);
      if (at >= 0) return at;
      const to = top;
      top += Math.ceil(o.count / 4) * 4;
      const view = o.arr instanceof Int32Array ? this.e.i32 : this.e.f32;
      if (o.write) this.pending.push([o, to]);
      else view.set(o.arr.subarray(o.off, o.off + o.count), to);
      return to * 4;
    });
  }

  /** Copies the staged written operands back (after the kernel ran). */
  unstage(): void {
    for (const [o, at] of this.pending) {
      const view = o.arr instanceof Int32Array ? this.e.i32 : this.e.f32;
      o.arr.set(view.subarray(at, at + o.count), o.off);
    }
    this.pending.length = 0;
  }

  /** The parameter block's float index: the arena's start (it moves with the packed-B cache), 16-byte aligned. */
  private first(): number {
    return Math.ceil(this.e.start / 4) * 4;
  }

  /**
   * Runs items [0, items) of the block at byte `p`; `bytes` is what the call reads and writes in
   * all. Two threads cut the items into UNITS ranges aligned to `align` items.
   */
  run(p: number, items: number, bytes: number, align = 4): void {
    const e = this.e;
    if (items <= 0) return;
    if (bytes < this.opts.minParallelBytes || items < 2 || e.helper === undefined || !e.helper.ready) {
      e.k.ewRun(p, 0, items);
      return;
    }
    const chunk = Math.max(align, Math.ceil(items / UNITS / align) * align);
    try {
      for (let i0 = 0; i0 < items; i0 += chunk) e.post(OP.ew, [p, i0, Math.min(items, i0 + chunk)]);
    } catch (err) {
      e.abandon();
      throw err;
    }
    e.launch(1);
    e.finish();
  }
}

/** One array operand of a call: its elements [off, off + count), and whether the kernel reads or writes them. */
export interface Operand {
  arr: Float32Array | Int32Array;
  off: number;
  count: number;
  /** The kernel only writes it (a staged copy is copied out, never in). */
  write?: boolean;
}

/** Throws unless arr[offset … offset + count) lies inside arr (a wasm kernel would write past it). */
export function need(op: string, name: string, arr: Float32Array | Int32Array, offset: number, count: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + count > arr.length)
    throw new Error(`wasm ${op}: ${name} needs elements [${offset}, ${offset + count}), has ${arr.length}`);
}
