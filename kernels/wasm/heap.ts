// The tensor heap: pooled tensor buffers placed inside the wasm backend's kernel memory, so the
// kernels use them in place (kernels/wasm/place.ts) instead of copying them through the arena.
// Bump allocation down from the top of the memory (each block lowers Engine.end), 16-byte aligned
// (one v128); nothing is ever freed: the tensor pool keeps what it got and reuses it by size
// (runtime/tensor/pool.ts). The heap may take `share` of the memory above the control block; the
// rest stays arena + packed-B cache, so every kernel keeps room to run. When a block does not fit,
// allocate returns undefined and the pool falls back to JS memory (those tensors are copied per call).
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
  /** Bytes handed out (blocks plus alignment padding). */
  usedBytes: number;
  /** Most bytes the heap may hold. */
  capacityBytes: number;
  /** Blocks handed out. */
  blocks: number;
}

export class TensorHeap {
  /** Lowest float the heap may reach. */
  private readonly floor: number;
  private readonly top: number;
  private blocks = 0;

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
    const at = Math.floor((e.end - n) / ALIGN) * ALIGN;
    if (at < this.floor) return undefined;
    // The packed-B cache sits at the bottom; only a heap share above 3/4 can reach it.
    if (at < e.start) e.reclaim();
    e.end = at;
    this.blocks++;
    return new Float32Array(e.f32.buffer, at * 4, n);
  }

  info(): HeapInfo {
    return { usedBytes: (this.top - this.e.end) * 4, capacityBytes: (this.top - this.floor) * 4, blocks: this.blocks };
  }
}
