// The memory rule (runtime/tensor/pool.ts): tidy() disposes what a scope made except its result,
// buffers return to a size-keyed pool, and a repeated training-like step allocates no new buffers.
import * as ops from '../../runtime/ops/index';
import { randn, tensor } from '../../runtime/tensor/create';
import { dispose, keep, memoryInfo, tidy } from '../../runtime/tensor/pool';
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
