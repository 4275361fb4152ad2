// Tensor constructors. Each copies into a pooled buffer, so every tensor is released the same way.
import { fillNormal } from '../../kernels/rng';
import { Tensor, empty, sizeOf } from './tensor';
import { checkOptions } from '../options';

export type TensorData = number | readonly number[] | Float32Array | Float64Array;

/** The most elements one Float32Array holds (V8 on 64-bit: 2^32; a larger length throws RangeError). */
export const MAX_TENSOR_ELEMENTS = 2 ** 32;

/** Checks a constructor's shape before anything is allocated: an array of integers ≥ 0 whose product fits a Float32Array. */
export function checkShape(op: string, shape: unknown): readonly number[] {
  const show = (s: unknown) =>
    Array.isArray(s)
      ? `[${s.map((d) => (typeof d === 'string' ? JSON.stringify(d) : String(d))).join(',')}]`
      : String(s);
  if (!Array.isArray(shape))
    throw new Error(
      `${op}: shape must be an array of dimensions, got ${shape === null ? 'null' : typeof shape === 'object' ? 'an object' : show(shape)}`,
    );
  const bad = shape.findIndex((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 0);
  if (bad >= 0)
    throw new Error(
      `${op}: invalid shape ${show(shape)}: dimension ${bad} is ${show([shape[bad]]).slice(1, -1) || 'missing'} (dimensions must be integers ≥ 0)`,
    );
  const n = sizeOf(shape);
  if (n > MAX_TENSOR_ELEMENTS)
    throw new Error(
      `${op}: shape ${show(shape)} has ${n} elements, more than a Float32Array can hold (${MAX_TENSOR_ELEMENTS})`,
    );
  return shape;
}

/** A tensor holding a copy of `data` (flat, row-major); shape defaults to [data.length] ([] for a number). */
export function tensor(data: TensorData, shape?: readonly number[]): Tensor {
  const flat = typeof data === 'number' ? [data] : data;
  if (
    typeof data !== 'number' &&
    !Array.isArray(data) &&
    !(data instanceof Float32Array) &&
    !(data instanceof Float64Array)
  ) {
    throw new Error(
      `tensor: data must be a number, number[], Float32Array or Float64Array, got ${data === null ? 'null' : typeof data}`,
    );
  }
  if (Array.isArray(data)) {
    const bad = data.findIndex((v) => typeof v !== 'number');
    if (bad >= 0)
      throw new Error(
        `tensor: data must be flat numbers (element ${bad} is ${Array.isArray(data[bad]) ? 'an array' : typeof data[bad]}); flatten it and pass the shape`,
      );
  }
  const s = checkShape('tensor', shape ?? (typeof data === 'number' ? [] : [flat.length]));
  if (sizeOf(s) !== flat.length)
    throw new Error(`tensor: ${flat.length} values do not fill shape [${s.join(',')}] (${sizeOf(s)} elements)`);
  const t = empty(s);
  t.toArray().set(flat);
  return t;
}

export function zeros(shape: readonly number[]): Tensor {
  const t = empty(checkShape('zeros', shape));
  t.toArray().fill(0);
  return t;
}

export function full(shape: readonly number[], value: number): Tensor {
  const t = empty(checkShape('full', shape));
  t.toArray().fill(value);
  return t;
}

/** Standard normal entries: elements offset … of the counter-based stream (seed, stream), times `scale`. */
export function randn(
  shape: readonly number[],
  seed: number,
  options: { stream?: number; offset?: number; scale?: number } = {},
): Tensor {
  checkOptions(options, ['stream', 'offset', 'scale'], 'randn');
  const t = empty(checkShape('randn', shape));
  const a = t.toArray();
  fillNormal(a, seed, options.stream ?? 0, options.offset ?? 0);
  const scale = options.scale ?? 1;
  if (scale !== 1) for (let i = 0; i < a.length; i++) a[i] *= scale;
  return t;
}
