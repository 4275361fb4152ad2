// Parameter structures as flat vectors. jvp, forwardGradient and the descent loop accept the same
// values as twins (numbers, number[], Float32Array, Float64Array, Tensors, and tuples/plain objects
// of those); this module walks them in a fixed order so element i of a perturbation vector v (and
// of a gradient, a checkpoint, an optimizer slot) always means the same scalar.
import { Tensor, isTensor } from './tensor/tensor';
import { syncHost } from '../kernels/residency';

export type Buf = Float32Array | Float64Array | number[];
export type LeafKind = 'number' | 'array' | 'f32' | 'f64' | 'tensor';

/** One numeric leaf of a structure: a live view of its elements. */
export interface Leaf {
  /** Where it sits, e.g. `arg0.w[1]`, for errors and checkpoints. */
  readonly path: string;
  readonly kind: LeafKind;
  readonly size: number;
  /** Index of its first element in the flattened vector. */
  readonly offset: number;
  readonly shape?: readonly number[];
  /** The elements: a live view (numbers: a one-element box, refreshed on each call). */
  data(): Buf;
  /** Writes a boxed number back into its container; brings a Float32Array back from a device (no-op for the other kinds). */
  commit(): void;
}

/** The leaf kind of a value, or undefined for containers and non-differentiable values. */
export function leafKind(x: unknown): LeafKind | undefined {
  if (typeof x === 'number') return 'number';
  if (x instanceof Float32Array) return 'f32';
  if (x instanceof Float64Array) return 'f64';
  if (isTensor(x)) return 'tensor';
  if (Array.isArray(x) && x.every((e) => typeof e === 'number')) return 'array';
  return undefined;
}

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype;
}

/** Describes a value for error messages: `number`, `Float32Array(3)`, `Tensor[2,3]`, … */
export function describeValue(x: unknown): string {
  if (x === undefined || x === null) return String(x);
  if (isTensor(x)) return `Tensor[${x.shape.join(',')}]`;
  if (x instanceof Float32Array || x instanceof Float64Array) return `${x.constructor.name}(${x.length})`;
  if (Array.isArray(x)) return leafKind(x) === 'array' ? `number[${x.length}]` : `tuple(${x.length})`;
  if (isPlainObject(x)) return `object {${Object.keys(x).join(', ')}}`;
  return typeof x;
}

/**
 * Appends the leaves of `container[key]` (named `name`) to `out`, numbering elements after the
 * leaves already there. Numbers are written back into their container by `commit()`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the user's parameter container, read and written back by key
export function collectLeaves(container: any, key: string | number, name: string, out: Leaf[] = []): Leaf[] {
  let next = totalSize(out);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as collectLeaves
  const visit = (x: unknown, path: string, container: any, key: string | number) => {
    const kind = leafKind(x);
    if (kind === 'number') {
      const box = new Float64Array(1);
      out.push({
        path,
        kind,
        size: 1,
        offset: next,
        data: () => {
          box[0] = container[key];
          return box;
        },
        commit: () => {
          container[key] = box[0];
        },
      });
      next += 1;
    } else if (kind === 'tensor') {
      const t = x as Tensor;
      out.push({ path, kind, size: t.size, offset: next, shape: t.shape, data: () => t.toArray(), commit: () => {} });
      next += t.size;
    } else if (kind !== undefined) {
      const a = x as Buf;
      // A Float32Array leaf goes to the update kernel as it is: on a device backend the update leaves
      // it on the device (kernels/residency.ts), and the user's code reads it directly, so commit syncs it.
      const commit = kind === 'f32' ? () => syncHost(a as Float32Array) : () => {};
      out.push({ path, kind, size: a.length, offset: next, data: () => a, commit });
      next += a.length;
    } else if (Array.isArray(x)) {
      x.forEach((e, i) => visit(e, `${path}[${i}]`, x, i));
    } else if (isPlainObject(x)) {
      for (const k of Object.keys(x)) visit(x[k], `${path}.${k}`, x, k);
    }
    // Anything else (strings, booleans, Int32Array, functions) is not differentiable: no leaf.
  };
  visit(container[key], name, container, key);
  return out;
}

/** The leaves of the arguments `indices` of `args` (named arg0, arg1, …), in order. */
export function argLeaves(args: unknown[], indices: readonly number[]): Leaf[] {
  const out: Leaf[] = [];
  for (const i of indices) collectLeaves(args, i, `arg${i}`, out);
  return out;
}

/** The Tensors inside a value, in leaf order (the order collectLeaves walks). */
export function tensorsIn(x: unknown, out: Tensor[] = []): Tensor[] {
  if (isTensor(x)) out.push(x);
  else if (leafKind(x) !== undefined) return out;
  else if (Array.isArray(x)) for (const e of x) tensorsIn(e, out);
  else if (isPlainObject(x)) for (const k of Object.keys(x)) tensorsIn(x[k], out);
  return out;
}

function totalSize(leaves: readonly Leaf[]): number {
  return leaves.length === 0 ? 0 : leaves[leaves.length - 1].offset + leaves[leaves.length - 1].size;
}

/**
 * A zero structure mirroring `primal` (a fresh tangent or gradient). Tensors get a fresh
 * Float32 tensor (from `zeroTensor` when given, e.g. a pooled one); with `directions` K > 1 their
 * shape gains a leading K axis (vector mode).
 */
export function zerosMirror(
  primal: unknown,
  directions = 1,
  zeroTensor?: (shape: readonly number[]) => Tensor,
): unknown {
  const kind = leafKind(primal);
  switch (kind) {
    case 'number':
      return 0;
    case 'array':
      return new Array<number>((primal as number[]).length).fill(0);
    case 'f32':
      return new Float32Array((primal as Float32Array).length);
    case 'f64':
      return new Float64Array((primal as Float64Array).length);
    case 'tensor': {
      const t = primal as Tensor,
        shape = directions > 1 ? [directions, ...t.shape] : t.shape;
      return zeroTensor ? zeroTensor(shape) : new Tensor(new Float32Array(t.size * directions), shape);
    }
  }
  if (Array.isArray(primal)) return primal.map((e) => zerosMirror(e, directions, zeroTensor));
  if (isPlainObject(primal)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(primal)) out[k] = zerosMirror(primal[k], directions, zeroTensor);
    return out;
  }
  return undefined;
}
