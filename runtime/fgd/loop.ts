// The descent loop shared by fgd and gd: estimate → guard → update, plus the schedule, logging,
// checkpoints, resume and the progress bar. Steps are numbered from 1; checkpoints hold the state
// after a step, and a resumed run continues with the next step's directions, so an interrupted
// and resumed run is bit-identical to an uninterrupted one.
import { Snapshot } from './guard';
import { Schedule, resolveSchedule } from './schedule';
import { OptimizerSpec, createOptimizer } from './optimizers';
import { JsonLinesLog } from './log';
import { createProgress } from './progress';
import { OptionValue, RunIdentity, checkResume, hashText, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { checkOptions } from '../options';
import { truncateLog } from './log';
import { describeValue } from '../leaves';
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
  /**
   * Continue from this checkpoint. It must have been written by the same run (function, options,
   * parameters); `allowChanged` names the options that may differ (e.g. ['lr'] to lower the rate).
   */
  resume?: string | { path: string; allowChanged?: readonly string[] };
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
export interface AlgorithmSettings {
  algorithm: string;
  seed: number | null;
  directions: number;
  distribution: string;
  extraHeader?: Record<string, unknown>;
}

/** The keys descend reads (fgd adds its own); nested objects are checked where they are read. */
export const DESCENT_OPTIONS = [
  'lr',
  'decay',
  'iterations',
  'optimizer',
  'inputs',
  'progress',
  'log',
  'checkpoint',
  'resume',
  'guard',
  'onStep',
  'signal',
  'thisArg',
];

/** Options are required (lr and iterations have no defaults) and may hold only known keys. */
export function checkDescentOptions(options: unknown, extra: readonly string[], caller: string): void {
  if (options === undefined)
    throw new Error(`${caller}: options are required: ${caller}(f, params, { lr, iterations, ... })`);
  checkOptions(options, [...DESCENT_OPTIONS, ...extra], caller, true);
}

function fileOf(
  x: string | { path: string; every?: number } | undefined,
  every: number,
  what: string,
  caller: string,
): { path: string; every: number } | undefined {
  if (x === undefined) return undefined;
  if (typeof x !== 'string') checkOptions(x, ['path', 'every'], `${caller}: ${what}`, true);
  const f = typeof x === 'string' ? { path: x, every } : { path: x.path, every: x.every ?? every };
  if (typeof f.path !== 'string' || f.path === '')
    throw new Error(`${caller}: ${what}.path must be a non-empty string, got ${JSON.stringify(f.path)}`);
  if (!(Number.isInteger(f.every) && f.every >= 1))
    throw new Error(`${caller}: ${what}.every must be an integer ≥ 1, got ${f.every}`);
  return f;
}

/** The resume option as { path, allowChanged } (a string is the path). */
export function resumeOf(
  x: DescentOptions['resume'],
  caller: string,
): { path: string; allowChanged: readonly string[] } | undefined {
  if (x === undefined) return undefined;
  if (typeof x !== 'string') checkOptions(x, ['path', 'allowChanged'], `${caller}: resume`, true);
  const r =
    typeof x === 'string' ? { path: x, allowChanged: [] } : { path: x.path, allowChanged: x.allowChanged ?? [] };
  if (typeof r.path !== 'string' || r.path === '')
    throw new Error(`${caller}: resume.path must be a non-empty string, got ${JSON.stringify(r.path)}`);
  if (!Array.isArray(r.allowChanged) || r.allowChanged.some((f) => typeof f !== 'string'))
    throw new Error(
      `${caller}: resume.allowChanged must be an array of field names, got ${JSON.stringify(r.allowChanged)}`,
    );
  return r;
}

/** A schedule's identity: its source and its values at a few iterations (closures hide their constants from the source). */
function scheduleId(s: Schedule): string {
  return hashText(`${String(s)}\n${[0, 1, 10, 100, 1000, 10000].map((i) => s(i)).join(',')}`);
}

/** Everything besides the state that decides the run's future (recorded in checkpoints, compared on resume). */
function runIdentity(
  call: Pick<TwinCall, 'twin'>,
  options: DescentOptions,
  settings: AlgorithmSettings,
  optimizer: { name: string; hyper: Record<string, number | boolean> },
): RunIdentity {
  const fixed = typeof options.lr === 'number';
  const extra = Object.entries(settings.extraHeader ?? {}).filter(
    ([, v]) => v === null || ['number', 'string', 'boolean'].includes(typeof v),
  );
  return {
    algorithm: settings.algorithm,
    function: { name: call.twin.meta.name, twin: hashText(String(call.twin.fn)) },
    options: {
      lr: fixed ? (options.lr as number) : 'schedule',
      schedule: fixed ? null : scheduleId(options.lr as Schedule),
      decay: fixed ? (options.decay ?? 1e-4) : null,
      optimizer: optimizer.name,
      ...Object.fromEntries(Object.entries(optimizer.hyper).map(([k, v]) => [`optimizer.${k}`, v])),
      seed: settings.seed,
      directions: settings.directions,
      distribution: settings.distribution,
      ...(Object.fromEntries(extra) as Record<string, OptionValue>),
    },
  };
}

/** `fgd: kernels on the wasm backend, 2 threads`: the backend's name and, where it has one, its thread count. */
export function backendLine(algorithm: string): string {
  const b = getBackend() as { name: string; threads?: unknown };
  const threads = typeof b.threads === 'number' ? `, ${b.threads} thread${b.threads === 1 ? '' : 's'}` : '';
  return `${algorithm}: kernels on the ${b.name} backend${threads}`;
}

export function checkIterations(n: unknown, caller: string): number {
  if (!Number.isInteger(n) || (n as number) < 0)
    throw new Error(`${caller}: iterations must be an integer ≥ 0, got ${String(n)}`);
  return n as number;
}

export function descend(
  call: Pick<TwinCall, 'leaves' | 'params' | 'twin'>,
  estimator: Estimator,
  options: DescentOptions,
  settings: AlgorithmSettings,
  caller: string,
): DescentResult {
  const iterations = checkIterations(options.iterations, caller);
  const schedule = resolveSchedule(options.lr, options.decay);
  const leaves = call.leaves;
  const optimizer = createOptimizer(
    options.optimizer,
    leaves.map((l) => l.data()),
  );
  const logFile = fileOf(options.log, 1, 'log', caller),
    ckFile = fileOf(options.checkpoint, 1000, 'checkpoint', caller);
  const resume = resumeOf(options.resume, caller);
  // Only checkpointed runs are identified (the schedule's fingerprint calls it at a few iterations).
  const run = ckFile || resume ? runIdentity(call, options, settings, optimizer.state()) : undefined;

  let step = 0;
  if (resume) {
    // Everything is checked before anything is written into the parameters.
    const ck = loadCheckpoint(resume.path);
    checkResume(ck, run!, leaves, iterations, resume.allowChanged, caller);
    leaves.forEach((l, j) => {
      const d = l.data(),
        s = ck.params[j];
      for (let i = 0; i < l.size; i++) d[i] = s[i];
      l.commit();
    });
    // Hyper-parameters were compared above (an allowed change keeps this run's values).
    optimizer.load({ ...ck.optimizer, hyper: optimizer.state().hyper });
    step = ck.step;
    // The log keeps one record per step: drop what the interrupted run logged after the checkpoint.
    if (logFile) truncateLog(logFile.path, step);
  }
  const startStep = step + 1;

  const log = logFile && new JsonLinesLog(logFile.path);
  // a tensor run with a bar says once which kernels it runs on (a scalar-only run never loads a backend for it)
  const runsOn = leaves.some((l) => l.kind === 'tensor') ? () => backendLine(settings.algorithm) : undefined;
  const progress = createProgress(settings.algorithm, iterations, step, options.progress, runsOn);
  // With checkpoints the guard also keeps the optimizer's slots, so a guard stop can save a consistent last good state.
  const slotBuffers = ckFile ? Object.values(optimizer.state().slots).flat() : [];
  const snapshot = options.guard === false ? undefined : new Snapshot(leaves, slotBuffers);
  const params = leaves.map((l) => l.data());
  const losses: number[] = [];
  let status: DescentStatus = 'completed',
    message: string | undefined,
    lastLoss = NaN,
    elapsed = 0;

  const save = (at: number, loss: number) =>
    ckFile && saveCheckpoint(ckFile.path, run!, { step: at, loss }, leaves, optimizer.state());

  try {
    log?.write({
      type: 'header',
      algorithm: settings.algorithm,
      time: new Date().toISOString(),
      startStep,
      iterations,
      seed: settings.seed,
      directions: settings.directions,
      distribution: settings.distribution,
      lr: typeof options.lr === 'number' ? options.lr : 'schedule',
      decay: typeof options.lr === 'number' ? (options.decay ?? 1e-4) : null,
      optimizer: optimizer.state().name,
      optimizerHyper: optimizer.state().hyper,
      guard: options.guard !== false,
      resume: resume?.path ?? null,
      ...(resume?.allowChanged.length ? { allowChanged: resume.allowChanged } : {}),
      parameters: leaves.map((l) => ({ path: l.path, kind: l.kind, size: l.size })),
      // the kernel backend that ran the tensor ops (not asked for scalar-only runs: that would load it)
      ...(leaves.some((l) => l.kind === 'tensor') ? { backend: getBackend().name } : {}),
      ...settings.extraHeader,
    });
    while (step < iterations) {
      if (options.signal?.aborted) {
        status = 'stopped';
        message = 'aborted by signal';
        break;
      }
      const t = step + 1;
      const t0 = performance.now();
      const lr = schedule(t - 1);
      if (typeof lr !== 'number' || !(lr >= 0 && lr < Infinity)) {
        throw new Error(
          `${caller}: the learning rate for step ${t} (the schedule's value at iteration ${t - 1}) is ${String(lr)}; it must be a finite number ≥ 0`,
        );
      }
      // One tidy scope per step: the minibatch and every intermediate of the twin runs go back to the pool.
      const { loss, finite } = tidy(() => estimator.estimate(t, options.inputs ? options.inputs(t) : []));
      if (!Number.isFinite(loss)) {
        const restored = snapshot?.restore(leaves);
        status = 'diverged';
        message = `${caller}: loss is ${loss} at step ${t}; ${restored ? `parameters restored to those of step ${t - 1} (last finite loss ${lastLoss})` : snapshot ? 'the initial parameters already give a non-finite loss' : 'guard disabled: parameters left as they are'}`;
        // The restored state is the one after step t − 2's update (with the optimizer's slots): the
        // checkpoint holds it, so a resume starts from these last good parameters, never the diverged ones.
        if (restored) save(t - 2, lastLoss);
        break;
      }
      if (!finite) {
        status = 'diverged';
        message = `${caller}: directional derivative is not finite at step ${t} (loss ${loss}); parameters kept from before this step's update`;
        lastLoss = loss;
        losses.push(loss);
        save(step, loss); // nothing was updated: the state after step t − 1 is good
        break;
      }
      // One pass θ ← update(θ, d·v) when both sides allow it; otherwise form g, then update. The
      // guard's snapshot of θ is written by the update itself, in the same pass (saveTo).
      const saveTo = snapshot?.beforeUpdate();
      const scaled = optimizer.stepScaled && estimator.scaled?.();
      if (scaled) optimizer.stepScaled!(params, scaled.directions, scaled.scale, lr, t, saveTo);
      else optimizer.step(params, estimator.gradients(), lr, t, saveTo);
      snapshot?.afterUpdate();
      for (const l of leaves) l.commit();
      elapsed += performance.now() - t0;
      step = t;
      lastLoss = loss;
      losses.push(loss);
      if (log && (t % logFile!.every === 0 || t === iterations))
        log.write({ type: 'step', step: t, loss, lr, ms: elapsed });
      progress.update(t, loss);
      if (ckFile && t % ckFile.every === 0) save(t, loss);
      if (options.onStep?.({ step: t, loss, lr, params: call.params, elapsedMs: elapsed }) === false) {
        status = 'stopped';
        message = `stopped by onStep at step ${t}`;
        break;
      }
    }
    if (status !== 'diverged' && ckFile && step % ckFile.every !== 0) save(step, lastLoss);
    log?.write({ type: 'end', status, step, loss: lastLoss, ms: elapsed, ...(message ? { message } : {}) });
  } finally {
    progress.stop();
    log?.close();
    optimizer.dispose?.(); // its pooled slots go back (a checkpoint already holds what a resume needs)
    snapshot?.dispose();
  }
  return {
    status,
    params: call.params,
    losses,
    startStep,
    step,
    loss: lastLoss,
    seed: settings.seed,
    elapsedMs: elapsed,
    message,
  };
}

/** The parameters must all be differentiable arguments. */
export function checkParams(params: unknown, slots: readonly boolean[], name: string, caller: string): unknown[] {
  if (!Array.isArray(params))
    throw new TypeError(
      `${caller}(${name}): params must be an array of the function's leading arguments, got ${describeValue(params)}`,
    );
  params.forEach((p, i) => {
    if (i >= slots.length)
      throw new Error(
        `${caller}(${name}): got ${params.length} parameters but the function has ${slots.length} argument(s)`,
      );
    if (!slots[i])
      throw new Error(
        `${caller}(${name}): argument ${i} (${describeValue(p)}) is not differentiable, so it cannot be a parameter; pass it with inputs`,
      );
  });
  return params;
}
