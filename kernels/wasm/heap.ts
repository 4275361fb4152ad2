// The tensor heap: pooled tensor buffers placed inside the wasm backend's kernel memory, so the
// kernels use them in place (kernels/wasm/place.ts) instead of copying them through the arena.
// Blocks are carved down from the top of the memory (each new block lowers Engine.end), 16-byte
// aligned (one v128). `free` gives a block back: it becomes a hole, merged with neighbouring holes,
// and the next allocate takes the first hole that fits (first fit, by address) before lowering
// `end`; a hole that reaches `end` raises it again (the arena gets the room back). The tensor pool
// frees only buffers it holds unused (runtime/tensor/pool.ts, on a miss when the heap is full), so
// several model shapes in one process share the heap instead of the first one keeping it. The heap
// may take `share` of the memory above the control block; the rest stays arena + packed-B cache, so
// every kernel keeps room to run. When a block does not fit, allocate returns undefined and the
// pool falls back to JS memory (those tensors are copied per call).
import type { Engine } from './engine';

/**
 * Default share: 3/4 of 256 MB leaves 64 MB of arena and cache, more than the paper's models need
 * per call (a 1024³ gemm with every operand copied needs 20 MB); the depth-scaling MLP at L = 100
 * (~400 MB of parameters) fills the heap and its later tensors live in JS memory.
 */
export const DEFAULT_HEAP_SHARE = 0.75;
/** Alignment in floats: 16 bytes. */
const ALIGN = 4;

export interface HeapInfo {
  /** Bytes in blocks handed out and not freed (blocks plus alignment padding). */
  usedBytes: number;
  /** Most bytes the heap may hold. */
  capacityBytes: number;
  /** Blocks handed out and not freed. */
  blocks: number;
}

/** A free range of floats [at, at + size) between `end` and the top. */
interface Hole {
  at: number;
  size: number;
}

export class TensorHeap {
  /** Lowest float the heap may reach. */
  private readonly floor: number;
  private readonly top: number;
  /** Start (float index) → size in floats of every block handed out with n > 0. */
  private readonly live = new Map<number, number>();
  /** Blocks of 0 floats handed out (they take no room, so they have no address to key on). */
  private empty = 0;
  private usedFloats = 0;
  /** Free ranges above `end`, ascending by address, never adjacent to each other or to `end`. */
  private readonly holes: Hole[] = [];

  constructor(
    private readonly e: Engine,
    share: number,
  ) {
    if (!(share >= 0 && share < 1)) throw new Error(`wasm backend: heapShare must be in [0, 1), got ${share}`);
    this.top = e.end;
    const floor = e.base + Math.ceil((e.end - e.base) * (1 - share));
    this.floor = Math.min(e.end, Math.ceil(floor / ALIGN) * ALIGN);
  }

  /** n floats in the kernel memory (contents unspecified), or undefined when the heap is full. */
  allocate(n: number): Float32Array | undefined {
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`wasm backend: allocate needs a non-negative integer element count, got ${n}`);
    const e = this.e;
    const size = Math.ceil(n / ALIGN) * ALIGN;
    if (size === 0) {
      this.empty++;
      return new Float32Array(e.f32.buffer, e.end * 4, 0);
    }
    let at = -1;
    const i = this.holes.findIndex((h) => h.size >= size);
    if (i >= 0) {
      // The block takes the hole's top; what is left stays a hole at the same start.
      const h = this.holes[i];
      at = h.at + h.size - size;
      if (h.size === size) this.holes.splice(i, 1);
      else h.size -= size;
    } else {
      at = e.end - size;
      if (at < this.floor) return undefined;
      // The packed-B cache sits at the bottom; only a heap share above 3/4 can reach it.
      if (at < e.start) e.reclaim();
      e.end = at;
    }
    this.live.set(at, size);
    this.usedFloats += size;
    return new Float32Array(e.f32.buffer, at * 4, n);
  }

  /** Gives back a block from allocate (unused from now on); anything else is an error. */
  free(buf: Float32Array): void {
    const e = this.e;
    if (!(buf instanceof Float32Array) || buf.buffer !== e.f32.buffer)
      throw new Error('wasm backend: release needs a Float32Array from this backend’s allocate, got another array');
    if (buf.length === 0) {
      if (this.empty === 0) throw new Error('wasm backend: release got an empty block, but none is handed out');
      this.empty--;
      return;
    }
    const at = buf.byteOffset / 4,
      size = this.live.get(at);
    if (size === undefined || size !== Math.ceil(buf.length / ALIGN) * ALIGN)
      throw new Error(
        `wasm backend: release got ${buf.length} floats at byte ${buf.byteOffset}, which is not a block handed out by allocate (or was released already)`,
      );
    this.live.delete(at);
    this.usedFloats -= size;
    const holes = this.holes;
    let i = 0;
    while (i < holes.length && holes[i].at < at) i++;
    // Merge with the hole below and the one above (they touch when one ends where the other starts).
    const hole: Hole = { at, size };
    if (i < holes.length && at + size === holes[i].at) {
      hole.size += holes[i].size;
      holes.splice(i, 1);
    }
    if (i > 0 && holes[i - 1].at + holes[i - 1].size === at) {
      holes[i - 1].size += hole.size;
    } else holes.splice(i, 0, hole);
    // The lowest hole touching `end` goes back to the arena.
    if (holes.length && holes[0].at === e.end) {
      e.end += holes[0].size;
      holes.shift();
    }
  }

  info(): HeapInfo {
    return {
      usedBytes: this.usedFloats * 4,
      capacityBytes: (this.top - this.floor) * 4,
      blocks: this.live.size + this.empty,
    };
  }
}
