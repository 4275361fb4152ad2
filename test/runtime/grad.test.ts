// grad (reverse mode over the tape) on annotated models: the fixtures' MLP and CNN against forward
// mode (⟨∇f, v⟩ = jvp(f, v) for random v, through the twin) and against float64 central
// differences of the loss, Beale (number arguments: basis sweeps through the twin), errors, and
// the tape's memory being released.
import { grad } from '../../runtime/grad';
import { Tape, withTape } from '../../runtime/autodiff/tape';
import { jvp } from '../../runtime/jvp';
import { Rng } from '../../kernels/rng';
import { setBackend, getBackend } from '../../kernels/select';
import { memoryInfo, resetPeakMemory } from '../../runtime/tensor/pool';
import { Tensor } from '../../runtime/tensor/tensor';
import { matmul, relu, sum } from '../../runtime/index';
import { MlpParams, initMlp, mlpLoss } from '../../fixtures/mlp';
import { CnnParams, cnnLoss, initCnn } from '../../fixtures/cnn';
import { beale } from '../../runtime/models/testfns';
import {
  cnnLoss as modelCnnLoss,
  deepMlpLoss,
  initCnn as modelInitCnn,
  initDeepMlp,
  initLogreg,
  initMlp as modelInitMlp,
  logregLoss,
  mlpLoss as modelMlpLoss,
} from '../../runtime/models/index';
import { BACKENDS, expectClose, randomTensor, toRef } from '../tensor/helpers';
import { centralDifference } from '../support/fd';
import {
  Ref,
  binaryRef,
  conv2dRef,
  matmulRef,
  maxPool2dRef,
  softmaxCrossEntropyRef,
  unaryRef,
} from '../../kernels/reference/ops';

const rng = new Rng(11);
const leaves = (p: object): Tensor[] => Object.values(p);
/** A random direction mirroring params (same keys and shapes). */
const direction = (p: object, r: Rng): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(p).map(([k, t]) => [k, randomTensor(r, (t as Tensor).shape)]));
const dot = (a: Record<string, Tensor>, b: Record<string, Tensor>): number => {
  let s = 0;
  for (const k of Object.keys(a)) {
    const x = a[k].toArray(),
      y = b[k].toArray();
    for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  }
  return s;
};

const MLP_SIZES: [number, number, number, number] = [12, 16, 8, 5];
const B = 6;
const x = randomTensor(rng, [B, MLP_SIZES[0]]);
const labels = Int32Array.from({ length: B }, (_, i) => (i * 3) % MLP_SIZES[3]);

afterAll(() => {
  setBackend(getBackend().name);
});

describe.each(BACKENDS)('grad on %s', (backend) => {
  beforeAll(() => {
    setBackend(backend);
  });

  test('MLP: ⟨∇f, v⟩ equals the forward-mode directional derivative for random v', () => {
    const p = initMlp(3, MLP_SIZES);
    const { value, gradient } = grad(mlpLoss, [p, x, labels], { wrt: 0 });
    expect(gradient[1]).toBeUndefined();
    const g = gradient[0] as Record<string, Tensor>;
    expect(Object.keys(g)).toEqual(Object.keys(p));
    for (const k of Object.keys(p)) expect(g[k].shape).toEqual((p as any)[k].shape);
    for (let trial = 0; trial < 3; trial++) {
      const v = direction(p, rng);
      const [y, dy] = jvp<Tensor, Tensor>(mlpLoss, [p, x, labels], [v, undefined, undefined]);
      expect(y.item()).toBeCloseTo(value, 5);
      // float32 accumulations over ~500 parameters of magnitude ~1: relative 1e-4 of |⟨g,v⟩|+|g|·|v| scale
      const scale = Math.sqrt(dot(g, g) * dot(v, v));
      expect(Math.abs(dot(g, v) - dy.item())).toBeLessThanOrEqual(2e-5 * scale + 1e-6);
    }
  });

  test('CNN: ⟨∇f, v⟩ equals forward mode, and grad wrt the images too', () => {
    const sizes = { inChannels: 2, size: 8, channels: 3, hidden: 6, classes: 4 };
    const p = initCnn(5, sizes);
    const xs = randomTensor(rng, [2, 2, 8, 8]);
    const lab = Int32Array.from([1, 3]);
    const { value, gradient } = grad(cnnLoss, [p, xs, lab]);
    const g = gradient[0] as Record<string, Tensor>,
      gx = gradient[1] as Tensor;
    expect(gx.shape).toEqual([2, 2, 8, 8]);
    const v = direction(p, rng),
      vx = randomTensor(rng, xs.shape);
    const [y, dy] = jvp<Tensor, Tensor>(cnnLoss, [p, xs, lab], [v, vx, undefined]);
    expect(y.item()).toBeCloseTo(value, 5);
    let gvx = 0;
    const a = gx.toArray(),
      b = vx.toArray();
    for (let i = 0; i < a.length; i++) gvx += a[i] * b[i];
    const scale = Math.sqrt((dot(g, g) + dot({ x: gx }, { x: gx })) * (dot(v, v) + dot({ x: vx }, { x: vx })));
    expect(Math.abs(dot(g, v) + gvx - dy.item())).toBeLessThanOrEqual(2e-5 * scale + 1e-6);
  });
});

