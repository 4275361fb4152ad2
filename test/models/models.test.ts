// The models of `forwardgrad/models`, compiled through the transformer by jest: for each, at reduced
// sizes, the loss and the twin's JVP along a random direction of every parameter and of the input
// against a float64 reference of the same architecture and its central differences; logits
// consistent with the loss; initializers as documented. Then FGD on logistic regression over a
// small subset of the embedded MNIST lowers the validation loss.
import { lookupJvp } from '../../runtime/registry';
import { Rng } from '../../kernels/rng';
import * as R from '../../kernels/reference/ops';
import { Ref } from '../../kernels/reference/ops';
import { alongRefs, centralDifference } from '../support/fd';
import { Tensor } from '../../runtime/tensor/tensor';
import { softmaxCrossEntropy } from '../../runtime/ops/index';
import { fgd } from '../../runtime/fgd/index';
import { Batches, evaluate, loadMnist } from '../../runtime/index';
import type { Dataset } from '../../runtime/index';
import {
  MODELS,
  Model,
  cnn,
  deepMlp,
  initCnn,
  initDeepMlp,
  initLogreg,
  initMlp,
  logisticRegression,
  mlp,
} from '../../runtime/models/index';
import { expectClose, randomTensor, toRef } from '../tensor/helpers';

const dense = (x: Ref, w: Ref, b?: Ref): Ref => (b ? R.binaryRef('add', R.matmulRef(x, w), b) : R.matmulRef(x, w));
const relu = (x: Ref): Ref => R.unaryRef('relu', x);
const block = (x: Ref, w: Ref, b: Ref): Ref => relu(R.binaryRef('add', R.conv2dRef(x, w, [1, 1], [1, 1]), b));
const pool = (x: Ref): Ref => R.maxPool2dRef(x, [2, 2], [2, 2]);

interface Case {
  model: Model;
  /** Reduced-size parameters; every tensor leaf gets random values so each moves the loss. */
  params: () => Record<string, Tensor | Tensor[]>;
  xShape: number[];
  classes: number;
  /** Float64 reference logits from the flattened leaves (in `leaves` order) and x. */
  ref: (leaves: Ref[], x: Ref) => Ref;
}

/** The tensor leaves of params in a fixed order (object keys, arrays in index order). */
const leavesOf = (p: Record<string, Tensor | Tensor[]>): Tensor[] =>
  Object.values(p).flatMap((v) => (Array.isArray(v) ? v : [v]));
/** The same structure with each tensor leaf replaced by f(leaf). */
const mapLeaves = (p: Record<string, Tensor | Tensor[]>, f: (t: Tensor) => Tensor): Record<string, Tensor | Tensor[]> =>
  Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Array.isArray(v) ? v.map(f) : f(v)]));

const CASES: Case[] = [
  {
    model: logisticRegression,
    params: () => ({ ...initLogreg(1, { inputs: 12, classes: 5 }) }),
    xShape: [4, 12],
    classes: 5,
    ref: ([w, b], x) => dense(x, w, b),
  },
  {
    model: mlp,
    params: () => ({ ...initMlp(2, [12, 9, 7, 5]) }),
    xShape: [3, 12],
    classes: 5,
    ref: ([w1, b1, w2, b2, w3, b3], x) => dense(relu(dense(relu(dense(x, w1, b1)), w2, b2)), w3, b3),
  },
  {
    model: cnn,
    params: () => ({ ...initCnn(3, { inChannels: 1, size: 8, channels: 3, hidden: 6, classes: 4 }) }),
    xShape: [2, 1, 8, 8],
    classes: 4,
    ref: ([c1, cb1, c2, cb2, c3, cb3, c4, cb4, w5, b5, w6, b6], x) => {
      const a4 = pool(block(block(pool(block(block(x, c1, cb1), c2, cb2)), c3, cb3), c4, cb4));
      return dense(relu(dense({ data: a4.data, shape: [x.shape[0], a4.data.length / x.shape[0]] }, w5, b5)), w6, b6);
    },
  },
  ...[1, 4].map((L): Case => ({
    model: deepMlp(L),
    params: () => ({ ...initDeepMlp(L, 4, { inputs: 10, width: 8, classes: 3 }) }),
    xShape: [3, 10],
    classes: 3,
    ref: (ws, x) =>
      dense(
        ws.slice(0, L).reduce((h, w) => relu(dense(h, w)), x),
        ws[L],
      ),
  })),
];

