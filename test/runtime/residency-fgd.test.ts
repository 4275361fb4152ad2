// Device residency end to end (kernels/residency.ts): fgd, jvp, forwardGradient, grad and
// checkpoints on the simulated device backend (test/support/sim-device.ts: every kernel output lives
// "on the device" and its host copy is NaN) give the js backend's results bit for bit. Any host read
// or write that skips the sync would see or leave NaN, or be undone by a stale device copy.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fgd } from '../../runtime/fgd';
import type { FgdOptions } from '../../runtime/fgd';
import { forwardGradient, grad, jvp } from '../../runtime/index';
import { registerJvp } from '../../runtime/registry';
import { DirectionStorage } from '../../runtime/tensor/direction-storage';
import { tensor } from '../../runtime/tensor/create';
import { Tensor } from '../../runtime/tensor/tensor';
import { getBackend, setBackend } from '../../kernels/select';
import { residencyInfo } from '../../kernels/residency';
import { initMlp, mlpLoss } from '../../fixtures/mlp';
import { cnnLoss, initCnn } from '../../runtime/models/cnn';
import { SIM_DEVICE, registerSimDevice } from '../support/sim-device';

registerSimDevice();
const initial = getBackend().name;
afterAll(() => {
  setBackend(initial);
});

const SIZES: [number, number, number, number] = [12, 16, 8, 5];
const B = 6;
const data = Float32Array.from({ length: 3 * B * SIZES[0] }, (_, i) => Math.sin(0.37 * i) * 1.5);
const labels = Array.from({ length: 3 }, (_, s) => Int32Array.from({ length: B }, (_, i) => (i + 2 * s) % SIZES[3]));
const batch = (t: number) => tensor(data.subarray((t % 3) * B * SIZES[0], ((t % 3) + 1) * B * SIZES[0]), [B, SIZES[0]]);
const inputs = (t: number) => [batch(t), labels[t % 3]];

/** The bits of every float (so −0 ≠ +0 and NaN payloads count). */
const bits = (xs: readonly (Float32Array | number)[]): number[] =>
  xs.flatMap((x) =>
    typeof x === 'number'
      ? Array.from(new Uint32Array(Float64Array.of(x).buffer))
      : Array.from(new Uint32Array(Float32Array.from(x).buffer)),
  );
const tensorsOf = (p: object): Float32Array[] => Object.values(p).map((t: Tensor) => t.toArray());

/** fn's result on the js backend and on the simulated device. */
function onBoth<T>(fn: () => T): { js: T; device: T } {
  setBackend('js');
  const js = fn();
  setBackend(SIM_DEVICE);
  try {
    return { js, device: fn() };
  } finally {
    setBackend('js');
  }
}

