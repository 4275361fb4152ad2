// Helpers called by code the transformer emits (not meant for users).
import { TwinMeta, registerJvp } from './registry';

/**
 * A zero tangent shaped like `primal`: 0 for numbers, arrays/typed arrays of zeros of the same kind and
 * length (recursively for nested arrays), objects with the same numeric fields; anything else (Tensor,
 * strings, …) has no materialised tangent and gives `undefined`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- emitted twins assign it to the primal's own type
export function zerosLike(primal: unknown): any {
  if (typeof primal === 'number') return 0;
  if (primal instanceof Float64Array) return new Float64Array(primal.length);
  if (primal instanceof Float32Array) return new Float32Array(primal.length);
  // an integer typed array (labels passed for a number[] parameter) is constant: its tangent reads as zeros
  if (ArrayBuffer.isView(primal) && !(primal instanceof DataView)) return new Float64Array((primal as unknown as ArrayLike<number>).length);
  if (Array.isArray(primal)) return primal.map(zerosLike);
  if (primal !== null && typeof primal === 'object' && Object.getPrototypeOf(primal) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(primal)) {
      const z = zerosLike(v);
      if (z !== undefined) out[k] = z;
    }
    return out;
  }
  return undefined;
}

/** Registers `twin` for a function literal passed straight to jvp/forwardGradient and returns the literal. */
export function withTwin<F extends Function>(f: F, twin: (...args: any[]) => [unknown, unknown], meta: TwinMeta): F {
  registerJvp(f, twin, meta);
  return f;
}
