// The pool gives free heap buffers back on a miss (runtime/tensor/pool.ts): a process that runs
// several model shapes one after the other keeps every shape's tensors in the wasm tensor heap,
// although the earlier shapes' free buffers (of other sizes) would fill it. Placement changes only
// where the kernels read and write, so every result must have the bits of the backend without a heap.
import * as ops from '../../runtime/ops/index';
import { randn } from '../../runtime/tensor/create';
import { dropPooled, memoryInfo, tidy } from '../../runtime/tensor/pool';
import { registerBackend, setBackend } from '../../kernels/select';
import { createWasmBackend, type WasmBackend } from '../../kernels/wasm/index';

const backends: Record<string, WasmBackend> = {
  // 4 MB of kernel memory, half of it heap: ~1.9 MB, less than the models below need together.
  'reclaim-heap': createWasmBackend({ threads: 1, memoryMB: 4, heapShare: 0.5 }),
  'reclaim-other': createWasmBackend({ threads: 1, memoryMB: 4, heapShare: 0.5 }),
  'reclaim-none': createWasmBackend({ threads: 1, memoryMB: 4, heapShare: 0 }),
};
for (const [name, be] of Object.entries(backends)) registerBackend({ name, load: () => be });
afterAll(async () => {
  setBackend('js');
  for (const be of Object.values(backends)) await be.dispose();
});

// Square "models" of growing and shrinking size: each step holds about 5 n² floats (n = 260: 1.35 MB).
const SIZES = [120, 200, 160, 260, 96, 228];

/** One model's forward pass; its result's bits, and whether every tensor it made lived in the kernel memory. */
function model(n: number, seed: number): { bits: number[]; placed: boolean } {
  return tidy(() => {
    const x = randn([n, n], seed),
      w = randn([n, n], seed + 1, { scale: 0.1 });
    const h = ops.relu(ops.matmul(x, w));
    const y = ops.tanh(ops.matmul(h, w));
    const s = ops.sum(y, 1);
    const placed = [x, w, h, y, s].every((t) => t.buffer.buffer instanceof SharedArrayBuffer);
    return { bits: Array.from(new Uint32Array(Float32Array.from(s.toArray()).buffer)), placed };
  });
}

function runAll(backend: string) {
  setBackend(backend);
  dropPooled();
  return SIZES.map((n, i) => model(n, 10 + i));
}

test('a sequence of model shapes larger than the heap stays in it, with the bits of the no-heap backend', () => {
  const want = runAll('reclaim-none');
  expect(want.every((r) => !r.placed)).toBe(true);

  const heap = backends['reclaim-heap'];
  const cap = heap.heapInfo().capacityBytes;
  const m0 = memoryInfo();
  const got = runAll('reclaim-heap');
  const m1 = memoryInfo();
  got.forEach((r, i) => {
    expect(r.placed).toBe(true); // without giving buffers back, the later shapes land in JS memory
    expect(r.bits).toEqual(want[i].bits);
  });
  // The models together took more than the heap holds: room was given back and handed out again.
  const placedBytes = m1.kernelMemoryBytes - m0.kernelMemoryBytes,
    released = m1.releasedBytes - m0.releasedBytes;
  expect(placedBytes).toBeGreaterThan(cap);
  expect(released).toBeGreaterThan(0);
  // Exact counters: every fresh buffer came from the heap; what is pooled now is what was placed
  // minus what was given back (dropPooled emptied the pool first), and nothing is live.
  expect(m1.liveBytes).toBe(m0.liveBytes);
  expect(m1.pooledBytes).toBe(placedBytes - released);
  // The heap holds exactly the pooled buffers (sizes n² and n are multiples of 4 floats: no padding).
  expect(heap.heapInfo().usedBytes).toBe(m1.pooledBytes);
});

test("free buffers of another backend's heap are never given to this one; dropPooled gives each back to its own", () => {
  setBackend('reclaim-other');
  dropPooled();
  const other = backends['reclaim-other'];
  model(200, 1); // leaves free buffers in the other heap, in the pool
  const otherUsed = other.heapInfo().usedBytes;
  expect(otherUsed).toBeGreaterThan(0);
  const m0 = memoryInfo();
  expect(m0.pooledBytes).toBe(otherUsed);
  // The heap backend fills its heap several times over: its misses give back only its own buffers
  // (release would throw on the other heap's, and the other heap's use would drop).
  setBackend('reclaim-heap');
  const got = SIZES.map((n, i) => model(n, 10 + i));
  expect(got.every((r) => r.placed)).toBe(true);
  expect(other.heapInfo().usedBytes).toBe(otherUsed);
  expect(memoryInfo().pooledBytes).toBe(otherUsed + backends['reclaim-heap'].heapInfo().usedBytes);
  // dropPooled hands every free buffer back to the heap it came from: both heaps are empty again.
  dropPooled();
  expect(other.heapInfo()).toMatchObject({ usedBytes: 0, blocks: 0 });
  expect(backends['reclaim-heap'].heapInfo()).toMatchObject({ usedBytes: 0, blocks: 0 });
  expect(memoryInfo().pooledBytes).toBe(0);
});
