// forwardGradient(f, primals): the paper's forward gradient g = (∇f·v)v (Definition 1), averaged
// over K directions v ~ N(0, I) or Rademacher. Unbiased: E[g] = ∇f (paper §3.2). It is one step of
// the estimator fgd runs (runtime/forward-estimator.ts), so both give the same g for the same seed.
// A user's own loop should cost what an fgd step costs: the estimator (its tangent buffers and K > 1
// accumulator) is kept per function between calls and reused while the primals keep their
// structure, the twin's intermediates go back to the pool (tidy), and `out` takes a gradient
// structure to write into, so a loop allocates nothing per step.
import { Rng, randomSeed } from '../kernels/rng';
import { checkArity, checkThisArg, functionName, requireTwin } from './jvp';
import { Leaf, argLeaves, describeValue, zerosMirror } from './leaves';
import { DirectionDistribution, DirectionSource, checkDirections, checkDistribution } from './directions';
import { ForwardEstimator, TwinCall } from './forward-estimator';
import type { Twin } from './registry';
import { checkOptions } from './options';
import { defaultWrt } from './default-wrt';

export interface ForwardGradientOptions {
  /**
   * Argument indices to differentiate. Default (runtime/default-wrt.ts): the differentiable arguments, never integer
   * typed arrays, and only those holding Tensors when some argument does (the others are then data).
   */
  wrt?: number | readonly number[];
  /** K ≥ 1 directions, averaged (default 1). */
  directions?: number;
  /** Seed of the counter-based direction streams (direction k = stream k); random when omitted. */
  seed?: number;
  /** A sequential generator instead of a seed. */
  rng?: Rng;
  /** 'normal' (default, as in the paper) or 'rademacher'. */
  distribution?: DirectionDistribution;
  /** Vector mode for Tensor parameters: all K directions in one run (default true when applicable). */
  vectorized?: boolean;
  /**
   * A gradient structure to write into and return as `gradient` (mirrors the primals: entries in
   * `wrt` like their primal, the others undefined), e.g. the previous call's gradient.
   */
  out?: unknown[];
  thisArg?: unknown;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- f's value type, given by the caller or left open
export interface ForwardGradientResult<V = any> {
  value: V;
  /** Mirrors the primals; entries for arguments not in `wrt` are undefined. */
  gradient: unknown[];
  /** ∇f·v_k for each direction. */
  directional: number[];
  /** The seed used (undefined when an Rng was given). */
  seed?: number;
}

const FORWARD_GRADIENT_OPTIONS = ['wrt', 'directions', 'seed', 'rng', 'distribution', 'vectorized', 'out', 'thisArg'];

/** The estimator kept per twin for the next call with the same structure. */
interface Scratch {
  key: string;
  estimator: ForwardEstimator;
  busy: boolean;
}
const scratchByTwin = new WeakMap<Twin, Scratch>();

/** What the estimator's buffers depend on: wrt, K, vector mode, and every primal leaf's path, kind and shape. */
function scratchKey(wrt: readonly number[], K: number, vector: boolean, leaves: readonly Leaf[]): string {
  let key = `${wrt.join(',')}|${K}|${vector}`;
  for (const l of leaves) key += `|${l.path}:${l.kind}:${l.shape ? l.shape.join('x') : l.size}`;
  return key;
}

/** The reusable estimator for this call (a fresh one while a call of the same twin is running: re-entrancy). */
function scratchFor(
  twin: Twin,
  primals: unknown[],
  wrt: readonly number[],
  K: number,
  vector: boolean,
  primalLeaves: Leaf[],
  thisArg: unknown,
  source: DirectionSource,
  distribution: DirectionDistribution,
): Scratch {
  const key = scratchKey(wrt, K, vector, primalLeaves);
  const cached = scratchByTwin.get(twin);
  if (cached && cached.key === key && !cached.busy) {
    cached.estimator.rebind(primals, thisArg, primalLeaves, source, distribution);
    return cached;
  }
  // Unpooled tangents: the cache keeps them past the call, so the pool must not count them as live.
  // They sit in the kernel memory when it has room (the twin's gemms read them in place), so a
  // replaced estimator gives them back (discard), and so does one never cached (re-entrancy: below).
  const call = new TwinCall(twin, primals, thisArg, vector ? K : 1, 'forwardGradient', { wrt, pooled: false });
  const fresh: Scratch = { key, estimator: new ForwardEstimator(call, source, K, distribution, vector), busy: false };
  if (!cached?.busy) {
    cached?.estimator.discard();
    scratchByTwin.set(twin, fresh);
  }
  return fresh;
}

/** The leaves of `out`, checked to mirror the primals' leaves (kind, shape) and not to alias them. */
function outLeaves(
  out: unknown,
  primals: readonly unknown[],
  wrt: readonly number[],
  primalLeaves: readonly Leaf[],
  caller: string,
): Leaf[] {
  if (!Array.isArray(out) || out.length !== primals.length) {
    throw new Error(
      `${caller}: out must be an array with one entry per argument (${primals.length}), like a previous result's gradient; got ${describeValue(out)}`,
    );
  }
  out.forEach((o, i) => {
    if (!wrt.includes(i) && o !== undefined)
      throw new Error(`${caller}: out[${i}] must be undefined (argument ${i} is not in wrt), got ${describeValue(o)}`);
  });
  const leaves = argLeaves(out, wrt);
  const same =
    leaves.length === primalLeaves.length &&
    leaves.every((l, j) => {
      const p = primalLeaves[j];
      return (
        l.path === p.path &&
        l.kind === p.kind &&
        l.size === p.size &&
        (!p.shape || p.shape.every((d, k) => l.shape?.[k] === d))
      );
    });
  if (!same)
    throw new Error(
      `${caller}: out must mirror the primals in wrt (same fields, kinds and shapes); got ${wrt.map((i) => describeValue(out[i])).join(', ')}`,
    );
  for (let j = 0; j < leaves.length; j++) {
    if (leaves[j].kind !== 'number' && leaves[j].data() === primalLeaves[j].data())
      throw new Error(`${caller}: out shares ${leaves[j].path}'s storage with the primal it is the gradient of`);
  }
  return leaves;
}

/** Validated `wrt` indices (sorted, unique, each with a tangent slot). */
export function resolveWrt(
  f: Function,
  twin: Twin,
  wrt: number | readonly number[] | undefined,
  caller: string,
): number[] {
  const slots = twin.meta.tangentSlots;
  if (wrt === undefined) return slots.flatMap((s, i) => (s ? [i] : []));
  const list = [...new Set(typeof wrt === 'number' ? [wrt] : wrt)].sort((a, b) => a - b);
  // An empty wrt would return an all-undefined gradient and still run the function: surely a mistake.
  if (list.length === 0)
    throw new Error(
      `${caller}(${functionName(f, twin)}): wrt is empty; name at least one argument index (or omit wrt for all)`,
    );
  for (const i of list) {
    if (!Number.isInteger(i) || i < 0 || i >= slots.length)
      throw new Error(
        `${caller}(${functionName(f, twin)}): wrt index ${i} is out of range (the function has ${slots.length} parameter(s))`,
      );
    if (!slots[i])
      throw new Error(
        `${caller}(${functionName(f, twin)}): argument ${i} is not differentiable (its declared type has no tangent), so it cannot be in wrt`,
      );
  }
  return list;
}

export function directionSource(options: { seed?: number; rng?: Rng }, caller: string): DirectionSource {
  if (options.seed !== undefined && options.rng !== undefined)
    throw new Error(`${caller}: pass either seed or rng, not both`);
  if (options.rng) return { rng: options.rng };
  const seed = options.seed ?? randomSeed();
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`${caller}: seed must be a non-negative safe integer, got ${seed}`);
  return { seed };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as ForwardGradientResult
export function forwardGradient<V = any>(
  f: Function,
  primals: readonly unknown[],
  options: ForwardGradientOptions = {},
): ForwardGradientResult<V> {
  const caller = 'forwardGradient';
  const twin = requireTwin(f, caller);
  checkOptions(options, FORWARD_GRADIENT_OPTIONS, caller);
  checkArity(f, twin, primals, caller);
  checkThisArg(f, twin, options.thisArg, caller);
  const wrt =
    options.wrt === undefined ? defaultWrt(f, twin, primals, caller) : resolveWrt(f, twin, options.wrt, caller);
  const K = checkDirections(options.directions ?? 1, caller);
  const distribution = checkDistribution(options.distribution ?? 'normal', caller);
  const source = directionSource(options, caller);

  const primalLeaves = argLeaves(primals as unknown[], wrt);
  const vector =
    K > 1 && options.vectorized !== false && primalLeaves.length > 0 && primalLeaves.every((l) => l.kind === 'tensor');
  const gradLeaves = options.out === undefined ? undefined : outLeaves(options.out, primals, wrt, primalLeaves, caller);
  const scratch = scratchFor(
    twin,
    primals as unknown[],
    wrt,
    K,
    vector,
    primalLeaves,
    options.thisArg,
    source,
    distribution,
  );
  const estimator = scratch.estimator;
  scratch.busy = true;
  try {
    // One step of fgd's estimator (step 1: direction k is stream k); the value of the first run survives.
    const { value } = estimator.run(1, [], (y) => y as V);
    // Plain memory, not the pool's: a user loop that drops each gradient without disposing it
    // (most do) would otherwise fill the kernel memory with blocks nobody can give back. A loop that
    // passes a pooled structure as `out` (e.g. zeros in the heap) gets it written in place.
    const gradient =
      (options.out as unknown[] | undefined) ?? primals.map((p, i) => (wrt.includes(i) ? zerosMirror(p) : undefined));
    const into = gradLeaves ?? argLeaves(gradient, wrt);
    // K = 1 with float32 leaves (Tensors): g = d·v written straight from the tangent buffer holding v
    // into the result, one pass (the same rounding as forming g in place and copying it: fround(0 + d·v)).
    const scaled = estimator.scaled();
    const direct =
      scaled !== undefined &&
      into.every((l, j) => l.data() instanceof Float32Array && scaled.directions[j] instanceof Float32Array);
    if (direct) {
      for (let j = 0; j < into.length; j++) {
        scaleInto(into[j].data() as Float32Array, scaled.directions[j] as Float32Array, scaled.scale);
        into[j].commit();
      }
    } else {
      const g = estimator.gradients();
      // g's buffers have each leaf's own precision (float32 for Float32Array and Tensor leaves): an exact copy.
      for (let j = 0; j < into.length; j++) {
        const d = into[j].data(),
          s = g[j];
        if (d instanceof Float32Array && s instanceof Float32Array) d.set(s);
        else for (let i = 0; i < d.length; i++) d[i] = s[i];
        into[j].commit();
      }
    }
    return { value, gradient, directional: [...estimator.directional()], seed: source.seed };
  } finally {
    estimator.detach();
    scratch.busy = false;
    if (scratchByTwin.get(twin) !== scratch) estimator.discard();
  }
}

/** d[i] = fround(0 + s·v[i]): monomorphic, so the JIT keeps it a tight float32 loop (1.86 M in ≈ 1 ms). */
function scaleInto(d: Float32Array, v: Float32Array, s: number): void {
  for (let i = 0; i < d.length; i++) d[i] = 0 + s * v[i];
}
