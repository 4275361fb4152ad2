// An fgd run is bit-identical whether its tensors live in the wasm backend's tensor heap (every
// gemm in place), partly there (the heap fills mid-run) or nowhere (every operand copied through
// the arena): placement changes where the kernels read and write, never what they compute.
import { registerBackend, setBackend } from '../../kernels/select';
import { createWasmBackend, type WasmBackend } from '../../kernels/wasm/index';
import { fgd } from '../../runtime/fgd';
import { tensor } from '../../runtime/tensor/create';
import { dropPooled, memoryInfo } from '../../runtime/tensor/pool';
import { Tensor } from '../../runtime/tensor/tensor';
import { MlpParams, initMlp, mlpLoss } from '../../fixtures/mlp';

const SIZES: [number, number, number, number] = [40, 24, 16, 5];
const B = 8;
const data = Float32Array.from({ length: 2 * B * SIZES[0] }, (_, i) => Math.sin(0.37 * i) * 1.5);
const labels = Int32Array.from({ length: B }, (_, i) => i % SIZES[3]);
const inputs = (t: number) => [
  tensor(data.subarray((t % 2) * B * SIZES[0], ((t % 2) + 1) * B * SIZES[0]), [B, SIZES[0]]),
  labels,
];
const bits = (p: MlpParams): number[] =>
  Object.values(p).flatMap((t: Tensor) => Array.from(new Uint32Array(Float32Array.from(t.toArray()).buffer)));
const shared = (t: Tensor) => t.buffer.buffer instanceof SharedArrayBuffer;

const backends: Record<string, WasmBackend> = {
  // threads: 2 with no threshold, so the in-place job lists run on both threads.
  'wasm-heap': createWasmBackend({ threads: 2, minParallelFlops: 0 }),
  'wasm-no-heap': createWasmBackend({ threads: 1, heapShare: 0 }),
};
for (const [name, be] of Object.entries(backends)) registerBackend({ name, load: () => be });
afterAll(async () => {
  setBackend('js');
  for (const be of Object.values(backends)) await be.dispose();
});

function run(backend: string, opts: { directions?: number; optimizer?: 'momentum' | 'adam' } = {}) {
  setBackend(backend);
  dropPooled(); // every buffer of this run comes from this backend
  const before = memoryInfo().kernelMemoryBytes;
  const p = initMlp(7, SIZES);
  const placed = Object.values(p).map(shared);
  const r = fgd(mlpLoss, [p], { lr: 0.05, iterations: 5, seed: 3, inputs, progress: false, ...opts });
  expect(r.status).toBe('completed');
  return { losses: r.losses, bits: bits(p), placed, heapBytes: memoryInfo().kernelMemoryBytes - before };
}

describe('fgd with tensors in the kernel memory', () => {
  test.each([
    ['K=1, sgd', {}],
    ['K=3 vector mode, momentum', { directions: 3, optimizer: 'momentum' as const }],
    // adam: its m, v slots come from the pool too, so the update kernel runs in place (wasm) or not (js)
    ['K=1, adam', { optimizer: 'adam' as const }],
  ])('%s: same losses and parameter bits in the heap, partly in it, and outside it', async (_name, opts) => {
    (backends['wasm-heap'] as WasmBackend).waitForThreads(20000);
    const inHeap = run('wasm-heap', opts);
    // Parameters, tangents, minibatches and activations all came from the heap.
    expect(inHeap.placed.every(Boolean)).toBe(true);
    const paramBytes = 4 * Object.values(initMlp(7, SIZES)).reduce((s, t) => s + t.size, 0);
    expect(inHeap.heapBytes).toBeGreaterThan(2 * paramBytes);

    // ~3 KB of heap (a fresh one per case): w1 (3.8 KB) does not fit, the other parameters do, and
    // the heap fills during step 1.
    const small = createWasmBackend({ threads: 1, memoryMB: 1, heapShare: 0.003 });
    registerBackend({ name: 'wasm-small-heap', load: () => small });
    const partly = run('wasm-small-heap', opts);
    expect(partly.placed).toEqual([false, true, true, true, true, true]);
    expect(small.allocate(256)).toBeUndefined(); // it did fill
    setBackend('js');
    await small.dispose();

    const outside = run('wasm-no-heap', opts);
    expect(outside.heapBytes).toBe(0);

    expect(partly.losses).toEqual(inHeap.losses);
    expect(outside.losses).toEqual(inHeap.losses);
    expect(partly.bits).toEqual(inHeap.bits);
    expect(outside.bits).toEqual(inHeap.bits);
    expect(inHeap.losses[4]).not.toBe(inHeap.losses[0]); // the parameters did move
  });
});
