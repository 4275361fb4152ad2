// Int32 kernel state kept between a forward and a backward pass (maxPool2d's argmax), drawn from
// the same pool as tensor buffers (an Int32 view of a pooled Float32 buffer: same bytes), so the
// memory counters see it like any activation.
import { acquire, release } from './pool';

export class IntScratch {
  readonly data: Int32Array;
  private buf: Float32Array | undefined;
  constructor(n: number) {
    this.buf = acquire(n);
    this.data = new Int32Array(this.buf.buffer, this.buf.byteOffset, n);
  }
  dispose(): void {
    if (this.buf) release(this.buf);
    this.buf = undefined;
  }
}