describe.each(CASES.map((c) => [c.model.name, c] as const))('model %s', (_name, c) => {
  const rng = new Rng(c.model.name.length * 97 + c.xShape.length);
  const params = mapLeaves(c.params(), (t) => randomTensor(rng, t.shape));
  const x = randomTensor(rng, c.xShape, c.model.layout === 'image' ? { positive: true } : {});
  const labels = Int32Array.from({ length: c.xShape[0] }, (_, i) => (i * 2 + 1) % c.classes);
  const refLoss = (...xs: Ref[]): Ref =>
    R.softmaxCrossEntropyRef(c.ref(xs.slice(0, -1), xs[xs.length - 1]), Array.from(labels));

  test('declares the contract fields', () => {
    expect(['flat', 'image']).toContain(c.model.layout);
    expect(c.model.paperLr).toBeGreaterThan(0);
    expect(c.model.description.length).toBeGreaterThan(10);
    expect(lookupJvp(c.model.loss)).toBeDefined();
  });

  test('loss and logits match the float64 reference', () => {
    const refs = [...leavesOf(params).map(toRef), toRef(x)];
    const logits = c.model.logits(params, x);
    expect(logits.shape).toEqual([c.xShape[0], c.classes]);
    // float32 forward passes of O(10)-term sums: 1e-4 relative is ~100 ulp of headroom.
    expectClose(logits.toArray(), c.ref(refs.slice(0, -1), refs[refs.length - 1]).data, 1e-4, 1e-5, 'logits');
    const loss = c.model.loss(params, x, labels).item();
    expect(loss).toBeCloseTo(softmaxCrossEntropy(logits, labels).item(), 6);
    expectClose([loss], refLoss(...refs).data, 1e-4, 1e-5, 'loss');
  });

  test("the twin's JVP matches central differences of the reference", () => {
    const v = mapLeaves(params, (t) => randomTensor(rng, t.shape)),
      vx = randomTensor(rng, x.shape);
    const twin = lookupJvp(c.model.loss)!.fn;
    const [loss, dloss] = twin(params, v, x, vx, labels) as [Tensor, Tensor];
    const refs = [...leavesOf(params).map(toRef), toRef(x)];
    expectClose(loss.toArray(), refLoss(...refs).data, 1e-4, 1e-5, 'twin loss');
    // Central differences in float64 with h = 1e-6 are accurate to ~1e-9; the twin runs in float32
    // through up to 7 layers, so 1e-3 relative (1e-4 absolute) bounds its rounding, not the method.
    const fd = centralDifference(alongRefs(refLoss, refs, [...leavesOf(v).map(toRef), toRef(vx)]));
    expect(Math.abs(fd[0])).toBeGreaterThan(1e-3); // a zero directional derivative would test nothing
    expectClose(dloss.toArray(), fd, 1e-3, 1e-4, 'tangent');
  });
});

describe('initializers', () => {
  const std = (t: Tensor): number => {
    const a = t.toArray();
    let s = 0;
    for (const v of a) s += v * v;
    return Math.sqrt(s / a.length);
  };

  test('MLP and CNN at paper sizes: He-normal weights (std √(2/fan_in)), zero biases, seed-deterministic', () => {
    const p = initMlp(5);
    expect(p.w1.shape).toEqual([784, 1024]);
    expect(p.w3.shape).toEqual([1024, 10]);
    // 802,816 samples: the sample std is within 0.3% of σ with overwhelming probability.
    expect(std(p.w1) / Math.sqrt(2 / 784)).toBeCloseTo(1, 2);
    expect(std(p.w2) / Math.sqrt(2 / 1024)).toBeCloseTo(1, 2);
    expect(Array.from(p.b1.toArray()).every((v) => v === 0)).toBe(true);
    expect(Array.from(initMlp(5).w2.toArray().subarray(0, 50))).toEqual(Array.from(p.w2.toArray().subarray(0, 50)));
    expect(initMlp(6).w2.toArray()[0]).not.toBe(p.w2.toArray()[0]);
    const q = initCnn(5);
    expect(q.c1.shape).toEqual([64, 1, 3, 3]);
    expect(q.c2.shape).toEqual([64, 64, 3, 3]);
    expect(q.w5.shape).toEqual([64 * 7 * 7, 1024]);
    expect(q.cb1.shape).toEqual([64, 1, 1]);
    expect(std(q.c2) / Math.sqrt(2 / (64 * 9))).toBeCloseTo(1, 1);
  });

  test('logistic regression starts at zero; deepMlp(L) has L layers plus the readout and validates L', () => {
    const p = logisticRegression.init(1);
    expect(p.w.shape).toEqual([784, 10]);
    expect(Array.from(p.w.toArray()).every((v) => v === 0)).toBe(true);
    const d = deepMlp(3).init(1);
    expect(d.layers.map((w) => w.shape)).toEqual([
      [784, 1024],
      [1024, 1024],
      [1024, 1024],
    ]);
    expect(d.out.shape).toEqual([1024, 10]);
    expect(deepMlp(100).name).toBe('deep-mlp-100');
    expect(() => deepMlp(0)).toThrow(/deepMlp: depth L must be an integer in \[1, 100\], got 0/);
    expect(() => deepMlp(101)).toThrow(/got 101/);
    expect(Object.keys(MODELS)).toEqual(['logreg', 'mlp', 'cnn']);
  });
});

describe('training', () => {
  /** The first n examples of a dataset. */
  const head = (d: Dataset, n: number): Dataset => ({
    ...d,
    images: d.images.subarray(0, n * 784),
    labels: d.labels.subarray(0, n),
    count: n,
  });

  test('fgd on logistic regression lowers the validation loss on a small subset', () => {
    const data = loadMnist();
    const train = head(data.train, 512),
      validation = head(data.validation, 500);
    const model = logisticRegression,
      params = model.init(0);
    const before = evaluate(model, params, validation);
    expect(before.loss).toBeCloseTo(Math.log(10), 6); // zero init: uniform predictions
    const batches = new Batches(train, { seed: 1, layout: model.layout });
    // 30× the paper's 1e-4 so that 300 steps move measurably (a test of the pieces working together,
    // not of the paper's schedule). Measured: loss 2.303 → 1.63, accuracy 0.55; 0.05 diverges.
    fgd(model.loss, [params], {
      iterations: 300,
      lr: 3e-3,
      seed: 3,
      inputs: (step: number) => {
        const b = batches.batch(step);
        return [b.x, b.labels];
      },
      progress: false,
    });
    const after = evaluate(model, params, validation);
    batches.dispose();
    expect(after.loss).toBeLessThan(before.loss - 0.4);
    expect(after.accuracy).toBeGreaterThan(0.4); // chance is 0.1
  });
});
