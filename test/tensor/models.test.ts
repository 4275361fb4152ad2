// The annotated MLP and CNN fixtures, compiled through the transformer: the emitted twin's JVP
// along a random direction of every parameter (and the input) against central finite differences
// of a float64 reference of the same model, on every backend; and K directions = K single runs.
import * as fs from 'fs';
import * as path from 'path';
import { compile, expectNoDiagnostics, load } from '../support/compile';
import { lookupJvp } from '../../runtime/registry';
import { setBackend } from '../../kernels/select';
import { Rng } from '../../kernels/rng';
import * as R from '../../kernels/reference/ops';
import { Ref } from '../../kernels/reference/ops';
import { alongRefs, centralDifference } from '../support/fd';
import { Tensor } from '../../runtime/tensor/tensor';
import { memoryInfo, tidy } from '../../runtime/tensor/pool';
import { BACKENDS, expectClose, randomTensor, stackDirections, toRef } from './helpers';

/** A fixture's source as a user would write it: importing the runtime as `forwardgrad`. */
function fixtureSource(name: string): string {
  return fs
    .readFileSync(path.resolve(__dirname, '../../fixtures', name), 'utf8')
    .replace(/'\.\.\/runtime\/index'/g, "'forwardgrad'");
}

function compileFixture(name: string): Record<string, any> {
  const result = compile({ [name]: fixtureSource(name) });
  expectNoDiagnostics(result);
  return load(result, name);
}

// Float64 references of the same models.
const dense = (x: Ref, w: Ref, b: Ref): Ref => R.binaryRef('add', R.matmulRef(x, w), b);
const relu = (x: Ref): Ref => R.unaryRef('relu', x);
const mlpRef =
  (labels: number[]) =>
  (w1: Ref, b1: Ref, w2: Ref, b2: Ref, w3: Ref, b3: Ref, x: Ref): Ref =>
    R.softmaxCrossEntropyRef(dense(relu(dense(relu(dense(x, w1, b1)), w2, b2)), w3, b3), labels);
const block = (x: Ref, w: Ref, b: Ref): Ref => relu(R.binaryRef('add', R.conv2dRef(x, w, [1, 1], [1, 1]), b));
const pool = (x: Ref): Ref => R.maxPool2dRef(x, [2, 2], [2, 2]);
const cnnRef =
  (labels: number[]) =>
  (
    c1: Ref,
    cb1: Ref,
    c2: Ref,
    cb2: Ref,
    c3: Ref,
    cb3: Ref,
    c4: Ref,
    cb4: Ref,
    w5: Ref,
    b5: Ref,
    w6: Ref,
    b6: Ref,
    x: Ref,
  ): Ref => {
    const a4 = pool(block(block(pool(block(block(x, c1, cb1), c2, cb2)), c3, cb3), c4, cb4));
    const flat: Ref = { data: a4.data, shape: [x.shape[0], a4.data.length / x.shape[0]] };
    return R.softmaxCrossEntropyRef(dense(relu(dense(flat, w5, b5)), w6, b6), labels);
  };

interface Model {
  file: string;
  fn: string;
  init: string;
  initArgs: unknown[];
  xShape: number[];
  classes: number;
  order: string[];
  ref: (labels: number[]) => (...xs: Ref[]) => Ref;
}
const MODELS: Model[] = [
  {
    file: 'mlp.ts',
    fn: 'mlpLoss',
    init: 'initMlp',
    initArgs: [[12, 9, 7, 5]],
    xShape: [3, 12],
    classes: 5,
    order: ['w1', 'b1', 'w2', 'b2', 'w3', 'b3'],
    ref: mlpRef,
  },
  {
    file: 'cnn.ts',
    fn: 'cnnLoss',
    init: 'initCnn',
    initArgs: [{ inChannels: 2, size: 8, channels: 3, hidden: 6, classes: 4 }],
    xShape: [2, 2, 8, 8],
    classes: 4,
    order: ['c1', 'cb1', 'c2', 'cb2', 'c3', 'cb3', 'c4', 'cb4', 'w5', 'b5', 'w6', 'b6'],
    ref: cnnRef,
  },
];

describe.each(MODELS.map((m) => [m.file, m] as const))('fixture %s through the transformer', (_file, m) => {
  const mod = compileFixture(m.file);
  const rng = new Rng(m.file.length * 31 + 7);
  // Biases are random too (not zero) so that every parameter moves the loss.
  const params: Record<string, Tensor> = Object.fromEntries(
    Object.entries(mod[m.init](7, ...m.initArgs) as Record<string, Tensor>).map(([k, v]) => [
      k,
      k.startsWith('b') || k.startsWith('cb') ? randomTensor(rng, v.shape) : v,
    ]),
  );
  const x = randomTensor(rng, m.xShape);
  const labels = Array.from({ length: m.xShape[0] }, (_, i) => (i * 3 + 1) % m.classes);
  const direction = (): Record<string, Tensor> =>
    Object.fromEntries(m.order.map((k) => [k, randomTensor(rng, params[k].shape)]));

  test('the twin is registered', () => {
    expect(lookupJvp(mod[m.fn])).toBeDefined();
  });

  test('steady state: repeated JVP steps inside tidy allocate no new buffers', () => {
    const twin = lookupJvp(mod[m.fn])!.fn,
      v = direction(),
      lab = Int32Array.from(labels);
    const step = (): number => tidy(() => (twin(params, v, x, undefined, lab)[1] as Tensor).item());
    const first = step();
    const before = memoryInfo().allocations;
    expect(step()).toBe(first);
    expect(step()).toBe(first);
    expect(memoryInfo().allocations).toBe(before);
  });

  describe.each(BACKENDS)('backend %s', (backendName) => {
    beforeAll(() => {
      setBackend(backendName);
    });
    afterAll(() => {
      setBackend('js');
    });

    test('loss and JVP match the float64 reference and its central differences', () => {
      const twin = lookupJvp(mod[m.fn])!.fn;
      const v = direction(),
        vx = randomTensor(rng, x.shape);
      const [loss, dloss] = twin(params, v, x, vx, Int32Array.from(labels)) as [Tensor, Tensor];
      const f = m.ref(labels);
      const refs = [...m.order.map((k) => toRef(params[k])), toRef(x)];
      expectClose(loss.toArray(), f(...refs).data, 1e-4, 1e-5, 'loss');
      expect(mod[m.fn](params, x, Int32Array.from(labels)).item()).toBeCloseTo(loss.item(), 5);
      const fd = centralDifference(alongRefs(f, refs, [...m.order.map((k) => toRef(v[k])), toRef(vx)]));
      expectClose(dloss.toArray(), fd, 1e-3, 1e-4, 'tangent');
    });

    test('K=3 directions in one run equal 3 single-direction runs', () => {
      const twin = lookupJvp(mod[m.fn])!.fn;
      const dirs = [direction(), direction(), direction()];
      const stacked = Object.fromEntries(m.order.map((k) => [k, stackDirections(dirs.map((d) => d[k]))]));
      const [, dK] = twin(params, stacked, x, undefined, Int32Array.from(labels)) as [Tensor, Tensor];
      expect(dK.shape).toEqual([3]);
      dirs.forEach((d, k) => {
        const [, d1] = twin(params, d, x, undefined, Int32Array.from(labels)) as [Tensor, Tensor];
        expectClose([dK.toArray()[k]], d1.toArray(), 1e-5, 1e-6, `direction ${k}`);
      });
    });
  });
});
