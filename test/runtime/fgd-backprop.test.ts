// fgd with method 'backprop': the same descent loop driven by the exact reverse-mode gradient.
// Lowers the loss of the fixtures' MLP, equals plain SGD written out with grad(), resumes bit for bit
// from a checkpoint, records algorithm 'backprop', and refuses options that do not apply.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fgd, loadCheckpoint, readJsonLines } from '../../runtime/fgd';
import { grad } from '../../runtime/grad';
import { tensor } from '../../runtime/tensor/create';
import { memoryInfo, resetPeakMemory } from '../../runtime/tensor/pool';
import { Tensor } from '../../runtime/tensor/tensor';
import { MlpParams, initMlp, mlpLoss } from '../../fixtures/mlp';
import { matmul, mean, square } from '../../runtime/index';
import { beale } from '../../runtime/models/testfns';

const SIZES: [number, number, number, number] = [12, 16, 8, 5];
const B = 6,
  BATCHES = 3;
const data = Float32Array.from({ length: BATCHES * B * SIZES[0] }, (_, i) => Math.sin(0.37 * i) * 1.5);
const labels = Array.from({ length: BATCHES }, (_, s) =>
  Int32Array.from({ length: B }, (_, i) => (i + 2 * s) % SIZES[3]),
);
const inputs = (t: number) => [
  tensor(data.subarray((t % BATCHES) * B * SIZES[0], ((t % BATCHES) + 1) * B * SIZES[0]), [B, SIZES[0]]),
  labels[t % BATCHES],
];
const bits = (p: MlpParams): number[] =>
  Object.values(p).flatMap((t: Tensor) => Array.from(new Uint32Array(Float32Array.from(t.toArray()).buffer)));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fgd-backprop-'));

test('lowers the MLP loss, and each step is θ ← θ − η·grad(θ) (sgd, float32) exactly', () => {
  const p = initMlp(3, SIZES),
    q = initMlp(3, SIZES);
  const lr = 0.05;
  const r = fgd(mlpLoss, [p], { method: 'backprop', lr, decay: 0, iterations: 30, inputs, progress: false });
  expect(r.status).toBe('completed');
  const first = r.losses.slice(0, 3).reduce((a, b) => a + b),
    last = r.losses.slice(-3).reduce((a, b) => a + b);
  expect(last).toBeLessThan(0.7 * first);
  // by hand with grad (float32 update θ − η·g, as sgd does in place)
  for (let t = 1; t <= 30; t++) {
    const [x, lab] = inputs(t);
    const g = grad(mlpLoss, [q, x, lab], { wrt: 0 }).gradient[0] as Record<string, Tensor>;
    for (const k of Object.keys(g)) {
      const a = (q as any)[k].toArray() as Float32Array,
        d = g[k].toArray();
      for (let i = 0; i < a.length; i++) a[i] -= lr * d[i];
      g[k].dispose();
    }
    (x as Tensor).dispose();
  }
  expect(bits(p)).toEqual(bits(q));
});

test('interrupted + resumed backprop run equals the uninterrupted run bit for bit (adam), log and checkpoint say backprop', () => {
  const opts = {
    method: 'backprop' as const,
    lr: 0.01,
    iterations: 12,
    optimizer: 'adam' as const,
    inputs,
    progress: false,
  };
  const full = initMlp(5, SIZES);
  fgd(mlpLoss, [full], opts);
  const ck = path.join(tmp, 'ck.json'),
    log = path.join(tmp, 'log.jsonl');
  const crashed = initMlp(5, SIZES);
  expect(() =>
    fgd(mlpLoss, [crashed], {
      ...opts,
      log,
      checkpoint: { path: ck, every: 4 },
      onStep: (i) => {
        if (i.step === 7) throw new Error('crash');
      },
    }),
  ).toThrow('crash');
  expect(loadCheckpoint(ck)).toMatchObject({ algorithm: 'backprop', step: 4 });
  expect(readJsonLines(log)[0]).toMatchObject({
    type: 'header',
    algorithm: 'backprop',
    directions: 0,
    distribution: 'exact',
    seed: null,
  });
  const resumed = initMlp(9, SIZES); // overwritten by the checkpoint
  const r = fgd(mlpLoss, [resumed], { ...opts, resume: ck });
  expect(r.startStep).toBe(5);
  expect(bits(resumed)).toEqual(bits(full));
  // a forward-gradient run refuses the backprop checkpoint (and the other way round)
  expect(() =>
    fgd(mlpLoss, [initMlp(5, SIZES)], { lr: 0.01, iterations: 12, inputs, progress: false, resume: ck }),
  ).toThrow(/mismatching fields: algorithm \(checkpoint "backprop", this run "fgd"\)/);
});

