// forwardGradient with the wasm tensor heap: its cached tangents (kept outside the pool) live in the
// kernel memory when there is room, so the twin's gemms read them in place, and a replaced cache
// gives them back; an `out` of pooled tensors (in the heap) is written in place. Placement never
// changes a bit of the result.
import { registerBackend, setBackend } from '../../kernels/select';
import { createWasmBackend, type WasmBackend } from '../../kernels/wasm/index';
import { forwardGradient } from '../../runtime/forward-gradient';
import { tensor, zeros } from '../../runtime/tensor/create';
import { dispose, dropPooled, tidy } from '../../runtime/tensor/pool';
import { Tensor } from '../../runtime/tensor/tensor';
import { initMlp, mlpLoss, type MlpParams } from '../../runtime/models/index';

const backends: Record<string, WasmBackend> = {
  'fg-heap': createWasmBackend({ threads: 1, memoryMB: 8, heapShare: 0.5 }),
  'fg-none': createWasmBackend({ threads: 1, memoryMB: 8, heapShare: 0 }),
};
for (const [name, be] of Object.entries(backends)) registerBackend({ name, load: () => be });
afterAll(async () => {
  setBackend('js');
  for (const be of Object.values(backends)) await be.dispose();
});

const B = 4;
const mapParams = (p: MlpParams, f: (t: Tensor) => Tensor) =>
  Object.fromEntries(Object.entries(p).map(([k, t]) => [k, f(t)])) as unknown as MlpParams;
const bitsOf = (g: MlpParams) =>
  Object.values(g).flatMap((t: Tensor) => Array.from(new Uint32Array(Float32Array.from(t.toArray()).buffer)));

/** Calls forwardGradient on two MLP shapes in turn (the cache is replaced at every switch), K = 1 and K = 3. */
function run(backend: string) {
  setBackend(backend);
  dropPooled();
  const heap = backends[backend];
  const results: { bits: number[]; directional: number[]; placed: boolean }[] = [];
  const used: number[] = [];
  for (const [i, sizes] of [
    [20, 16, 12, 5],
    [24, 8, 12, 5],
    [20, 16, 12, 5],
    [24, 8, 12, 5],
  ].entries()) {
    const s = sizes as [number, number, number, number];
    const p = tidy(() => initMlp(i + 1, s));
    const x = tensor(
      Float32Array.from({ length: B * s[0] }, (_, j) => Math.sin(0.3 * j)),
      [B, s[0]],
    );
    const labels = Int32Array.from({ length: B }, (_, j) => j % s[3]);
    for (const directions of [1, 3]) {
      const first = forwardGradient(mlpLoss, [p, x, labels], { wrt: 0, seed: 5 + i, directions });
      dispose(first.value);
      // The cache reused, written into pooled zeros (in the heap when it has one).
      const out = [tidy(() => mapParams(p, (t) => zeros(t.shape))), undefined, undefined];
      const r = forwardGradient(mlpLoss, [p, x, labels], { wrt: 0, seed: 5 + i, directions, out });
      expect(r.gradient).toBe(out);
      expect(bitsOf(r.gradient[0] as MlpParams)).toEqual(bitsOf(first.gradient[0] as MlpParams));
      const g = r.gradient[0] as MlpParams;
      const placed = Object.values(g).every((t: Tensor) => t.buffer.buffer instanceof SharedArrayBuffer);
      results.push({ bits: bitsOf(g), directional: r.directional, placed });
      dispose([g, r.value]);
    }
    dispose([p, x]);
    // Every tensor disposed and every free buffer given back: what the heap still holds is the cached estimator's tangents.
    dropPooled();
    used.push(heap.heapInfo().usedBytes);
  }
  return { results, used };
}

test('tangents and out in the heap: the bits of the backend without one; replaced tangents go back', () => {
  const want = run('fg-none');
  const got = run('fg-heap');
  expect(want.results.every((r) => !r.placed)).toBe(true);
  got.results.forEach((r, i) => {
    expect(r.placed).toBe(true);
    expect(r.directional).toEqual(want.results[i].directional);
    expect(r.bits).toEqual(want.results[i].bits);
  });
  // Outside the pool the heap holds one estimator's tangents (the cached one: the last shape, K = 3),
  // never more: each replaced estimator gave its tangents back.
  const u = got.used;
  const tangentBytes = (s: number[], K: number) =>
    [s[0] * s[1], s[1], s[1] * s[2], s[2], s[2] * s[3], s[3]].reduce((a, n) => a + 16 * Math.ceil((K * n) / 4), 0);
  const a = tangentBytes([20, 16, 12, 5], 3),
    b = tangentBytes([24, 8, 12, 5], 3);
  expect(u).toEqual([a, b, a, b]);
});