describe('fgd on a device backend = fgd on js, bit for bit', () => {
  const mlpRun = (options: Partial<FgdOptions>) => () => {
    const p = initMlp(7, SIZES);
    const r = fgd(mlpLoss, [p], { lr: 0.05, iterations: 3, seed: 13, inputs, progress: false, ...options });
    expect(r.status).toBe('completed');
    return bits([...r.losses, ...tensorsOf(p)]);
  };
  const combos: [string, Partial<FgdOptions>][] = [];
  for (const optimizer of ['sgd', 'momentum', 'adam'] as const)
    for (const regenerate of [false, true])
      for (const directions of [1, 3])
        combos.push([
          `${optimizer}, regenerate ${regenerate}, K=${directions}`,
          { optimizer, regenerate, directions, distribution: 'rademacher' },
        ]);
  combos.push(['K=2 one run per direction (vectorized off), normal', { directions: 2, vectorized: false }]);
  combos.push(['normal directions, regenerate on', { distribution: 'normal', regenerate: true }]);

  test.each(combos)('MLP: %s', (_n, options) => {
    const { js, device } = onBoth(mlpRun(options));
    expect(device).toEqual(js);
  });

  test.each([
    ['adam, regenerate on, K=1', { optimizer: 'adam' as const, regenerate: true }],
    ['momentum, regenerate off, K=2', { optimizer: 'momentum' as const, regenerate: false, directions: 2 }],
  ])('CNN (conv, bias over channels, maxPool, reshape): %s', (_n, options) => {
    const sizes = { inChannels: 1, size: 8, channels: 3, hidden: 6, classes: 4 };
    const x = Array.from({ length: 2 * 64 }, (_, i) => Math.cos(0.3 * i));
    const y = Int32Array.from([1, 3]);
    const { js, device } = onBoth(() => {
      const p = initCnn(3, sizes);
      const r = fgd(cnnLoss, [p], {
        lr: 0.05,
        iterations: 3,
        seed: 8,
        inputs: () => [tensor(x, [2, 1, 8, 8]), y],
        progress: false,
        ...options,
      });
      expect(r.status).toBe('completed');
      return bits([...r.losses, ...tensorsOf(p)]);
    });
    expect(device).toEqual(js);
  });

  test('backprop (method backprop: grad through the tape, update from the cotangents)', () => {
    const run = () => {
      const p = initMlp(7, SIZES);
      const r = fgd(mlpLoss, [p], {
        lr: 0.05,
        iterations: 3,
        inputs,
        progress: false,
        method: 'backprop',
        optimizer: 'adam',
      });
      return bits([...r.losses, ...tensorsOf(p)]);
    };
    const { js, device } = onBoth(run);
    expect(device).toEqual(js);
  });

  test('a checkpoint written on the device equals the js one; resuming it on the device continues the js run', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-residency-'));
    try {
      const opts = (ck: Partial<FgdOptions>, iterations: number): FgdOptions => ({
        lr: 0.05,
        iterations,
        seed: 13,
        inputs,
        progress: false,
        optimizer: 'adam',
        regenerate: true,
        ...ck,
      });
      // the checkpoint's content without its time stamp (and the checksum, which covers the time stamp)
      const content = (file: string) => {
        const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
        delete doc.createdAt;
        delete doc.checksum;
        return doc;
      };
      const ck = (name: string) => path.join(dir, `${name}.json`);
      const { js, device } = onBoth(() => {
        const name = getBackend().name;
        const p = initMlp(7, SIZES);
        fgd(mlpLoss, [p], opts({ checkpoint: { path: ck(name), every: 2 } }, 4));
        const saved = content(ck(name));
        // resume from the step-4 checkpoint for two more steps
        const q = initMlp(7, SIZES);
        const r = fgd(mlpLoss, [q], opts({ resume: ck(name) }, 6));
        expect(r.startStep).toBe(5);
        return { saved, resumed: bits([...r.losses, ...tensorsOf(q)]) };
      });
      expect(device.saved).toEqual(js.saved);
      expect(device.saved.optimizer.slots.m.length).toBe(6);
      expect(device.resumed).toEqual(js.resumed);
      // and the uninterrupted js run
      setBackend('js');
      const p = initMlp(7, SIZES);
      const r = fgd(mlpLoss, [p], opts({}, 6));
      expect(device.resumed).toEqual(bits([...r.losses.slice(4), ...tensorsOf(p)]));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fgd on a device backend: what the host touches besides tensors', () => {
  test('a diverging run with checkpoints restores the guard’s snapshot and slots, as on js', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-residency-'));
    try {
      const { js, device } = onBoth(() => {
        const file = path.join(dir, `${getBackend().name}.json`);
        const p = initMlp(7, SIZES);
        // lr 100: the loss is NaN at step 4, after the slots went to the device (step 1)
        const r = fgd(mlpLoss, [p], {
          lr: 100,
          decay: 0,
          iterations: 20,
          seed: 13,
          inputs,
          progress: false,
          optimizer: 'momentum',
          checkpoint: { path: file, every: 50 },
        });
        expect(r.status).toBe('diverged');
        const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
        delete doc.createdAt;
        delete doc.checksum;
        expect(r.step).toBe(3);
        return { step: r.step, message: r.message, doc, params: bits(tensorsOf(p)) };
      });
      expect(js.message).toMatch(/restored/);
      expect(device).toEqual(js);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a Float32Array parameter (not a Tensor) is current on the host after each update', () => {
    // f(w) = Σ (w_i − i)² / 2 computed on the host from w itself: the update kernel leaves w on the
    // device, and the leaf's commit must bring it back before the next run reads it.
    function dist(w: Float32Array): number {
      let s = 0;
      for (let i = 0; i < w.length; i++) s += (w[i] - i) ** 2 / 2;
      return s;
    }
    registerJvp(
      dist,
      function dist_jvp(w: Float32Array, dw: Float32Array): [number, number] {
        let d = 0;
        for (let i = 0; i < w.length; i++) d += (w[i] - i) * dw[i];
        return [dist(w), d];
      },
      { name: 'dist', tangentSlots: [true] },
    );
    const { js, device } = onBoth(() => {
      const w = Float32Array.from({ length: 9 }, (_, i) => Math.cos(i));
      const r = fgd(dist, [w], { lr: 0.1, iterations: 4, seed: 3, progress: false, optimizer: 'adam' });
      expect(r.status).toBe('completed');
      return bits([...r.losses, w]);
    });
    expect(device).toEqual(js);
  });
});

describe('jvp, forwardGradient and grad on a device backend = on js, bit for bit', () => {
  test('jvp of the MLP loss (K=1 and vector mode K=3)', () => {
    const { js, device } = onBoth(() => {
      const p = initMlp(7, SIZES);
      const dp1 = initMlp(8, SIZES),
        [y1, dy1] = jvp(mlpLoss, [p, batch(0), labels[0]], [dp1, undefined, undefined]);
      const dpK = Object.fromEntries(
        Object.entries(initMlp(9, SIZES)).map(([k, t]) => [
          k,
          tensor(
            Array.from({ length: 3 * t.size }, (_, i) => Math.sin(0.1 * i + k.length)),
            [3, ...t.shape],
          ),
        ]),
      );
      const [y3, dy3] = jvp(mlpLoss, [p, batch(1), labels[1]], [dpK, undefined, undefined]);
      return bits([y1.toArray(), dy1.toArray(), y3.toArray(), dy3.toArray()]);
    });
    expect(device).toEqual(js);
  });

  test('forwardGradient (K=2, normal) and grad of the MLP loss', () => {
    const { js, device } = onBoth(() => {
      const p = initMlp(7, SIZES);
      const fg = forwardGradient(mlpLoss, [p, batch(0), labels[0]], { seed: 5, directions: 2, wrt: [0] });
      const g = grad(mlpLoss, [p, batch(1), labels[1]], { wrt: [0] });
      const value = (v: unknown) => (typeof v === 'number' ? v : (v as Tensor).toArray());
      return bits([
        value(fg.value),
        ...fg.directional,
        ...tensorsOf(fg.gradient[0] as object),
        g.value,
        ...tensorsOf(g.gradient[0] as object),
      ]);
    });
    expect(device).toEqual(js);
  });
});

describe('what one fgd step reads back from the device', () => {
  // Per step: the directional derivative(s), K floats, in ONE read (the loss tensor's tangent). The
  // loss itself is softmaxCrossEntropy's return value (a device kernel reads it back itself), and
  // parameters, activations, tangents, optimizer state and the guard's snapshot stay on the device.
  test.each([
    ['sgd, regenerate off, K=1', { optimizer: 'sgd', regenerate: false }, 1],
    ['adam, regenerate on (directions made on the device), K=1', { optimizer: 'adam', regenerate: true }, 1],
    ['momentum, regenerate on, vector mode K=4', { optimizer: 'momentum', regenerate: true, directions: 4 }, 4],
  ] as [string, Partial<FgdOptions>, number][])('%s', (_n, options, K) => {
    setBackend(SIM_DEVICE);
    try {
      const perStep: { downloads: number; downloadedBytes: number; hostFills: number }[] = [];
      // lazy directions are made on the device (fillDirection), never generated on the host and uploaded
      const fill = jest.spyOn(DirectionStorage.prototype, 'fill');
      let before = residencyInfo();
      const p = initMlp(7, SIZES);
      const r = fgd(mlpLoss, [p], {
        lr: 0.05,
        iterations: 4,
        seed: 13,
        inputs,
        progress: false,
        distribution: 'rademacher',
        ...options,
        onStep: () => {
          const now = residencyInfo();
          perStep.push({
            downloads: now.downloads - before.downloads,
            downloadedBytes: now.downloadedBytes - before.downloadedBytes,
            hostFills: fill.mock.calls.length,
          });
          fill.mockClear();
          before = now;
        },
      });
      expect(r.status).toBe('completed');
      // step 1 is the warm-up (its parameters start on the host); every later step reads back K floats
      // K > 1 forms g = Σ_k (d_k/K)·v_k on the host (float64 accumulation: a float32 device kernel would
      // change the bits), regenerating lazy directions there and uploading g: still no read-back.
      const hostFills = K === 1 ? 0 : expect.any(Number);
      for (const s of perStep.slice(1)) expect(s).toEqual({ downloads: 1, downloadedBytes: 4 * K, hostFills });
      expect(perStep.length).toBe(4);
      expect(Number.isFinite(r.loss)).toBe(true);
    } finally {
      jest.restoreAllMocks();
      setBackend('js');
    }
  });
});
