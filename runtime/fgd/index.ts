// fgd: forward gradient descent (the paper's Algorithm 1 plus schedule, K directions, optimizers,
// logs, checkpoints, guard); with method 'backprop' the same loop with the exact gradient by reverse
// mode (the baseline the paper compares with); gd: the same loop with the exact gradient (n forward runs).
import { selectedBackend } from '../../kernels/select';
import { randomSeed } from '../../kernels/rng';
import { checkThisArg, functionName, requireTwin } from '../jvp';
import { checkDirections, checkDistribution, DirectionDistribution } from '../directions';
import { BackpropEstimator, Estimator, ExactEstimator, ForwardEstimator, ReverseCall, TwinCall } from './estimators';
import {
  AlgorithmSettings,
  DescentOptions,
  DescentResult,
  checkDescentOptions,
  checkParams,
  descend,
  resumeOf,
} from './loop';
import { loadCheckpoint } from './checkpoint';
import { argLeaves } from '../leaves';

export type FgdMethod = 'fgd' | 'backprop';

/** The forward-gradient options (none of them applies to method 'backprop'). */
const DIRECTION_OPTIONS = ['directions', 'distribution', 'seed', 'vectorized', 'regenerate'] as const;
const FGD_OPTIONS = ['method', ...DIRECTION_OPTIONS];

export interface FgdOptions extends DescentOptions {
  /**
   * 'fgd' (default): forward gradients, the paper's Algorithm 1. 'backprop': the exact gradient by
   * reverse mode (tape over the same tensor kernels), same schedule, optimizer, logs, checkpoints
   * and resume; directions, distribution, seed and vectorized do not apply to it.
   */
  method?: FgdMethod;
  /** K directions per step, averaged (default 1, as in the paper). */
  directions?: number;
  /** 'normal' (default, the paper's) or 'rademacher'. */
  distribution?: DirectionDistribution;
  /** Seed of the direction streams; random (and recorded) when omitted; taken from the checkpoint on resume. */
  seed?: number;
  /** All K directions in one run when every parameter is a Tensor (default true). */
  vectorized?: boolean;
  /**
   * Regenerate v instead of storing it: each Tensor parameter's direction is generated from
   * (seed, stream, offset) where it is consumed (matmul generates a weight tangent while packing it)
   * and again by the update, so a step's extra memory stays flat in depth instead of holding a
   * parameter-sized v. Same numbers either way. Default: true with 'rademacher' (its bits cost
   * almost nothing to regenerate), false with 'normal' (v is drawn twice: ≈ +2.3 ms on the paper
   * MLP's 9.9 ms step, bench/fgd-step.ts); true on a backend that makes directions on its device
   * (gpujs-gpu: v is generated in GPU memory once per step, where the JVP reads it, and the
   * update reads that copy).
   */
  regenerate?: boolean;
}

/**
 * Minimises loss(...params, ...inputs(t)) by forward gradient descent: per step, v ~ p(v),
 * (f, d) = (f(θ), ∇f(θ)·v) from one forward run, g = d·v, θ ← optimizer(θ, g).
 * Mutable parameters (arrays, typed arrays, Tensors, object fields, the params array) are
 * updated in place; the result carries the status, the losses and the final parameters.
 */
export function fgd(loss: Function, params: unknown[], options: FgdOptions): DescentResult {
  const twin = requireTwin(loss, 'fgd');
  checkDescentOptions(options, FGD_OPTIONS, 'fgd');
  checkParams(params, twin.meta.tangentSlots, functionName(loss, twin), 'fgd');
  checkThisArg(loss, twin, options.thisArg, 'fgd');
  const method = options.method ?? 'fgd';
  if (method !== 'fgd' && method !== 'backprop')
    throw new Error(`fgd: method must be 'fgd' or 'backprop', got ${JSON.stringify(method)}`);
  if (method === 'backprop') {
    for (const k of DIRECTION_OPTIONS) {
      if (options[k] !== undefined)
        throw new Error(
          `fgd: option '${k}' does not apply to method 'backprop' (exact gradient, no random directions)`,
        );
    }
    const call = new ReverseCall(loss, twin, params, options.thisArg, 'fgd');
    return run(
      call,
      new BackpropEstimator(call),
      options,
      { algorithm: 'backprop', seed: null, directions: 0, distribution: 'exact' },
      'fgd',
    );
  }
  const K = checkDirections(options.directions ?? 1, 'fgd');
  const distribution = checkDistribution(options.distribution ?? 'normal', 'fgd');
  // default on with Rademacher (cheap to regenerate), and on a backend that makes directions on its
  // device (gpujs-gpu: v is never drawn on the host nor uploaded)
  const regenerate =
    options.regenerate ?? (distribution === 'rademacher' || selectedBackend()?.fillDirection !== undefined);
  if (typeof regenerate !== 'boolean')
    throw new Error(`fgd: regenerate must be true or false, got ${JSON.stringify(regenerate)}`);
  let seed = options.seed;
  const resume = resumeOf(options.resume, 'fgd');
  if (seed === undefined && resume) {
    const s = loadCheckpoint(resume.path).options.seed;
    if (typeof s === 'number') seed = s;
  }
  seed ??= randomSeed();
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`fgd: seed must be a non-negative safe integer, got ${seed}`);
  const leaves = argLeaves(
    params,
    params.map((_, i) => i),
  );
  const vector = K > 1 && options.vectorized !== false && leaves.length > 0 && leaves.every((l) => l.kind === 'tensor');
  const call = new TwinCall(twin, params, options.thisArg, vector ? K : 1, 'fgd', { lazy: regenerate });
  return run(
    call,
    new ForwardEstimator(call, { seed }, K, distribution, vector),
    options,
    { algorithm: 'fgd', seed, directions: K, distribution, extraHeader: { vectorized: vector } },
    'fgd',
  );
}

/** The descent loop, then the estimator's pooled buffers go back (also when the loop throws). */
function run(
  call: Parameters<typeof descend>[0],
  estimator: Estimator,
  options: DescentOptions,
  settings: AlgorithmSettings,
  caller: string,
): DescentResult {
  try {
    return descend(call, estimator, options, settings, caller);
  } finally {
    estimator.finish();
  }
}

/** Gradient descent with the exact gradient from n forward runs along basis vectors (small n). */
export function gd(loss: Function, params: unknown[], options: DescentOptions): DescentResult {
  const twin = requireTwin(loss, 'gd');
  checkDescentOptions(options, [], 'gd');
  checkParams(params, twin.meta.tangentSlots, functionName(loss, twin), 'gd');
  checkThisArg(loss, twin, options.thisArg, 'gd');
  const call = new TwinCall(twin, params, options.thisArg, 1, 'gd');
  return run(
    call,
    new ExactEstimator(call),
    options,
    { algorithm: 'gd', seed: null, directions: 0, distribution: 'basis' },
    'gd',
  );
}

export type { DescentOptions, DescentResult, StepInfo, DescentStatus } from './loop';
export { exponentialDecay, constant } from './schedule';
export type { Schedule } from './schedule';
export { createOptimizer, Sgd, Momentum, Adam } from './optimizers';
export type { Optimizer, OptimizerState, OptimizerSpec } from './optimizers';
export { loadCheckpoint } from './checkpoint';
export { readJsonLines } from './log';
