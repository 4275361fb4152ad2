// Buffer pool and tidy scopes: how tensor memory is reused and released.
//
// THE RULE. Every tensor buffer comes from a pool keyed by exact element count. A buffer goes
// back to the pool when the last tensor viewing it is disposed:
//   - explicitly, `t.dispose()` (or `dispose(value)` for arrays/objects of tensors), or
//   - at the end of `tidy(fn)`: every tensor created while fn runs is disposed, except those in
//     fn's return value (tensors, arrays, tuples, plain objects of tensors, found recursively) and
//     those passed to `keep(t)`; survivors belong to the enclosing scope.
// Tensors made outside any tidy scope and never disposed are simply left to the garbage collector.
// A training step wrapped in `tidy` therefore allocates no new buffers once the pool has seen one
// step (same shapes each step): each step's intermediates return to the pool and are reused by the
// next. Op-internal scratch (im2col columns, stacked operands) is taken and returned inside the op.
// Using a tensor after its buffer went back to the pool reads garbage: `toArray()` returns a view.
//
// WHERE BUFFERS LIVE. A miss asks the selected backend's `allocate` first (the wasm backend hands
// out views of its kernel memory, a SharedArrayBuffer, which its kernels use without copying) and
// falls back to `new Float32Array(n)` when it has none or is full. Pooled buffers are kept per size,
// so a process that runs several model shapes would leave the kernel memory full of free buffers of
// the earlier shapes: when allocate finds no room, every free buffer the selected backend placed
// (of any size) goes back to it (`release`), and allocate is asked once more before falling back.
// Only buffers nobody uses are given back, and only to the backend that placed them; switching
// backends only changes which kernels get buffers in place.
import type { CompleteBackend } from '../../kernels/backend';
import { getBackend } from '../../kernels/select';
import { discard, syncHost, syncHostAsync } from '../../kernels/residency';

/**
 * Backing memory shared by a tensor and its views (reshapes, the primal/tangent halves of a JVP).
 * Subclasses may produce `data` on first access (runtime/tensor/direction-storage.ts: a random
 * direction described by its seed): code that only needs the size reads `length`.
 */
export class Storage {
  refs = 0;
  constructor(
    private readonly buf: Float32Array,
    readonly pooled: boolean,
  ) {}
  /**
   * The elements, current on the host (a subclass may materialise them here). Every host reader
   * and writer goes through this: it brings back what a device backend holds (kernels/residency.ts).
   */
  get data(): Float32Array {
    syncHost(this.buf);
    return this.buf;
  }
  /**
   * The buffer for a kernel of `backend` to read or write: as `data`, except that a device backend
   * gets it without the sync (its kernels find the device copies). Only for kernel arguments.
   */
  kernelData(backend: CompleteBackend): Float32Array {
    if (!backend.device) syncHost(this.buf);
    return this.buf;
  }
  /** `data`, with a device's copies read back asynchronously where the device can (Tensor.data()). */
  async dataAsync(): Promise<Float32Array> {
    await syncHostAsync(this.buf);
    return this.data;
  }
  /** Elements in the storage, without materialising anything. */
  get length(): number {
    return this.buf.length;
  }
  /** The last view is gone: pooled memory goes back to the pool. */
  free(): void {
    if (this.pooled) release(this.buf);
  }
}

/** Anything that can be released: a Tensor. (Kept structural so this module imports no Tensor.) */
export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

const free = new Map<number, Float32Array[]>();
let pooledBytes = 0;
const scopes: Disposable[][] = [];
const kept = new WeakSet<Disposable>();
let allocations = 0;
let kernelMemoryBytes = 0;
// Bytes of buffers handed out by acquire() and not yet released (tensors alive plus op scratch),
// and the most of it since resetPeakMemory(): what one training step holds at its worst.
let liveBytes = 0;
let peakBytes = 0;
// The backend whose kernel memory holds each buffer placed there (free or handed out), and the
// bytes of free ones: a miss with none free skips the search.
const placedBy = new WeakMap<Float32Array, CompleteBackend>();
let freePlacedBytes = 0;
let releasedBytes = 0;

/** A buffer of n floats, reused from the pool when one is free (contents unspecified). */
export function acquire(n: number): Float32Array {
  const list = free.get(n);
  const hit = list?.pop();
  liveBytes += 4 * n;
  if (liveBytes > peakBytes) peakBytes = liveBytes;
  if (hit) {
    pooledBytes -= hit.byteLength;
    if (placedBy.has(hit)) freePlacedBytes -= hit.byteLength;
    return hit;
  }
  allocations++;
  const placed = place(n);
  if (placed) kernelMemoryBytes += placed.byteLength;
  return placed ?? new Float32Array(n);
}

/** n floats in the selected backend's kernel memory (giving its free pooled buffers back when full), or undefined. */
function place(n: number): Float32Array | undefined {
  const backend = getBackend();
  let placed = backend.allocate?.(n);
  if (!placed && backend.release && freePlacedBytes > 0 && giveBack(backend) > 0) placed = backend.allocate?.(n);
  if (placed) placedBy.set(placed, backend);
  return placed;
}

