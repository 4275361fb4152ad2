// Batches: the order is a pure function of (seed, step), each epoch visits every example exactly
// once, x holds the chosen examples in the requested layout, and the same kept tensor is refilled.
import { Batches, tidy, evaluate } from '../../runtime/index';
import type { Dataset } from '../../runtime/index';
import { logisticRegression, initLogreg, cnn, initCnn } from '../../runtime/models/index';
import { reuseVersion, sealForReuse } from '../../runtime/tensor/version';

/** n tiny "images": example i has every pixel = i / n and label i mod 10 (so x identifies it). */
function synthetic(n: number): Dataset {
  const images = new Float32Array(n * 784),
    labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    images.fill(i / n, i * 784, (i + 1) * 784);
    labels[i] = i % 10;
  }
  return { images, labels, count: n, height: 28, width: 28, name: 'synthetic' };
}

/** Which examples a batch holds (decoded from its pixels), checked against its labels. */
function ids(b: { x: { toArray(): Float32Array }; labels: Int32Array }, n: number): number[] {
  const x = b.x.toArray(),
    out: number[] = [];
  for (let i = 0; i < b.labels.length; i++) {
    const id = Math.round(x[i * 784] * n);
    expect(x[i * 784 + 783]).toBe(x[i * 784]);
    expect(b.labels[i]).toBe(id % 10);
    out.push(id);
  }
  return out;
}

describe('Batches', () => {
  const data = synthetic(100);

  test('batch(step) is a pure function of (seed, step): a fresh instance (a resumed run) sees the same batches', () => {
    const a = new Batches(data, { seed: 7, batchSize: 16, layout: 'flat' });
    const sequential = Array.from({ length: 20 }, (_, s) => ids(a.batch(s + 1), 100));
    const b = new Batches(data, { seed: 7, batchSize: 16, layout: 'flat' });
    for (const s of [13, 20, 1, 7, 7]) expect(ids(b.batch(s), 100)).toEqual(sequential[s - 1]);
    const c = new Batches(data, { seed: 8, batchSize: 16, layout: 'flat' });
    expect(ids(c.batch(1), 100)).not.toEqual(sequential[0]);
    a.dispose();
    b.dispose();
    c.dispose();
  });

  test('each epoch holds every example exactly once, epochs differ, batches straddle epoch ends', () => {
    const B = 16,
      n = 100,
      steps = Math.ceil((3 * n) / B);
    const batches = new Batches(data, { seed: 3, batchSize: B, layout: 'flat' });
    const stream = Array.from({ length: steps }, (_, s) => ids(batches.batch(s + 1), n)).flat();
    const epochs = [0, 1, 2].map((e) => stream.slice(e * n, (e + 1) * n));
    for (const e of epochs) expect([...e].sort((p, q) => p - q)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(epochs[1]).not.toEqual(epochs[0]);
    expect(epochs[0]).not.toEqual(Array.from({ length: n }, (_, i) => i)); // shuffled
    expect(batches.stepsPerEpoch).toBe(n / B);
    batches.dispose();
  });

  test('the same kept tensor is refilled in place, survives tidy, and gets a new version when sealed', () => {
    // Made inside a tidy scope (as a training step might): keep() must exempt x from its disposal.
    const batches = tidy(() => new Batches(data, { seed: 1, layout: 'image' }));
    expect(batches.size).toBe(64);
    const first = tidy(() => batches.batch(1).x);
    expect(first.shape).toEqual([64, 1, 28, 28]);
    expect(first.isDisposed).toBe(false);
    const before = Array.from(first.toArray().subarray(0, 784 * 3));
    sealForReuse(first);
    const v1 = reuseVersion(first);
    const second = batches.batch(2).x;
    expect(second).toBe(first);
    expect(reuseVersion(first)).not.toBe(v1);
    expect(Array.from(second.toArray().subarray(0, 784 * 3))).not.toEqual(before);
    batches.dispose();
    expect(first.isDisposed).toBe(true);
  });

  test('bad options are errors naming the option', () => {
    expect(() => new Batches(data, { seed: 1, batchSize: 101, layout: 'flat' })).toThrow(
      "Batches: option batchSize must be an integer in [1, 100] (the dataset's size), got 101",
    );
    expect(() => new Batches(data, { seed: -1, layout: 'flat' })).toThrow(
      'Batches: option seed must be a non-negative safe integer, got -1',
    );
    expect(() => new Batches(data, { seed: 1, layout: 'nchw' as never })).toThrow(
      `Batches: option layout must be 'flat' or 'image', got "nchw"`,
    );
    // a misspelt key would silently fall back to the default batch size
    expect(() => new Batches(data, { seed: 1, layout: 'flat', batchsize: 8 } as never)).toThrow(
      "Batches: unknown option 'batchsize' (did you mean 'batchSize'?); valid options: batchSize, seed, layout",
    );
    expect(() => new Batches(data, { seed: 1, layout: 'flat', shuffle: false } as never)).toThrow(
      "Batches: unknown option 'shuffle'",
    );
    const b = new Batches(data, { seed: 1, layout: 'flat' });
    expect(() => b.batch(0)).toThrow('Batches: step must be an integer ≥ 1, got 0');
    b.dispose();
    expect(() => b.batch(1)).toThrow('Batches: batch() after dispose()');
  });
});

describe('evaluate', () => {
  test('zero logistic regression: loss ln 10, accuracy = share of label 0 (first maximum on ties)', () => {
    const data = synthetic(37);
    const r = evaluate(logisticRegression, initLogreg(0), data, { batchSize: 8 });
    expect(r.loss).toBeCloseTo(Math.log(10), 6);
    expect(r.accuracy).toBeCloseTo(4 / 37, 12); // ids 0, 10, 20, 30
  });

  test('the result does not depend on batchSize; image-layout models get [B, 1, 28, 28]', () => {
    const data = synthetic(30);
    const p = initCnn(1, { inChannels: 1, size: 28, channels: 2, hidden: 8, classes: 10 });
    const a = evaluate(cnn, p, data, { batchSize: 7 }),
      b = evaluate(cnn, p, data, { batchSize: 30 });
    expect(a.loss).toBeCloseTo(b.loss, 5);
    expect(a.accuracy).toBe(b.accuracy);
    expect(() => evaluate(cnn, p, data, { batchSize: 0 })).toThrow(
      'evaluate: option batchSize must be a positive integer, got 0',
    );
    expect(() => evaluate(cnn, p, data, { batch_size: 7 } as never)).toThrow(
      "evaluate: unknown option 'batch_size' (did you mean 'batchSize'?); valid options: batchSize",
    );
    expect(() => evaluate(cnn, p, data, null as never)).toThrow('evaluate: options must be an object, got null');
  });
});
