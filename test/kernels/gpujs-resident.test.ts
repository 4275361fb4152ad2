// gpujs-gpu's residency (kernels/gpujs/device.ts, flat.ts, update.ts) on gpu.js's cpu mode with the
// array double of its device memory: every resident kernel against the float64 references, with
// host operands and with device operands read from offsets inside their device copies (the same
// checks the browser suite runs on WebGL2), and the resident update against the js one.
import { createCpuResidentBackend } from '../../kernels/gpujs/index';
import { registerBackend, loadBackend, setBackend } from '../../kernels/select';
import { fgd, keep, tensor, type Tensor } from '../../runtime/index';
import { initMlp, mlpLoss } from '../../runtime/models/mlp';
import { cnnLoss, initCnn } from '../../runtime/models/cnn';
import { residencyInfo, isResident, syncHost } from '../../kernels/residency';
import { checkKernels } from '../browser/page/kernel-checks';

registerBackend({ name: 'gpujs-cpu-resident', load: () => createCpuResidentBackend() });

describe('gpujs resident kernels (cpu-mode double)', () => {
  it.each([false, true])('pass the kernel checks (device operands: %s)', (deviceOperands) => {
    const b = loadBackend('gpujs-cpu-resident');
    const results = checkKernels(b, { deviceOperands });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.length).toBeGreaterThan(100);
  });

  it('leaves a fused output on the device until the host reads it', () => {
    const b = loadBackend('gpujs-cpu-resident');
    const x = new Float32Array([1, -2, 3]),
      dx = new Float32Array([1, 1, 1]);
    const y = new Float32Array(6);
    const before = residencyInfo().downloads;
    b.unary({ op: 'relu', n: 3, x, xOffset: 0, y, yOffset: 0, dx, dxOffset: 0, dy: y, dyOffset: 3 });
    expect(isResident(y)).toBe(true);
    expect(Array.from(y)).toEqual([0, 0, 0, 0, 0, 0]); // host copy untouched (stale)
    syncHost(y);
    expect(Array.from(y)).toEqual([1, 0, 3, 1, 0, 1]);
    expect(residencyInfo().downloads).toBe(before + 1);
  });
});

/**
 * `steps` fgd steps of `loss` on `backend`, from fresh parameters; with the device read-backs
 * counted from the end of step 1 (first-use uploads) to the end of the last.
 */
function train<P>(
  backend: string,
  loss: Function,
  init: () => P,
  inputs: () => unknown[],
  options: { steps: number; lr: number; seed: number; regenerate?: boolean },
): { losses: number[]; downloads: number; params: P } {
  setBackend(backend);
  const params = init();
  let downloads = NaN;
  const r = fgd(loss, [params], {
    lr: options.lr,
    decay: 0,
    iterations: options.steps,
    seed: options.seed,
    progress: false,
    regenerate: options.regenerate,
    inputs,
    onStep: ({ step }) => {
      if (step === 1) downloads = residencyInfo().downloads;
      if (step === options.steps) downloads = residencyInfo().downloads - downloads;
    },
  });
  return { losses: r.losses, downloads, params };
}

/** Same losses to 1e-6 relative: the same cpu-mode kernels; the update differs only in float32 rounding of each term. */
function expectSameLosses(got: number[], want: number[]): void {
  expect(got).toHaveLength(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-6 * want[i]);
}

describe('training on the resident double', () => {
  afterEach(() => setBackend('js'));

  it.each([false, true])(
    'an MLP follows gpujs-cpu (regenerate %s) and reads nothing back between steps',
    (regenerate) => {
      const x = keep(
        tensor(
          Float32Array.from({ length: 32 * 64 }, (_, i) => Math.sin(i)),
          [32, 64],
        ),
      );
      const labels = Int32Array.from({ length: 32 }, (_, i) => i % 10);
      const run = (backend: string) =>
        train(
          backend,
          mlpLoss,
          () => initMlp(1, [64, 32, 32, 10]),
          () => [x, labels],
          {
            steps: 6,
            lr: 0.005,
            seed: 3,
            regenerate,
          },
        );
      const want = run('gpujs-cpu'),
        got = run('gpujs-cpu-resident');
      x.dispose();
      expectSameLosses(got.losses, want.losses);
      const w1 = (p: { w1: unknown }) => (p.w1 as Tensor).toArray(); // read back: the host copy is current
      const gw = w1(got.params),
        ww = w1(want.params);
      for (let i = 0; i < ww.length; i++) expect(Math.abs(gw[i] - ww[i])).toBeLessThan(1e-6);
      expect(got.downloads).toBe(0);
    },
  );

  it('a CNN follows gpujs-cpu and reads nothing back between steps (conv columns and max pooling stay resident)', () => {
    const x = keep(
      tensor(
        Float32Array.from({ length: 8 * 64 }, (_, i) => Math.sin(i * 0.7)),
        [8, 1, 8, 8],
      ),
    );
    const labels = Int32Array.from({ length: 8 }, (_, i) => i % 10);
    const sizes = { inChannels: 1, size: 8, channels: 4, hidden: 16, classes: 10 };
    const run = (backend: string) =>
      train(
        backend,
        cnnLoss,
        () => initCnn(2, sizes),
        () => [x, labels],
        { steps: 4, lr: 0.01, seed: 5 },
      );
    const want = run('gpujs-cpu'),
      got = run('gpujs-cpu-resident');
    x.dispose();
    expectSameLosses(got.losses, want.losses);
    expect(got.downloads).toBe(0);
  });
});

describe('the kernel cache on a device', () => {
  it('never evicts a pipeline kernel (gpu.js would delete textures segments still hold)', () => {
    const b = createCpuResidentBackend();
    b.cache.maxKernels = 2;
    const ys = [3, 5, 7, 9].map((n) => {
      const y = new Float32Array(n);
      b.unary({ op: 'neg', n, x: Float32Array.from({ length: n }, (_, i) => i), xOffset: 0, y, yOffset: 0 });
      return y;
    });
    expect(b.cache.size).toBe(4); // four shapes, four resident kernels, none destroyed
    // a host-output kernel (the loss) is evictable as before: the cache stays at the pipelined ones + 1 at most
    for (const rows of [1, 2, 3])
      b.softmaxCrossEntropy({
        logits: new Float32Array(rows * 2),
        logitsOffset: 0,
        rows,
        cols: 2,
        labels: new Int32Array(rows),
      });
    expect(b.cache.size).toBe(5);
    for (const y of ys) syncHost(y);
    expect(Array.from(ys[3])).toEqual([-0, -1, -2, -3, -4, -5, -6, -7, -8]);
    b.destroy();
  });
});

describe('destroying a device backend', () => {
  it('makes reading a tensor that lived on it an error naming why, never stale numbers', () => {
    const b = createCpuResidentBackend();
    const y = new Float32Array(3);
    b.unary({ op: 'neg', n: 3, x: new Float32Array([1, 2, 3]), xOffset: 0, y, yOffset: 0 });
    b.destroy();
    expect(() => syncHost(y)).toThrow(/gpujs-cpu-resident: the backend was destroyed while a tensor still lived on it/);
  });
});
