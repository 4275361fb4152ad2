// How the elementwise-family wasm kernels (assembly/ew.as: unary, binary, reduce, maxPool2d, the
// optimizer update) are called: they work only on operands already in the kernel memory (see
// place.ts; the wrappers send anything else to the js kernel), take their arguments from a
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

  /** Byte address of arr[offset] in the kernel memory, or −1 (not a view of it: use the js kernel). */
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

  /**
   * Float index of `floats` free arena floats after the parameter block (small operand copies,
   * argmax). Call before `params`: making room may drop the packed-B cache and move the arena.
   */
  scratch(floats: number): number {
    const need = 4 + PARAM_FLOATS + floats;
    if (this.e.room(need) < need)
      throw new Error(`wasm backend: ${floats} scratch floats do not fit the arena (${this.e.describe()})`);
    return this.first() + PARAM_FLOATS;
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

/** Throws unless arr[offset … offset + count) lies inside arr (a wasm kernel would write past it). */
export function need(op: string, name: string, arr: Float32Array | Int32Array, offset: number, count: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + count > arr.length)
    throw new Error(`wasm ${op}: ${name} needs elements [${offset}, ${offset + count}), has ${arr.length}`);
}
