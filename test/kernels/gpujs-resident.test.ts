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

describe('training on the resident double', () => {
  const train = (backend: string, regenerate: boolean) => {
    setBackend(backend);
    const x = keep(
      tensor(
        Float32Array.from({ length: 32 * 64 }, (_, i) => Math.sin(i)),
        [32, 64],
      ),
    );
    const labels = Int32Array.from({ length: 32 }, (_, i) => i % 10);
    const params = initMlp(1, [64, 32, 32, 10]);
    let downloads = NaN;
    const r = fgd(mlpLoss, [params], {
      lr: 0.005,
      decay: 0,
      iterations: 6,
      seed: 3,
      progress: false,
      regenerate,
      inputs: () => [x, labels],
      onStep: ({ step }) => {
        if (step === 1) downloads = residencyInfo().downloads;
        if (step === 6) downloads = residencyInfo().downloads - downloads;
      },
    });
    const w1 = (params.w1 as Tensor).toArray().slice(); // read back: the host copy is current
    x.dispose();
    return { losses: r.losses, downloads, w1 };
  };

  it.each([false, true])('follows gpujs-cpu (regenerate %s) and reads nothing back between steps', (regenerate) => {
    const want = train('gpujs-cpu', regenerate);
    const got = train('gpujs-cpu-resident', regenerate);
    // same kernels (cpu mode, float64 JS arithmetic stored to float32); the update differs from the
    // js one only in float32 rounding of each term, so losses agree to 1e-6 relative over 6 steps
    for (let i = 0; i < 6; i++) expect(Math.abs(got.losses[i] - want.losses[i])).toBeLessThan(1e-6 * want.losses[i]);
    for (let i = 0; i < want.w1.length; i++) expect(Math.abs(got.w1[i] - want.w1[i])).toBeLessThan(1e-6);
    expect(got.downloads).toBe(0);
    setBackend('js');
  });
});

describe('a CNN on the resident double', () => {
  it('follows gpujs-cpu and reads nothing back between steps (conv columns and max pooling stay resident)', () => {
    const sizes = { inChannels: 1, size: 8, channels: 4, hidden: 16, classes: 10 };
    const x = Float32Array.from({ length: 8 * 64 }, (_, i) => Math.sin(i * 0.7));
    const labels = Int32Array.from({ length: 8 }, (_, i) => i % 10);
    const run = (backend: string) => {
      setBackend(backend);
      const xs = keep(tensor(x, [8, 1, 8, 8]));
      const params = initCnn(2, sizes);
      let downloads = NaN;
      const r = fgd(cnnLoss, [params], {
        lr: 0.01,
        decay: 0,
        iterations: 4,
        seed: 5,
        progress: false,
        inputs: () => [xs, labels],
        onStep: ({ step }) => {
          if (step === 1) downloads = residencyInfo().downloads;
          if (step === 4) downloads = residencyInfo().downloads - downloads;
        },
      });
      xs.dispose();
      return { losses: r.losses, downloads };
    };
    const want = run('gpujs-cpu'),
      got = run('gpujs-cpu-resident');
    for (let i = 0; i < 4; i++) expect(Math.abs(got.losses[i] - want.losses[i])).toBeLessThan(1e-6 * want.losses[i]);
    expect(got.downloads).toBe(0);
    setBackend('js');
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
