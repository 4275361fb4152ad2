// Float32 normal fills into views of a registered memory (registerKernelMemory: the wasm backend's,
// where the tensor pool places tensors) are written in place by a second instance of rng.wasm: the
// same bits as the copying path, and nothing outside the destination's elements is touched.
// Rademacher fills into such views copy (faster there), and are checked the same way.
import { fillNormal, fillRademacher, fillsInPlace, registerKernelMemory } from '../../kernels/rng';
import { createWasmBackend } from '../../kernels/wasm/index';
import { wasmApi } from '../../kernels/wasm/webassembly';

const memory = new wasmApi.Memory({ initial: 128, maximum: 128, shared: true }); // 8 MB
const all = new Float32Array(memory.buffer);
const GUARD = 12345.5;

test('a shared memory registers; views of it fill in place, other arrays do not', () => {
  expect(registerKernelMemory(memory)).toBe(true);
  expect(registerKernelMemory(memory)).toBe(true); // idempotent
  expect(fillsInPlace(new Float32Array(memory.buffer, 64, 10))).toBe(true);
  expect(fillsInPlace(new Float32Array(10))).toBe(false);
});

test('a memory that is not shared is refused (fills copy as before)', () => {
  const plain = new wasmApi.Memory({ initial: 1, maximum: 1, shared: false });
  expect(registerKernelMemory(plain)).toBe(false);
  expect(fillsInPlace(new Float32Array(plain.buffer))).toBe(false);
});

describe.each([
  ['normal', fillNormal],
  ['rademacher', fillRademacher],
] as const)('%s into a view of a registered memory', (_name, fill) => {
  // Offsets and lengths that leave unaligned heads and tails (4 / 16 elements per block / group for
  // normals, 128 / 512 for Rademacher) around an in-place body, bodies of one group, and none at all.
  test.each([
    [0, 1],
    [3, 13],
    [1, 16],
    [2, 600],
    [127, 1000],
    [128, 512],
    [0, 32768],
    [5, 70001],
    [4 * 2 ** 32 - 37, 5000], // across a 2^32 block carry
    [9, 1863690], // v of the paper's MLP
  ])('offset %i, %i elements: the copying path’s bits, guards intact', (off, n) => {
    all.fill(GUARD);
    const at = 1003 + (off % 5); // any float alignment of the view
    const view = new Float32Array(memory.buffer, 4 * at, n);
    expect(fillsInPlace(view)).toBe(true);
    fill(view, 11, 2, off);
    const ref = fill(new Float32Array(n), 11, 2, off) as Float32Array;
    expect(Buffer.from(view.buffer, view.byteOffset, 4 * n).equals(Buffer.from(ref.buffer))).toBe(true);
    expect(all[at - 1]).toBe(GUARD);
    expect(all[at + n]).toBe(GUARD);
  });
});

test('the guard check can fail: a view one element too long is caught', () => {
  all.fill(GUARD);
  fillNormal(new Float32Array(memory.buffer, 4 * 1000, 33), 1, 2, 0);
  expect(all[1000 + 32]).not.toBe(GUARD);
});

test('tensors in the wasm backend’s heap (its allocate) fill in place, with the copying path’s bits', () => {
  const b = createWasmBackend({ threads: 1, memoryMB: 16 });
  const v = b.allocate(70001)!;
  expect(fillsInPlace(v)).toBe(true);
  const ref = fillNormal(new Float32Array(v.length), 5, 1, 3) as Float32Array;
  fillNormal(v, 5, 1, 3);
  expect(Buffer.from(v.buffer, v.byteOffset, 4 * v.length).equals(Buffer.from(ref.buffer))).toBe(true);
});
