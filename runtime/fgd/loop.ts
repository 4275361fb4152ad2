// The descent loop shared by fgd and gd: estimate → guard → update, plus the schedule, logging,
// checkpoints, resume and the progress bar. Steps are numbered from 1; checkpoints hold the state
// after a step, and a resumed run continues with the next step's directions, so an interrupted
// and resumed run is bit-identical to an uninterrupted one.
import { Snapshot } from './guard';
import { Schedule, resolveSchedule } from './schedule';
import { OptimizerSpec, createOptimizer } from './optimizers';
import { JsonLinesLog } from './log';
import { createProgress } from './progress';
import { checkLeaves, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { describeValue } from './leaves';
import { tidy } from '../tensor/pool';
import { getBackend } from '../../kernels/select';
import type { Estimator, TwinCall } from './estimators';

export interface StepInfo {
  step: number;
  loss: number;
  lr: number;
  /** The parameters after this step's update (live: copy what you keep). */
  params: unknown[];
  /** Time spent estimating and updating so far (ms), excluding logging, callbacks, checkpoints. */
  elapsedMs: number;
}

export interface DescentOptions {
  /** Learning rate η_0 (with `decay`), or a schedule iteration → η. */
  lr: number | Schedule;
  /** k in η_i = η_0·e^(−i·k); default 1e-4 (the paper's); 0 for a constant rate. */
  decay?: number;
  /** Total number of steps (a resumed run continues up to this step). */
  iterations: number;
  optimizer?: OptimizerSpec;
  /**
   * Extra arguments after the parameters for step t (data, labels): constants, never trained.
   * It runs inside the step's `tidy` scope: Tensors it creates (a minibatch) are released after the
   * step; pass long-lived data made outside it (or `keep()` a tensor it caches).
   */
  inputs?: (step: number) => readonly unknown[];
  /** Show a progress bar (default: when stdout is a terminal). */
  progress?: boolean;
  /** JSON-lines log file, or { path, every } to log every n-th step (default every step). */
  log?: string | { path: string; every?: number };
  /** Checkpoint file, or { path, every } (default every 1000 steps, and at the end). */
  checkpoint?: string | { path: string; every?: number };
  /** Continue from this checkpoint. */
  resume?: string;
  /**
   * A NaN/±Inf loss or directional derivative always stops the run (status 'diverged'). With the
   * guard (default true) the parameters are restored to the last ones with a finite loss, from a
   * copy taken before each update; `false` skips that copy (saves memory and time on big models).
   */
  guard?: boolean;
  /** Called after every step; return false to stop. */
  onStep?: (info: StepInfo) => void | boolean;
  signal?: AbortSignal;
  thisArg?: unknown;
}

export type DescentStatus = 'completed' | 'stopped' | 'diverged';

export interface DescentResult {
  status: DescentStatus;
  /** The parameters (updated in place where mutable; numbers in this array). */
  params: unknown[];
  /** Loss evaluated at each step this call ran (index 0 = startStep), before that step's update. */
  losses: number[];
  startStep: number;
  /** The last step completed. */
  step: number;
  /** The last finite loss. */
  loss: number;
  seed: number | null;
  elapsedMs: number;
  /** Why the run stopped early. */
  message?: string;
}

/** Settings the algorithms add to the loop (and the checkpoint records). */
export interface AlgorithmSettings { algorithm: string; seed: number | null; directions: number; distribution: string; extraHeader?: Record<string, unknown> }

const fileOf = (x: string | { path: string; every?: number } | undefined, every: number) =>
  x === undefined ? undefined : typeof x === 'string' ? { path: x, every } : { path: x.path, every: x.every ?? every };

export function checkIterations(n: unknown, caller: string): number {
  if (!Number.isInteger(n) || (n as number) < 0) throw new Error(`${caller}: iterations must be an integer ≥ 0, got ${String(n)}`);
  return n as number;
}

export function descend(call: Pick<TwinCall, 'leaves' | 'params'>, estimator: Estimator, options: DescentOptions, settings: AlgorithmSettings, caller: string): DescentResult {
  const iterations = checkIterations(options.iterations, caller);
  const schedule = resolveSchedule(options.lr, options.decay);
  const leaves = call.leaves;
  const optimizer = createOptimizer(options.optimizer, leaves.map((l) => l.data()));
  const logFile = fileOf(options.log, 1), ckFile = fileOf(options.checkpoint, 1000);
  for (const f of [logFile, ckFile]) if (f && !(Number.isInteger(f.every) && f.every >= 1)) throw new Error(`${caller}: 'every' must be an integer ≥ 1, got ${f.every}`);

  let step = 0;
  if (options.resume !== undefined) {
    const ck = loadCheckpoint(options.resume);
    if (ck.algorithm !== settings.algorithm) throw new Error(`${caller}: checkpoint ${options.resume} is from ${ck.algorithm}, not ${settings.algorithm}`);
    for (const k of ['seed', 'directions', 'distribution'] as const) {
      if (ck[k] !== settings[k]) throw new Error(`${caller}: checkpoint ${options.resume} has ${k} ${ck[k]}, this run has ${settings[k]} (resume with the same settings)`);
    }
    checkLeaves(options.resume, ck, leaves);
    leaves.forEach((l, j) => { const d = l.data(), s = ck.params[j]; for (let i = 0; i < l.size; i++) d[i] = s[i]; l.commit(); });
    optimizer.load(ck.optimizer);
    step = ck.step;
  }
  const startStep = step + 1;

  const log = logFile && new JsonLinesLog(logFile.path);
  const progress = createProgress(settings.algorithm, iterations, step, options.progress);
  const snapshot = options.guard === false ? undefined : new Snapshot(leaves);
  const params = leaves.map((l) => l.data());
  const losses: number[] = [];
  let status: DescentStatus = 'completed', message: string | undefined, lastLoss = NaN, elapsed = 0;

  const save = (loss: number) => ckFile && saveCheckpoint(ckFile.path, { algorithm: settings.algorithm, step, seed: settings.seed, directions: settings.directions, distribution: settings.distribution, loss }, leaves, optimizer.state());

  try {
    log?.write({
      type: 'header', algorithm: settings.algorithm, time: new Date().toISOString(), startStep, iterations,
      seed: settings.seed, directions: settings.directions, distribution: settings.distribution,
      lr: typeof options.lr === 'number' ? options.lr : 'schedule', decay: typeof options.lr === 'number' ? options.decay ?? 1e-4 : null,
      optimizer: optimizer.state().name, optimizerHyper: optimizer.state().hyper, guard: options.guard !== false,
      resume: options.resume ?? null, parameters: leaves.map((l) => ({ path: l.path, kind: l.kind, size: l.size })),
      // the kernel backend that ran the tensor ops (not asked for scalar-only runs: that would load it)
      ...(leaves.some((l) => l.kind === 'tensor') ? { backend: getBackend().name } : {}),
      ...settings.extraHeader,
    });
    while (step < iterations) {
      if (options.signal?.aborted) { status = 'stopped'; message = 'aborted by signal'; break; }
      const t = step + 1;
      const t0 = performance.now();
      const lr = schedule(t - 1);
      // One tidy scope per step: the minibatch and every intermediate of the twin runs go back to the pool.
      const { loss, finite } = tidy(() => estimator.estimate(t, options.inputs ? options.inputs(t) : []));
      if (!Number.isFinite(loss)) {
        const restored = snapshot?.restore(leaves);
        status = 'diverged';
        message = `${caller}: loss is ${loss} at step ${t}; ${restored ? `parameters restored to those of step ${t - 1} (last finite loss ${lastLoss})` : snapshot ? 'the initial parameters already give a non-finite loss' : 'guard disabled: parameters left as they are'}`;
        break;
      }
      if (!finite) {
        status = 'diverged';
        message = `${caller}: directional derivative is not finite at step ${t} (loss ${loss}); parameters kept from before this step's update`;
        lastLoss = loss; losses.push(loss);
        break;
      }
      snapshot?.save(leaves);
      // One pass θ ← update(θ, d·v) when both sides allow it; otherwise form g, then update.
      const scaled = optimizer.stepScaled && estimator.scaled?.();
      if (scaled) optimizer.stepScaled!(params, scaled.directions, scaled.scale, lr, t);
      else optimizer.step(params, estimator.gradients(), lr, t);
      for (const l of leaves) l.commit();
      elapsed += performance.now() - t0;
      step = t; lastLoss = loss; losses.push(loss);
      if (log && (t % logFile!.every === 0 || t === iterations)) log.write({ type: 'step', step: t, loss, lr, ms: elapsed });
      progress.update(t, loss);
      if (ckFile && t % ckFile.every === 0) save(loss);
      if (options.onStep?.({ step: t, loss, lr, params: call.params, elapsedMs: elapsed }) === false) { status = 'stopped'; message = `stopped by onStep at step ${t}`; break; }
    }
    if (status !== 'diverged' && ckFile && step % ckFile.every !== 0) save(lastLoss);
    log?.write({ type: 'end', status, step, loss: lastLoss, ms: elapsed, ...(message ? { message } : {}) });
  } finally {
    progress.stop();
    log?.close();
  }
  return { status, params: call.params, losses, startStep, step, loss: lastLoss, seed: settings.seed, elapsedMs: elapsed, message };
}

/** The parameters must all be differentiable arguments. */
export function checkParams(params: unknown, slots: readonly boolean[], name: string, caller: string): unknown[] {
  if (!Array.isArray(params)) throw new TypeError(`${caller}(${name}): params must be an array of the function's leading arguments, got ${describeValue(params)}`);
  params.forEach((p, i) => {
    if (i >= slots.length) throw new Error(`${caller}(${name}): got ${params.length} parameters but the function has ${slots.length} argument(s)`);
    if (!slots[i]) throw new Error(`${caller}(${name}): argument ${i} (${describeValue(p)}) is not differentiable, so it cannot be a parameter; pass it with inputs`);
  });
  return params;
}
