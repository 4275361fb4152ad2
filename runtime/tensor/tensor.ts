// The Tensor: a row-major float32 view (offset + shape) into a Storage that may be shared with
// other views, e.g. the primal and tangent halves of a fused JVP output stacked in one buffer.
import { Storage, acquire, track } from './pool';
import { getBackend } from '../../kernels/select';

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export class Tensor {
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
  /** @internal shared backing memory; released when its last view is disposed. */
  readonly storage: Storage;
  private disposed = false;

  /** A view of `buffer` (not copied) with `shape`, starting at element `offset`. */
  constructor(buffer: Float32Array | Storage, shape: readonly number[], offset = 0) {
    this.storage = buffer instanceof Storage ? buffer : new Storage(buffer, false);
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0)
        throw new Error(`Tensor: invalid shape [${shape}] (dimensions must be non-negative integers)`);
    }
    this.shape = Object.freeze([...shape]);
    this.offset = offset;
    this.size = sizeOf(shape);
    if (offset < 0 || offset + this.size > this.storage.length) {
      throw new Error(
        `Tensor: shape [${shape}] at offset ${offset} needs ${offset + this.size} elements, buffer has ${this.storage.length}`,
      );
    }
    this.storage.refs++;
    track(this);
  }

  /** The whole backing buffer (the tensor's elements are buffer[offset … offset+size-1]), current on the host. */
  get buffer(): Float32Array {
    return this.storage.data;
  }
  /**
   * @internal The backing buffer as an argument of a kernel of the selected backend, which alone
   * may touch it: on a device backend (gpujs-gpu) its current elements may be in device memory
   * (kernels/residency.ts). Host code reads and writes `buffer`.
   */
  get kernelBuffer(): Float32Array {
    return this.storage.kernelData(getBackend());
  }
  get rank(): number {
    return this.shape.length;
  }
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** The elements as a flat Float32Array view (no copy while the tensor is alive). */
  toArray(): Float32Array {
    this.assertLive('toArray');
    const b = this.storage.data;
    return this.offset === 0 && this.size === b.length ? b : b.subarray(this.offset, this.offset + this.size);
  }

  item(): number {
    this.assertLive('item');
    if (this.size !== 1)
      throw new Error(`item(): tensor of shape [${this.shape}] has ${this.size} elements, expected 1`);
    return this.storage.data[this.offset];
  }

  /** The elements, read back asynchronously from a device backend (await it in a page's training loop). */
  async data(): Promise<Float32Array> {
    this.assertLive('data');
    await this.storage.dataAsync();
    return this.toArray();
  }

  /** Releases this view; the buffer returns to the pool when no view of it is left. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (--this.storage.refs === 0) this.storage.free();
  }

  toString(): string {
    return `Tensor[${this.shape}]`;
  }

  private assertLive(op: string): void {
    if (this.disposed) throw new Error(`${op}(): tensor of shape [${this.shape}] was disposed`);
  }
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

/** A fresh pooled storage of n elements (contents unspecified). */
export function newStorage(n: number): Storage {
  return new Storage(acquire(n), true);
}

/** A new tensor over a pooled buffer (contents unspecified: callers overwrite every element). */
export function empty(shape: readonly number[]): Tensor {
  return new Tensor(newStorage(sizeOf(shape)), shape);
}

/** A new zero-filled tensor over a pooled buffer. */
export function zerosPooled(shape: readonly number[]): Tensor {
  const t = empty(shape);
  t.buffer.fill(0, t.offset, t.offset + t.size);
  return t;
}
