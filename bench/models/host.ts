// The side-by-side harness's neutral ground: every contender (ours, tfjs-wasm, jax-js) starts from
// the same parameters (our model's init, read out as Float32Arrays) and the same batch, so the
// smoke test can demand the same loss from each. Families name the paper's architectures; the peers
// build their own graph per family (bench/models/tfjs.ts, bench/models/jaxjs.ts).
import { fillNormal } from '../../kernels/rng';
import { tensor } from '../../runtime/tensor/create';
import type { Tensor } from '../../runtime/tensor/tensor';
import { cnn, deepMlp, logisticRegression, mlp, type Model } from '../../runtime/models/index';

export type Family = 'logreg' | 'mlp' | 'cnn' | 'deep';

/** One harness model: ours plus what the peers need to rebuild it. */
export interface BenchModel {
  readonly name: string;
  readonly family: Family;
  /** Depth L of the deep MLP (1 for the others: not a depth series). */
  readonly depth: number;
  readonly model: Model;
  /** Initialiser (reduced sizes in the smoke test). */
  readonly init: (seed: number) => any;
  /** Input shape of one example: [784] (flat) or [1, 28, 28] (image, NCHW). */
  readonly example: readonly number[];
  readonly classes: number;
}

/** The harness's models at the paper's sizes. */
export function paperModels(depths: readonly number[]): BenchModel[] {
  const flat = [784],
    image = [1, 28, 28];
  return [
    {
      name: 'logreg',
      family: 'logreg',
      depth: 1,
      model: logisticRegression,
      init: logisticRegression.init,
      example: flat,
      classes: 10,
    },
    { name: 'mlp', family: 'mlp', depth: 1, model: mlp, init: mlp.init, example: flat, classes: 10 },
    { name: 'cnn', family: 'cnn', depth: 1, model: cnn, init: cnn.init, example: image, classes: 10 },
    ...depths.map((L): BenchModel => {
      const m = deepMlp(L);
      return { name: m.name, family: 'deep', depth: L, model: m, init: m.init, example: flat, classes: 10 };
    }),
  ];
}

/** A parameter as plain data: its path in our params object (`w1`, `layers.3`), shape and values. */
export interface HostParam {
  readonly path: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Our params object's leaves in a fixed order (fields in declaration order, arrays by index). */
export function hostParams(params: any): HostParam[] {
  const out: HostParam[] = [];
  const visit = (x: any, path: string) => {
    if (x && typeof x.toArray === 'function' && Array.isArray(x.shape)) {
      out.push({
        path,
        shape: [...(x as Tensor).shape],
        data: Float32Array.from((x as Tensor).toArray() as Float32Array),
      });
    } else if (Array.isArray(x)) x.forEach((e, i) => visit(e, path ? `${path}.${i}` : String(i)));
    else for (const k of Object.keys(x)) visit(x[k], path ? `${path}.${k}` : k);
  };
  visit(params, '');
  return out;
}

/** Looks a parameter up by path (throws naming it when absent: a family/model mismatch). */
export function param(ps: readonly HostParam[], path: string): HostParam {
  const p = ps.find((q) => q.path === path);
  if (!p) throw new Error(`bench models: no parameter '${path}' (have ${ps.map((q) => q.path).join(', ')})`);
  return p;
}

/** A fixed batch: standard-normal inputs (seeded), labels i mod classes. */
export interface HostBatch {
  readonly x: Float32Array;
  readonly shape: readonly number[];
  readonly labels: Int32Array;
  readonly classes: number;
}

export function hostBatch(bm: BenchModel, batch: number, seed: number): HostBatch {
  const shape = [batch, ...bm.example];
  const x = fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), seed, 0, 0) as Float32Array;
  const labels = Int32Array.from({ length: batch }, (_, i) => i % bm.classes);
  return { x, shape, labels, classes: bm.classes };
}

/** The batch as our tensor. */
export const ourInput = (b: HostBatch): Tensor => tensor(Float32Array.from(b.x), [...b.shape]);

/** One-hot labels [B, classes] (the peers' cross-entropy is Σ onehot·logsoftmax). */
export function oneHot(b: HostBatch): Float32Array {
  const y = new Float32Array(b.labels.length * b.classes);
  b.labels.forEach((l, i) => {
    y[i * b.classes + l] = 1;
  });
  return y;
}
