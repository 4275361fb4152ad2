// The memory rule (runtime/tensor/pool.ts): tidy() disposes what a scope made except its result,
// buffers return to a size-keyed pool, and a repeated training-like step allocates no new buffers.
import * as ops from '../../runtime/ops/index';
import { randn, tensor, zeros } from '../../runtime/tensor/create';
import { dispose, dropPooled, keep, memoryInfo, tidy } from '../../runtime/tensor/pool';
import { registerBackend, setBackend } from '../../kernels/select';
import { jsBackend } from '../../kernels/js';
import { Tensor } from '../../runtime/tensor/tensor';

describe('tensor memory', () => {
  test('tidy disposes intermediates, keeps the result and kept tensors', () => {
    let inner: Tensor | undefined, kept: Tensor | undefined;
    const out = tidy(() => {
      inner = ops.relu(tensor([1, -1]));
      kept = keep(ops.neg(inner));
      return ops.square(inner);
    });
    expect(inner!.isDisposed).toBe(true);
    expect(kept!.isDisposed).toBe(false);
    expect(out.isDisposed).toBe(false);
    expect([...out.toArray()]).toEqual([1, 0]);
    expect(() => inner!.toArray()).toThrow('toArray(): tensor of shape [2] was disposed');
  });

  test('a returned JVP pair survives; its shared buffer is released when both halves are disposed', () => {
    const [y, dy] = tidy(() => ops.reluJvp(tensor([1, -1, 2]), tensor([1, 1, 1])));
    expect(y.storage).toBe(dy!.storage);
    const before = memoryInfo().pooledBytes;
    y.dispose();
    expect(memoryInfo().pooledBytes).toBe(before);
    expect([...dy!.toArray()]).toEqual([1, 0, 1]);
    dispose([dy]);
    expect(memoryInfo().pooledBytes).toBe(before + 6 * 4);
  });

  test('nested tidy: survivors of the inner scope belong to the outer one', () => {
    let mid: Tensor | undefined;
    tidy(() => {
      mid = tidy(() => ops.exp(tensor([0])));
      expect(mid.isDisposed).toBe(false);
      return undefined;
    });
    expect(mid!.isDisposed).toBe(true);
  });

  test('steady state: a repeated MLP-like JVP step allocates no new buffers', () => {
    const w = randn([17, 9], 1),
      dw = randn([17, 9], 2),
      b = randn([9], 3),
      x = randn([5, 17], 4);
    const step = (): number =>
      tidy(() => {
        const [h, dh] = ops.matmulJvp(x, undefined, w, dw);
        const [z, dz] = ops.addJvp(h, dh, b, undefined);
        const [r, dr] = ops.reluJvp(z, dz);
        const [l, dl] = ops.softmaxCrossEntropyJvp(r, dr, [0, 1, 2, 3, 4]);
        return l.item() + dl!.item();
      });
    const first = step();
    const allocated = memoryInfo().allocations;
    for (let i = 0; i < 5; i++) expect(step()).toBe(first);
    expect(memoryInfo().allocations).toBe(allocated);
  });
});

describe('where pooled buffers live (a backend with allocate)', () => {
  // A backend with js kernels whose allocate hands out views of its own 64-float memory.
  const memory = new ArrayBuffer(64 * 4);
  let used = 0,
    calls = 0;
  registerBackend({
    name: 'with-memory',
    load: () => ({
      ...jsBackend,
      name: 'with-memory',
      allocate: (n: number) => {
        calls++;
        if (used + n > 64) return undefined;
        used += n;
        return new Float32Array(memory, (used - n) * 4, n);
      },
    }),
  });
  afterAll(() => setBackend('js'));

  test('a miss asks allocate once, a hit never does; the counters stay exact', () => {
    setBackend('with-memory');
    dropPooled();
    const m0 = memoryInfo();
    const a = tensor([1, 2, 3]);
    expect(a.buffer.buffer).toBe(memory);
    expect(calls).toBe(1);
    expect(memoryInfo()).toEqual({
      ...m0,
      allocations: m0.allocations + 1,
      liveBytes: m0.liveBytes + 12,
      peakBytes: Math.max(m0.peakBytes, m0.liveBytes + 12),
      kernelMemoryBytes: m0.kernelMemoryBytes + 12,
    });
    const buf = a.buffer;
    a.dispose();
    expect(memoryInfo().pooledBytes).toBe(m0.pooledBytes + 12);
    const b = zeros([3]); // a hit: the same buffer, no allocate call
    expect(b.buffer).toBe(buf);
    expect(calls).toBe(1);
    expect(memoryInfo().allocations).toBe(m0.allocations + 1);
    // Full: the pool falls back to JS memory and still counts the allocation.
    const big = zeros([100]);
    expect(calls).toBe(2);
    expect(big.buffer.buffer).not.toBe(memory);
    expect(memoryInfo().allocations).toBe(m0.allocations + 2);
    expect(memoryInfo().kernelMemoryBytes).toBe(m0.kernelMemoryBytes + 12);
    dispose([b, big]);
  });

  test('switching backends keeps buffers valid; ops give the same values wherever operands live', () => {
    setBackend('with-memory');
    const x = randn([4, 3], 5),
      w = randn([3, 2], 6);
    expect(x.buffer.buffer).toBe(memory);
    const want = Array.from(ops.matmul(x, w).toArray());
    setBackend('js');
    expect(Array.from(ops.matmul(x, w).toArray())).toEqual(want);
    // A user's own Float32Array stays where it is (a tensor over it is a view, not a copy).
    const own = Float32Array.from(x.toArray());
    const t = new Tensor(own, [4, 3]);
    expect(t.buffer).toBe(own);
    setBackend('with-memory');
    expect(Array.from(ops.matmul(t, w).toArray())).toEqual(want);
  });
});
