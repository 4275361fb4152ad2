// Where an operand lives. The kernels address the shared memory by byte: an array that is a view of
// it (a tensor the pool placed there, see kernels/wasm/heap.ts) is used in place, with no copy;
// anything else must be copied into the per-call arena first (or run by the js kernel).

/** Byte address of arr[offset] in the kernel memory, or -1 when arr is not a view of that memory. */
export function addressOf(memoryBuffer: ArrayBufferLike, arr: Float32Array | Int32Array, offset: number): number {
  return arr.buffer === memoryBuffer ? arr.byteOffset + 4 * offset : -1;
}
