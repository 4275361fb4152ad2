// Reuse versions (runtime/tensor/version.ts): matmul passes `bVersion` only for sealed storages,
// and a sealed weight written in place + markWritten is seen by the next call (the wasm backend
// caches packed B by (buffer, version), so a missing bump would read the old packing: shown below).
import { listBackends, setBackend } from '../../kernels/select';
import type { GemmArgs } from '../../kernels/backend';
import { Rng } from '../../kernels/rng';
import * as R from '../../kernels/reference/ops';
import * as ops from '../../runtime/ops/index';
import { allocOut } from '../../runtime/ops/tangents';
import { markWritten, reuseVersion, sealForReuse, unseal, writeVersion } from '../../runtime/tensor/version';
import { BACKENDS, expectClose, randomTensor, toRef } from './helpers';

const TOL = 2e-4;

test('versions come from one increasing counter; only sealed storages have one, and each write changes it', () => {
  const a = writeVersion(),
    b = writeVersion();
  expect(b).toBeGreaterThan(a);
  const rng = new Rng(3),
    w = randomTensor(rng, [3, 4]),
    view = ops.reshape(w, [12]);
  expect(reuseVersion(w)).toBeUndefined();
  sealForReuse(w);
  const v1 = reuseVersion(w)!;
  expect(v1).toBeGreaterThan(b);
  expect(reuseVersion(view)).toBe(v1); // a version belongs to the storage, shared by its views
  markWritten(view);
  expect(reuseVersion(w)!).toBeGreaterThan(v1);
  unseal(w);
  expect(reuseVersion(w)).toBeUndefined();
});

describe.each(BACKENDS)('matmul with sealed weights on backend %s', (name) => {
  afterAll(() => setBackend('js'));
  test('passes bVersion only when sealed; in-place writes followed by markWritten are seen', () => {
    const be = setBackend(name);
    const seen: (number | undefined)[] = [];
    const real = be.gemm;
    (be as any).gemm = (g: GemmArgs) => {
      seen.push(g.bVersion);
      real(g);
    };
    try {
      const rng = new Rng(7),
        x = randomTensor(rng, [5, 33]),
        dw = randomTensor(rng, [33, 17]);
      const [w, wt] = allocOut([33, 17], { K: 1, axis: false, active: true }); // [w; ẇ] stacked, as a loop keeps them
      w.toArray().set(randomTensor(rng, [33, 17]).toArray());
      wt!.toArray().set(dw.toArray());
      ops.matmul(x, w);
      expect(seen).toEqual([undefined]);
      sealForReuse(w);
      for (let step = 0; step < 3; step++) {
        const [y, dy] = ops.matmulJvp(x, undefined, w, wt);
        expectClose(y.toArray(), R.matmulRef(toRef(x), toRef(w)).data, TOL, TOL, `y step ${step}`);
        expectClose(dy!.toArray(), R.matmulRef(toRef(x), toRef(wt!)).data, TOL, TOL, `ẏ step ${step}`);
        const d = w.toArray();
        for (let i = 0; i < d.length; i++) d[i] -= 0.1 * wt!.toArray()[i];
        markWritten(w);
      }
      expect(seen.slice(1).every((v) => typeof v === 'number')).toBe(true);
      unseal(w);
    } finally {
      (be as any).gemm = real;
    }
  });
});

(listBackends().includes('wasm') ? test : test.skip)(
  'wasm really reuses the packing: a write WITHOUT markWritten reads the old weights (why the rule exists)',
  () => {
    setBackend('wasm');
    const rng = new Rng(9),
      x = randomTensor(rng, [4, 16]),
      w = randomTensor(rng, [16, 8]);
    sealForReuse(w);
    const before = Float32Array.from(ops.matmul(x, w).toArray());
    w.toArray().fill(0); // broken promise: no markWritten
    expectClose(ops.matmul(x, w).toArray(), before, TOL, TOL, 'stale');
    markWritten(w);
    expect([...ops.matmul(x, w).toArray()].every((v) => v === 0)).toBe(true);
    unseal(w);
    setBackend('js');
  },
);
