// A random direction as tensor storage: described by (distribution, seed, stream, offset) and
// generated where it is consumed instead of held. fgd's tangents are these (issue 9: the extra
// memory of a step flat in depth): matmul's JVP generates a weight tangent into op scratch for its
// gemm and frees it (runtime/ops/matmul.ts), the optimizer regenerates it chunk by chunk for the
// update (runtime/fgd/optimizers/optimizer.ts), so no parameter-sized v is ever allocated.
//
// THE RULE. Element e of a storage of `rows` × `size` elements is element (offset + e mod size) of
// the float32 stream (seed, stream + ⌊e / size⌋) of `distribution` — exactly what
// drawDirections writes into a filled tangent (kernels/rng.ts: a float32 element depends only on
// (seed, stream, index)), so every consumer sees the same numbers either way.
// Any other reader (`data`: Tensor.buffer, toArray, item; every op without a generating path) gets
// the elements materialised into a pooled buffer, kept until `describe` or `dematerialise`: never
// wrong, only the memory the filled path would have used.
import { FILLERS } from '../../kernels/rng';
import type { DirectionDistribution } from '../directions';
import { Storage, acquire, release } from './pool';
import { syncHost } from '../../kernels/residency';
import type { CompleteBackend } from '../../kernels/backend';

export interface DirectionDescription {
  distribution: DirectionDistribution;
  seed: number;
  /** Stream of row 0 (row r uses stream + r). */
  stream: number;
  /** Index in the stream of each row's first element (the leaf's offset in the parameter vector). */
  offset: number;
}

const EMPTY = new Float32Array(0);

/** A direction its consumer regenerates: fill(out, from) writes elements [from, from + out.length). */
export interface GeneratedDirection {
  readonly length: number;
  fill(out: Float32Array, from: number): void;
}
/** A direction as an optimizer's stepScaled gets it: a buffer, or its generator. */
export type Direction = Float32Array | Float64Array | number[] | GeneratedDirection;

export function isGenerated(d: Direction): d is GeneratedDirection {
  return !(d instanceof Float32Array || d instanceof Float64Array || Array.isArray(d));
}

/**
 * Regenerated elements per chunk: 64 KB stay in L2 between generating and using them. The scratch
 * comes from the pool (so it lives in the wasm backend's memory, where fills write and the update
 * kernel reads in place) and goes back after each walk.
 */
const CHUNK = 16384;

/** Calls use(v, from) with elements [from, from + v.length) of d, over elements [start, start + n), in chunks. */
export function eachChunk(
  d: GeneratedDirection,
  start: number,
  n: number,
  use: (v: Float32Array, from: number) => void,
): void {
  if (n <= 0) return;
  const chunk = acquire(CHUNK);
  try {
    for (let from = start; from < start + n; from += CHUNK) {
      const v = chunk.subarray(0, Math.min(CHUNK, start + n - from));
      d.fill(v, from);
      use(v, from);
    }
  } finally {
    release(chunk);
  }
}

export class DirectionStorage extends Storage {
  private held: Float32Array | undefined;
  private desc: DirectionDescription | undefined;

  /** `rows` directions of `size` elements each (rows > 1: vector mode's stacked tangent). */
  constructor(
    readonly rows: number,
    readonly size: number,
  ) {
    super(EMPTY, false);
  }

  override get length(): number {
    return this.rows * this.size;
  }

  /** Whether the elements sit in a buffer now (else only consumers that generate avoid the allocation). */
  get materialised(): boolean {
    return this.held !== undefined;
  }

  /** The current description (undefined before the first: the storage then reads as zeros). */
  get description(): DirectionDescription | undefined {
    return this.desc;
  }

  /** Points the storage at new directions; a materialised buffer goes back to the pool. */
  describe(d: DirectionDescription): void {
    this.dematerialise();
    this.desc = { ...d };
  }

  override get data(): Float32Array {
    if (this.held === undefined) {
      const buf = acquire(this.length);
      this.fill(buf, 0);
      this.held = buf;
    }
    syncHost(this.held); // it may have been made on a device (kernelData)
    return this.held;
  }

  /** A device backend that generates directions makes them in its own memory (v is never uploaded). */
  override kernelData(backend: CompleteBackend): Float32Array {
    const d = this.desc;
    if (this.held === undefined && d !== undefined && backend.device && backend.fillDirection) {
      const buf = acquire(this.length);
      backend.fillDirection({
        distribution: d.distribution,
        seed: d.seed,
        stream: d.stream,
        streamOffset: d.offset,
        rows: this.rows,
        size: this.size,
        out: buf,
        offset: 0,
      });
      this.held = buf;
    }
    return this.held !== undefined && backend.device ? this.held : this.data;
  }

  /** Writes elements [from, from + out.length) of the storage into out (never materialises). */
  fill(out: Float32Array, from: number): void {
    const n = out.length;
    if (from < 0 || from + n > this.length)
      throw new Error(`DirectionStorage.fill: elements [${from}, ${from + n}) outside ${this.length}`);
    if (this.held !== undefined) {
      out.set(this.data.subarray(from, from + n));
      return;
    }
    const d = this.desc;
    if (d === undefined) {
      out.fill(0);
      return;
    }
    const fill = FILLERS[d.distribution];
    for (let j = 0; j < n;) {
      const e = from + j,
        r = Math.floor(e / this.size),
        i = e - r * this.size,
        len = Math.min(n - j, this.size - i);
      fill(out.subarray(j, j + len), d.seed, d.stream + r, d.offset + i);
      j += len;
    }
  }

  /** Drops the materialised buffer (the numbers stay regenerable from the description). */
  dematerialise(): void {
    if (this.held !== undefined) release(this.held);
    this.held = undefined;
  }

  override free(): void {
    this.dematerialise();
  }
}

export function isDirectionStorage(s: Storage): s is DirectionStorage {
  return s instanceof DirectionStorage;
}

/** t's storage when it is a direction not materialised: a consumer that can generate it should. */
export function unmaterialisedDirection(t: { readonly storage: Storage }): DirectionStorage | undefined {
  const s = t.storage;
  return s instanceof DirectionStorage && !s.materialised && s.description !== undefined ? s : undefined;
}
