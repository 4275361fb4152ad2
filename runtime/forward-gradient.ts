// forwardGradient(f, primals): the paper's forward gradient g = (∇f·v)v (Definition 1), averaged
// over K directions v ~ N(0, I) or Rademacher. Unbiased: E[g] = ∇f (paper §3.2).
import { Rng, randomSeed } from '../kernels/rng';
import { isTensor } from './tensor/tensor';
import { checkArity, checkThisArg, functionName, requireTwin, twinArguments } from './jvp';
import { argLeaves, totalSize, writeFlat, zerosMirror } from './fgd/leaves';
import {
  DirectionDistribution, DirectionSource, accumulate, checkDirections, checkDistribution, drawDirections,
  scalarTangent, vectorTangent,
} from './fgd/directions';
import type { Twin } from './registry';
import { checkOptions } from './options';

export interface ForwardGradientOptions {
  /** Argument indices to differentiate (default: every argument with a tangent slot). */
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

const FORWARD_GRADIENT_OPTIONS = ['wrt', 'directions', 'seed', 'rng', 'distribution', 'vectorized', 'thisArg'];

/** Frees a tensor the twin returned (never one of the caller's arguments). */
function release(x: unknown, primals: readonly unknown[]): void {
  if (isTensor(x) && !primals.includes(x)) x.dispose();
}

/** Validated `wrt` indices (sorted, unique, each with a tangent slot). */
export function resolveWrt(f: Function, twin: Twin, wrt: number | readonly number[] | undefined, caller: string): number[] {
  const slots = twin.meta.tangentSlots;
  if (wrt === undefined) return slots.flatMap((s, i) => (s ? [i] : []));
  const list = [...new Set(typeof wrt === 'number' ? [wrt] : wrt)].sort((a, b) => a - b);
  // An empty wrt would return an all-undefined gradient and still run the function: surely a mistake.
  if (list.length === 0) throw new Error(`${caller}(${functionName(f, twin)}): wrt is empty; name at least one argument index (or omit wrt for all)`);
  for (const i of list) {
    if (!Number.isInteger(i) || i < 0 || i >= slots.length) throw new Error(`${caller}(${functionName(f, twin)}): wrt index ${i} is out of range (the function has ${slots.length} parameter(s))`);
    if (!slots[i]) throw new Error(`${caller}(${functionName(f, twin)}): argument ${i} is not differentiable (its declared type has no tangent), so it cannot be in wrt`);
  }
  return list;
}

export function directionSource(options: { seed?: number; rng?: Rng }, caller: string): DirectionSource {
  if (options.seed !== undefined && options.rng !== undefined) throw new Error(`${caller}: pass either seed or rng, not both`);
  if (options.rng) return { rng: options.rng };
  const seed = options.seed ?? randomSeed();
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`${caller}: seed must be a non-negative safe integer, got ${seed}`);
  return { seed };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as ForwardGradientResult
export function forwardGradient<V = any>(f: Function, primals: readonly unknown[], options: ForwardGradientOptions = {}): ForwardGradientResult<V> {
  const caller = 'forwardGradient';
  const twin = requireTwin(f, caller);
  checkOptions(options, FORWARD_GRADIENT_OPTIONS, caller);
  checkArity(f, twin, primals, caller);
  checkThisArg(f, twin, options.thisArg, caller);
  const wrt = resolveWrt(f, twin, options.wrt, caller);
  const K = checkDirections(options.directions ?? 1, caller);
  const distribution = checkDistribution(options.distribution ?? 'normal', caller);
  const source = directionSource(options, caller);

  const primalLeaves = argLeaves(primals as unknown[], wrt);
  const vector = K > 1 && options.vectorized !== false && primalLeaves.length > 0 && primalLeaves.every((l) => l.kind === 'tensor');
  const rows = vector ? K : 1;
  const tangents = primals.map((p, i) => (wrt.includes(i) ? zerosMirror(p, rows) : undefined));
  const tangentLeaves = argLeaves(tangents, wrt);

  const grad = new Float64Array(totalSize(primalLeaves));
  const directional: number[] = [];
  let value: V | undefined;
  for (let run = 0; run < (vector ? 1 : K); run++) {
    drawDirections(primalLeaves, tangentLeaves, rows, source, distribution, run);
    const [y, dy] = twin.fn.apply(options.thisArg, twinArguments(f, twin, primals, tangents, caller)) as [V, unknown];
    if (run === 0) value = y; else release(y, primals);
    const ds = Array.from(vector ? vectorTangent(dy, y, K, caller) : [scalarTangent(dy, y, caller)]);
    release(dy, primals);
    for (let k = 0; k < ds.length; k++) {
      directional.push(ds[k]);
      accumulate(grad, primalLeaves, tangentLeaves, vector ? k : 0, ds[k] / K);
    }
  }
  const gradient = primals.map((p, i) => (wrt.includes(i) ? zerosMirror(p) : undefined));
  writeFlat(argLeaves(gradient, wrt), grad);
  return { value: value as V, gradient, directional, seed: source.seed };
}
