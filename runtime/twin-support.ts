// Helpers called by code the transformer emits (not meant for users).
import { TwinMeta, registerJvp } from './registry';
import { isTensor } from './tensor/tensor';
import { isKept } from './tensor/pool';

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
  if (ArrayBuffer.isView(primal) && !(primal instanceof DataView))
    return new Float64Array((primal as unknown as ArrayLike<number>).length);
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

/**
 * Frees a value the twin owns and no longer needs (emitted by the transformer: transformer/emit/release.ts): the
 * primal and tangent of an op result, which share one buffer (the fused output), so both views are disposed and the
 * buffer goes back to the pool. A number or undefined (no tangent) is ignored, so is an already disposed tensor; a
 * tensor exempted with keep() is left to its owner.
 */
export function releaseTemp(value: unknown, tangent: unknown): void {
  for (const v of [value, tangent]) {
    if (v === undefined || typeof v === 'number') continue;
    if (!isTensor(v))
      throw new Error(
        `releaseTemp: expected a Tensor, a number or undefined (an op result), got ${v === null ? 'null' : typeof v}`,
      );
    if (!v.isDisposed && !isKept(v)) v.dispose();
  }
}