test('MLP gradient matches float64 central differences of a float64 reference MLP, every parameter', () => {
  const p = initMlp(4, MLP_SIZES);
  const g = grad(mlpLoss, [p, x, labels], { wrt: 0 }).gradient[0] as Record<string, Tensor>;
  const keys = Object.keys(p) as (keyof MlpParams)[];
  const params = Object.fromEntries(keys.map((k) => [k, toRef(p[k])])) as Record<keyof MlpParams, Ref>;
  const xr = toRef(x);
  const loss = (q: Record<keyof MlpParams, Ref>): number => {
    const h1 = unaryRef('relu', binaryRef('add', matmulRef(xr, q.w1), q.b1));
    const h2 = unaryRef('relu', binaryRef('add', matmulRef(h1, q.w2), q.b2));
    return softmaxCrossEntropyRef(binaryRef('add', matmulRef(h2, q.w3), q.b3), labels).data[0];
  };
  for (const k of keys) {
    const fd = new Float64Array(params[k].data.length);
    for (let i = 0; i < fd.length; i++) {
      fd[i] = centralDifference((t) => {
        const d = Float64Array.from(params[k].data);
        d[i] += t;
        return loss({ ...params, [k]: { data: d, shape: params[k].shape } });
      });
    }
    // float32 forward and backward (sums of ≤ 16 products of O(1) terms) against float64: ~1e-6 relative;
    // the float64 difference quotient with h = 1e-6 is good to ~1e-8.
    expectClose(g[k].toArray(), fd, 1e-4, 1e-5, `∂loss/∂${k}`);
  }
});

test('CNN gradient matches float64 central differences of a float64 reference CNN along random directions', () => {
  const sizes = { inChannels: 2, size: 8, channels: 3, hidden: 6, classes: 4 };
  const p = initCnn(8, sizes);
  // random biases too, so every leaf moves the loss
  const q = Object.fromEntries(
    Object.entries(p).map(([k, t]) => [k, randomTensor(rng, (t as Tensor).shape, {})]),
  ) as unknown as CnnParams;
  const xs = randomTensor(rng, [2, 2, 8, 8]),
    lab = Int32Array.from([2, 1]);
  const g = grad(cnnLoss, [q, xs, lab], { wrt: 0 }).gradient[0] as Record<string, Tensor>;
  const keys = Object.keys(q) as (keyof CnnParams)[];
  const block = (x: Ref, w: Ref, b: Ref) => unaryRef('relu', binaryRef('add', conv2dRef(x, w, [1, 1], [1, 1]), b));
  const xr = toRef(xs);
  const loss = (r: Record<keyof CnnParams, Ref>): number => {
    const a2 = maxPool2dRef(block(block(xr, r.c1, r.cb1), r.c2, r.cb2), [2, 2], [2, 2]);
    const a4 = maxPool2dRef(block(block(a2, r.c3, r.cb3), r.c4, r.cb4), [2, 2], [2, 2]);
    const flat = { data: a4.data, shape: [2, a4.data.length / 2] };
    const h = unaryRef('relu', binaryRef('add', matmulRef(flat, r.w5), r.b5));
    return softmaxCrossEntropyRef(binaryRef('add', matmulRef(h, r.w6), r.b6), lab).data[0];
  };
  const at = Object.fromEntries(keys.map((k) => [k, toRef(q[k])])) as Record<keyof CnnParams, Ref>;
  for (let trial = 0; trial < 3; trial++) {
    const v = direction(q, rng);
    const fd = centralDifference((t) =>
      loss(
        Object.fromEntries(
          keys.map((k) => {
            const d = v[k].toArray();
            return [k, { data: at[k].data.map((e, i) => e + t * d[i]), shape: at[k].shape }];
          }),
        ) as Record<keyof CnnParams, Ref>,
      ),
    );
    let gv = 0,
      scale = 0;
    for (const k of keys) {
      const a = g[k].toArray(),
        b = v[k].toArray();
      for (let i = 0; i < a.length; i++) {
        gv += a[i] * b[i];
        scale += Math.abs(a[i] * b[i]);
      }
    }
    // float32 network against float64: observed ~1e-7 of Σ|gᵢvᵢ|, allowed 1e-5 (float32 sums of a
    // few hundred terms); the float64 quotient with h = 1e-6 is good to ~1e-8 away from relu/max-pool kinks.
    expect(Math.abs(gv - fd)).toBeLessThanOrEqual(1e-5 * scale + 1e-6);
  }
});