test('number parameters (Beale): backprop is exact gradient descent', () => {
  const r = fgd(beale, [1, 1], { method: 'backprop', lr: 0.01, decay: 0, iterations: 200, progress: false });
  expect(r.loss).toBeLessThan(beale(1, 1));
  const g = grad(beale, [1, 1]).gradient as number[];
  const one = fgd(beale, [1, 1], { method: 'backprop', lr: 0.01, decay: 0, iterations: 1, progress: false });
  expect(one.params[0]).toBeCloseTo(1 - 0.01 * g[0], 12);
  expect(one.params[1]).toBeCloseTo(1 - 0.01 * g[1], 12);
});

test('a diverging backprop run stops with the guard restoring the last parameters with a finite loss', () => {
  const p = initMlp(3, SIZES);
  const r = fgd(mlpLoss, [p], { method: 'backprop', lr: 1e12, decay: 0, iterations: 50, inputs, progress: false });
  expect(r.status).toBe('diverged');
  expect(r.message).toMatch(/not finite|loss is/);
  for (const t of Object.values(p) as Tensor[]) expect(t.toArray().every(Number.isFinite)).toBe(true);
});

test.each(['fgd', 'backprop'] as const)(
  '%s: the run returns every pooled buffer, and its peak counts its parameter-sized state',
  (method) => {
    const p = initMlp(3, SIZES),
      n = (Object.values(p) as Tensor[]).reduce((s, t) => s + t.size, 0);
    const opts = { lr: 0.01, iterations: 3, inputs, progress: false, ...(method === 'fgd' ? { seed: 1 } : { method }) };
    fgd(mlpLoss, [p], opts); // warm the pool
    const before = memoryInfo().liveBytes;
    resetPeakMemory();
    fgd(mlpLoss, [p], opts);
    expect(memoryInfo().liveBytes).toBe(before);
    // fgd holds v (the tangents), backprop the gradient (the cotangents): each at least the parameters' bytes
    expect(memoryInfo().peakBytes - before).toBeGreaterThanOrEqual(4 * n);
  },
);

/** @forwardGrad */
function partialLoss(p: { w: Tensor; unused: Tensor }, x: Tensor): Tensor {
  return mean(square(matmul(x, p.w)));
}

test('a parameter the loss does not use gets a zero gradient (grad) and is left alone (fgd backprop)', () => {
  const p = { w: tensor([0.5, -1, 2, 0.25, 1, -0.5], [3, 2]), unused: tensor([1, 2, 3], [3]) };
  const x = tensor([1, 2, 3, -1, 0.5, 2], [2, 3]);
  const g = grad(partialLoss, [p, x], { wrt: 0 }).gradient[0] as { w: Tensor; unused: Tensor };
  expect(Array.from(g.unused.toArray())).toEqual([0, 0, 0]);
  const r = fgd(partialLoss, [p], {
    method: 'backprop',
    lr: 0.01,
    iterations: 3,
    inputs: () => [x],
    progress: false,
    optimizer: 'adam',
  });
  expect(r.status).toBe('completed');
  expect(r.losses[2]).toBeLessThan(r.losses[0]);
  expect(Array.from(p.unused.toArray())).toEqual([1, 2, 3]);
});

test('options that do not apply to backprop, and unknown methods, are errors', () => {
  expect(() => fgd(beale, [1, 1], { method: 'backprop', lr: 0.01, iterations: 1, directions: 4 })).toThrow(
    /option 'directions' does not apply to method 'backprop'/,
  );
  expect(() => fgd(beale, [1, 1], { method: 'backprop', lr: 0.01, iterations: 1, seed: 3 })).toThrow(
    /option 'seed' does not apply/,
  );
  expect(() => fgd(beale, [1, 1], { method: 'reverse' as any, lr: 0.01, iterations: 1 })).toThrow(
    /method must be 'fgd' or 'backprop', got "reverse"/,
  );
});