/**
 * A buffer of n floats that a cache keeps past tidy scopes (forwardGradient's tangents), placed like
 * a pool miss (the kernel memory when it has room, else JS memory) but outside the pool: memoryInfo
 * does not count it. Give it back with releaseUnpooled once the cache drops it (a buffer in JS
 * memory is then left to the garbage collector). Contents unspecified.
 */
export function acquireUnpooled(n: number): Float32Array {
  return place(n) ?? new Float32Array(n);
}

/** Gives a buffer from acquireUnpooled back to the kernel memory that holds it (nothing for JS memory). */
export function releaseUnpooled(buf: Float32Array): void {
  discard(buf);
  const owner = placedBy.get(buf);
  if (!owner) return;
  placedBy.delete(buf);
  owner.release?.(buf);
}

/** Returns a buffer obtained from acquire() to the pool. */
export function release(buf: Float32Array): void {
  discard(buf); // device copies of a free buffer are garbage
  let list = free.get(buf.length);
  if (!list) free.set(buf.length, (list = []));
  list.push(buf);
  pooledBytes += buf.byteLength;
  liveBytes -= buf.byteLength;
  if (placedBy.has(buf)) freePlacedBytes += buf.byteLength;
}

/**
 * Gives every free buffer that `only` placed (every placed one when omitted) back to the backend
 * that placed it, when that backend can take it back; returns the bytes given back.
 */
function giveBack(only?: CompleteBackend): number {
  let bytes = 0;
  for (const [n, list] of free) {
    let kept = 0;
    for (const buf of list) {
      const owner = placedBy.get(buf);
      if (owner?.release && (only === undefined || owner === only)) {
        owner.release(buf);
        placedBy.delete(buf);
        bytes += buf.byteLength;
      } else list[kept++] = buf;
    }
    list.length = kept;
    if (kept === 0) free.delete(n);
  }
  pooledBytes -= bytes;
  freePlacedBytes -= bytes;
  releasedBytes += bytes;
  return bytes;
}

/**
 * Forgets every free buffer, so the next acquires allocate afresh (from the backend selected then).
 * For tests and benchmarks that compare where buffers live. Free buffers in a backend's kernel
 * memory go back to it when it has `release` (else its blocks stay used).
 */
export function dropPooled(): void {
  giveBack();
  free.clear();
  pooledBytes = 0;
  freePlacedBytes = 0;
}

/** Called by every new tensor: the innermost tidy scope (if any) will dispose it. */
export function track(t: Disposable): void {
  if (scopes.length) scopes[scopes.length - 1].push(t);
}

/** Exempts a tensor from the enclosing tidy scopes' disposal. */
export function keep<T extends Disposable>(t: T): T {
  kept.add(t);
  return t;
}

/** Was t exempted with keep()? (Helpers that free tensors early leave those to their owner.) */
export function isKept(t: Disposable): boolean {
  return kept.has(t);
}

function collect(value: unknown, out: Set<unknown>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 8) return;
  if ('dispose' in value && 'isDisposed' in value) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype)
    for (const v of Object.values(value)) collect(v, out, depth + 1);
}

/** Runs fn; disposes every tensor it created except those it returns or kept (see THE RULE). */
export function tidy<T>(fn: () => T): T {
  scopes.push([]);
  let result: T;
  try {
    result = fn();
  } finally {
    const created = scopes.pop()!;
    const survivors = new Set<unknown>();
    collect(result!, survivors);
    for (const t of created) {
      if (survivors.has(t) || kept.has(t)) track(t);
      else if (!t.isDisposed) t.dispose();
    }
  }
  return result;
}

/** Disposes every tensor found in value (tensor, array, plain object). */
export function dispose(value: unknown): void {
  const found = new Set<unknown>();
  collect(value, found);
  for (const t of found) (t as Disposable).dispose();
}

export interface MemoryInfo {
  /** Fresh buffer allocations so far (a pool miss). */
  allocations: number;
  /** Bytes waiting in the pool for reuse. */
  pooledBytes: number;
  /** Bytes of pooled buffers currently handed out (live tensors and op scratch). */
  liveBytes: number;
  /** The most liveBytes reached since resetPeakMemory() (or the start). */
  peakBytes: number;
  /** Bytes of the allocations that were placed in a backend's kernel memory (a share of all allocations). */
  kernelMemoryBytes: number;
  /** Bytes of free pooled buffers given back to the kernel memory that held them (on a miss with it full, or dropPooled). */
  releasedBytes: number;
}

/** Pool counters (for tests, benchmarks and memory experiments). */
export function memoryInfo(): MemoryInfo {
  return { allocations, pooledBytes, liveBytes, peakBytes, kernelMemoryBytes, releasedBytes };
}

/** Starts a new peak measurement: peakBytes becomes the current liveBytes. */
export function resetPeakMemory(): void {
  peakBytes = liveBytes;
}