test('Beale (number arguments): exact gradient from basis sweeps through the twin', () => {
  const [x0, y0] = [1.2, -0.7];
  const r = grad(beale, [x0, y0]);
  const a = 1.5 - x0 + x0 * y0,
    b = 2.25 - x0 + x0 * y0 ** 2,
    c = 2.625 - x0 + x0 * y0 ** 3;
  const gx = 2 * a * (y0 - 1) + 2 * b * (y0 ** 2 - 1) + 2 * c * (y0 ** 3 - 1);
  const gy = 2 * a * x0 + 2 * b * 2 * x0 * y0 + 2 * c * 3 * x0 * y0 ** 2;
  expect(r.value).toBeCloseTo(beale(x0, y0), 12);
  expect(r.gradient[0]).toBeCloseTo(gx, 10);
  expect(r.gradient[1]).toBeCloseTo(gy, 10);
  expect(grad(beale, [x0, y0], { wrt: 1 }).gradient).toEqual([undefined, expect.closeTo(gy, 10)]);
});

/** @forwardGrad */
function sumRelu(w: Tensor, x: Tensor): Tensor {
  return sum(relu(matmul(x, w)));
}

/** @forwardGrad */
function notScalar(w: Tensor, x: Tensor): Tensor {
  return matmul(x, w);
}

/** @forwardGrad */
function itemLoss(w: Tensor, x: Tensor): number {
  return sum(relu(matmul(x, w))).item();
}

test('errors: non-scalar result, unknown option, nested grad, a number result with Tensor leaves; nothing leaks', () => {
  const w = randomTensor(rng, [3, 2]),
    xs = randomTensor(rng, [4, 3]);
  const live = memoryInfo().liveBytes;
  expect(() => grad(itemLoss, [w, xs])).toThrow(
    /grad\(itemLoss\): the function returned a number, so its Tensor arguments' gradients cannot be traced/,
  );
  expect(memoryInfo().liveBytes).toBe(live);
  expect(() => grad(notScalar, [w, xs])).toThrow(
    /grad\(notScalar\): the function must return a scalar .* it returned Tensor\[4,2\]/,
  );
  expect(() => grad(sumRelu, [w, xs], { wrtt: 0 } as any)).toThrow(/grad: unknown option 'wrtt'/);
  expect(() => grad(sumRelu, [w, xs], { wrt: 2 })).toThrow(/wrt index 2 is out of range/);
  expect(() => withTape(new Tape(), 'outer', () => grad(sumRelu, [w, xs]))).toThrow(
    /grad\(sumRelu\): called while another reverse-mode pass is recording/,
  );
  expect(memoryInfo().liveBytes).toBe(live);
  // the failed call left no tape active: grad works again
  expect(grad(sumRelu, [w, xs], { wrt: 0 }).gradient[0]).toBeInstanceOf(Tensor);
});

