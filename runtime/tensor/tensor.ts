// Minimal Tensor so other modules can compile; the tensor layer owns and extends this file.
export class Tensor {
  constructor(public readonly buffer: Float32Array, public readonly shape: readonly number[]) {}
  get size(): number { return this.buffer.length; }
  toArray(): Float32Array { return this.buffer; }
  item(): number {
    if (this.buffer.length !== 1) throw new Error(`item(): tensor of shape [${this.shape}] has ${this.buffer.length} elements, expected 1`);
    return this.buffer[0];
  }
  async data(): Promise<Float32Array> { return this.toArray(); }
}
export function isTensor(x: unknown): x is Tensor { return x instanceof Tensor; }
