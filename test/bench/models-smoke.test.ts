// Smoke mode of the side-by-side harness (bench/models.ts), no timing: on tiny versions of every
// model, every variant computes the same loss from the same parameters and batch — ours (base
// forward, fgd step, forwardGradient, backprop once it exists), tfjs-wasm stock and fixed (forward
// and the loss its backprop step reports), jax-js (jit forward, jit(grad), jit(jvp)). A port that
// permuted a filter or a flatten order wrongly would miss by far more than the tolerance.
// TOLERANCE: relative 2e-6. All are float32 evaluations of the same sums in different orders
// (GEMM blocking, XNNPACK, jax-js kernels): with ≤ 200-term dot products of O(1) values the
// difference is a few ulps of the loss (ulp(2.3) ≈ 2.4e-7, so ≤ 8 ulps); a layout error is O(1e-2).
import { fgd } from '../../runtime/fgd';
import { forwardGradient } from '../../runtime/forward-gradient';
import { tidy } from '../../runtime/tensor/pool';
import type { Tensor } from '../../runtime/tensor/tensor';
import {
  cnn,
  deepMlp,
  initCnn,
  initDeepMlp,
  initLogreg,
  initMlp,
  logisticRegression,
  mlp,
} from '../../runtime/models/index';
import { hostBatch, hostParams, ourInput, type BenchModel } from '../../bench/models/host';
import { loadTfjs, tfjsVariant } from '../../bench/models/tfjs';
import { jaxVariant, loadJax } from '../../bench/models/jaxjs';

const REL = 2e-6;
const MODELS: BenchModel[] = [
  {
    name: 'logreg',
    family: 'logreg',
    depth: 1,
    model: logisticRegression,
    init: (s) => {
      const p = initLogreg(s, { inputs: 12, classes: 5 });
      p.w.toArray().forEach((_, i, a) => {
        a[i] = Math.sin(i);
      });
      return p;
    },
    example: [12],
    classes: 5,
  },
  {
    name: 'mlp',
    family: 'mlp',
    depth: 1,
    model: mlp,
    init: (s) => initMlp(s, [12, 9, 7, 5]),
    example: [12],
    classes: 5,
  },
  {
    name: 'cnn',
    family: 'cnn',
    depth: 1,
    model: cnn,
    init: (s) => initCnn(s, { inChannels: 2, size: 8, channels: 3, hidden: 6, classes: 5 }),
    example: [2, 8, 8],
    classes: 5,
  },
  {
    name: 'deep-mlp-3',
    family: 'deep',
    depth: 3,
    model: deepMlp(3),
    init: (s) => initDeepMlp(3, s, { inputs: 12, width: 8, classes: 5 }),
    example: [12],
    classes: 5,
  },
];

const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(REL * Math.abs(b));

describe.each(MODELS)('harness variants agree on the loss: $name', (bm) => {
  let tf: any, jax: any;
  beforeAll(async () => {
    [tf, jax] = await Promise.all([loadTfjs(), loadJax()]);
  });

  test('ours, tfjs-wasm stock and fixed, jax-js: same loss on the same parameters and batch', () => {
    const params = bm.init(5),
      ps = hostParams(params),
      batch = hostBatch(bm, 4, 6),
      x = ourInput(batch);
    const ours = tidy(() => (bm.model.loss(params, x, batch.labels) as Tensor).item());
    expect(Number.isFinite(ours)).toBe(true);
    // The loss must depend on the parameters for the check to mean anything (logreg starts at zero).
    expect(Math.abs(ours - Math.log(batch.classes))).toBeGreaterThan(1e-3);

    // ours: forwardGradient's value and fgd's first reported loss are the loss at the same point
    close(
      (forwardGradient(bm.model.loss, [params, x, batch.labels], { wrt: 0, seed: 1 }).value as Tensor).item(),
      ours,
    );
    const fresh = bm.init(5); // losses[0] is the loss before the first update
    const run = fgd(bm.model.loss, [fresh], {
      lr: 1e-30,
      iterations: 1,
      seed: 1,
      inputs: () => [x, batch.labels],
      progress: false,
      guard: false,
    });
    close(run.losses[0], ours);
    const bp = fgd(bm.model.loss, [bm.init(5)], {
      lr: 1e-30,
      iterations: 1,
      inputs: () => [x, batch.labels],
      progress: false,
      guard: false,
      method: 'backprop',
    });
    close(bp.losses[0], ours);

    for (const fixed of [false, true]) {
      const v = tfjsVariant(tf, bm, ps, batch, fixed, 0);
      close(v.forward(), ours);
      // stock tfjs-wasm has no Conv2DBackpropFilter kernel: the harness reports that step as unsupported
      if (bm.family === 'cnn' && !fixed) expect(() => v.step()).toThrow(/Conv2DBackpropFilter/);
      else close(v.step(), ours);
      v.dispose();
    }

    // each jax-js step reports the loss before its update, so each runs on a fresh variant
    for (const which of ['forward', 'step', 'jvpStep'] as const) {
      const j = jaxVariant(jax, bm, ps, batch, 0.5, 3);
      close(j[which](), ours);
      j.dispose();
    }
  });
});

// Our backprop step and the fixed tfjs layers' hand-written gradients (dense with explicit transposes, the conv
// filter gradient by im2col): one SGD step must land where jax-js's jit(grad) step lands.
// TOLERANCE: relative 2e-5 on the loss after a step of η = 0.5: both gradients are float32 sums
// in different orders (≈ 1e-6 relative each), amplified by the step; a wrong transpose or filter
// layout changes the loss after the step by ≥ 1e-2 at this η.
describe.each(MODELS)('backprop steps agree (ours, tfjs, jax-js): $name', (bm) => {
  test('loss after one SGD step, ours (backprop), tfjs-wasm fixed (and stock where it runs) against jax-js jit(grad)', async () => {
    const [tf, jax] = await Promise.all([loadTfjs(), loadJax()]);
    const params = bm.init(5),
      ps = hostParams(params),
      batch = hostBatch(bm, 4, 6),
      lr = 0.5;
    const j = jaxVariant(jax, bm, ps, batch, lr, 3);
    const before = j.step(),
      ref = j.forward();
    j.dispose();
    expect(before - ref).toBeGreaterThan(1e-3); // the step moved: the comparison below is about the gradient
    const mine = bm.init(5),
      x = ourInput(batch);
    fgd(bm.model.loss, [mine], {
      lr,
      decay: 0,
      iterations: 1,
      inputs: () => [x, batch.labels],
      progress: false,
      guard: false,
      method: 'backprop',
    });
    const oursAfter = tidy(() => (bm.model.loss(mine, x, batch.labels) as Tensor).item());
    expect(Math.abs(oursAfter - ref)).toBeLessThanOrEqual(2e-5 * Math.abs(ref));
    for (const fixed of bm.family === 'cnn' ? [true] : [false, true]) {
      const v = tfjsVariant(tf, bm, ps, batch, fixed, lr);
      v.step();
      const after = v.forward();
      v.dispose();
      expect(Math.abs(after - ref)).toBeLessThanOrEqual(2e-5 * Math.abs(ref));
    }
  });
});