test('the tape releases every activation and cotangent: live memory returns to the gradients alone', () => {
  const p = initMlp(6, MLP_SIZES);
  const run = () => grad(mlpLoss, [p, x, labels], { wrt: 0 }).gradient[0] as Record<string, Tensor>;
  for (const t of leaves(run())) t.dispose(); // warm the pool
  const before = memoryInfo().liveBytes;
  resetPeakMemory();
  const g = run();
  const gradBytes = leaves(g).reduce((s, t) => s + 4 * t.size, 0);
  expect(memoryInfo().liveBytes - before).toBe(gradBytes);
  expect(memoryInfo().peakBytes).toBeGreaterThan(before + gradBytes);
  for (const t of leaves(g)) t.dispose();
  expect(memoryInfo().liveBytes).toBe(before);
});

test('CNN: kept kernel state (max-pool argmax, loss softmax) and activations are released too', () => {
  const p = initCnn(7, { inChannels: 1, size: 8, channels: 3, hidden: 6, classes: 4 });
  const xs = randomTensor(rng, [2, 1, 8, 8]),
    lab = Int32Array.from([0, 3]);
  const run = () => grad(cnnLoss, [p, xs, lab], { wrt: 0 }).gradient[0] as Record<string, Tensor>;
  for (const t of leaves(run())) t.dispose();
  const before = memoryInfo().liveBytes;
  const g = run();
  expect(memoryInfo().liveBytes - before).toBe(leaves(g).reduce((s, t) => s + 4 * t.size, 0));
  for (const t of leaves(g)) t.dispose();
  expect(memoryInfo().liveBytes).toBe(before);
});

describe('the models of forwardgrad/models: grad agrees with forward mode on a tiny batch', () => {
  const cases: [string, Function, () => object, number[], number][] = [
    ['logreg', logregLoss, () => initLogreg(1, { inputs: 12, classes: 5 }), [4, 12], 5],
    ['mlp', modelMlpLoss, () => modelInitMlp(2, [12, 9, 7, 5]), [3, 12], 5],
    [
      'cnn',
      modelCnnLoss,
      () => modelInitCnn(3, { inChannels: 1, size: 8, channels: 3, hidden: 6, classes: 4 }),
      [2, 1, 8, 8],
      4,
    ],
    [
      'deep-mlp-3 (layers: Tensor[])',
      deepMlpLoss,
      () => initDeepMlp(3, 4, { inputs: 10, width: 8, classes: 3 }),
      [3, 10],
      3,
    ],
  ];
  test.each(cases)('%s', (_name, loss, init, xShape, classes) => {
    const p = init() as Record<string, Tensor | Tensor[]>;
    // non-zero biases so every leaf moves the loss
    const q = Object.fromEntries(
      Object.entries(p).map(([k, v]) => [
        k,
        Array.isArray(v) ? v.map((t) => randomTensor(rng, t.shape)) : randomTensor(rng, v.shape),
      ]),
    );
    const xs = randomTensor(rng, xShape),
      lab = Int32Array.from({ length: xShape[0] }, (_, i) => (i * 2 + 1) % classes);
    const g = grad(loss, [q, xs, lab], { wrt: 0 }).gradient[0] as Record<string, Tensor | Tensor[]>;
    const flat = (o: Record<string, Tensor | Tensor[]>) =>
      Object.values(o).flatMap((v) => (Array.isArray(v) ? v : [v]));
    const v = Object.fromEntries(
      Object.entries(q).map(([k, t]) => [
        k,
        Array.isArray(t) ? t.map((e) => randomTensor(rng, e.shape)) : randomTensor(rng, t.shape),
      ]),
    );
    const [, dy] = jvp<Tensor, Tensor>(loss, [q, xs, lab], [v, undefined, undefined]);
    const gs = flat(g),
      vs = flat(v);
    let gv = 0,
      scale = 0;
    gs.forEach((t, j) => {
      const a = t.toArray(),
        b = vs[j].toArray();
      for (let i = 0; i < a.length; i++) {
        gv += a[i] * b[i];
        scale += Math.abs(a[i] * b[i]);
      }
    });
    // float32 on both sides; 1e-5 of Σ|gᵢvᵢ| covers the accumulation order difference
    expect(Math.abs(gv - dy.item())).toBeLessThanOrEqual(1e-5 * scale + 1e-6);
  });
});
