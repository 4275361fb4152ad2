// The paper's MNIST experiments (§5.3–5.5): a model trained by forward gradient descent and by
// backpropagation on the same kernels, the same initial parameters and the same minibatches (run r
// of each method uses seed + r for both), with the paper's schedule η_i = η_0·e^(−i·10⁻⁴) and
// minibatches of 64; validation loss and accuracy every `evalEvery` steps (appended to the run's
// JSON-lines log; evaluation time is not training time); the step costs measured side by side
// first; optionally a learning-rate sweep that gives each method its own best rate.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fgd, loadMnist, Batches, evaluate } from '../../runtime/index';
import type { Tensor } from '../../runtime/index';
import { MODELS } from '../../runtime/models/index';
import type { Model } from '../../runtime/models/index';
import { CliError } from '../output';
import { median, stepCosts, timeToLoss } from './measures';
import {
  METHOD_LABELS,
  MethodName,
  MethodResult,
  RunRecord,
  SweepPoint,
  TrainResults,
  newRunId,
  readRunLog,
} from './results';
import { Inputs, measureSteps, methodOptions } from './timing';

export type ModelKey = 'logreg' | 'mlp' | 'cnn';
export const PAPER_DECAY = 1e-4;
export const PAPER_BATCH = 64;
export const PAPER_RUNS = 5;

/** The default grid of --lr-sweep: half-decades from 1e-4 to 1 (FGD's best rates sit low, backprop's high). */
export const DEFAULT_SWEEP = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1];

export interface TrainOptions {
  model: ModelKey;
  methods: MethodName[];
  /** η_0 per method (default: the model's paperLr). */
  lr: Partial<Record<MethodName, number>>;
  lrSource?: string;
  iterations: number;
  runs: number;
  seed: number;
  directions: number;
  optimizer: string;
  decay: number;
  evalEvery: number;
  data?: string;
  /** Use only the first n training / validation examples (quick runs and tests). */
  trainLimit?: number;
  validationLimit?: number;
  /** Per-run checkpoints and logs live here (so --resume finds them); else in the output folder. */
  checkpointDir?: string;
  checkpointEvery: number;
  resume: boolean;
  lrSweep?: number[];
  timingRounds: number;
  timingSteps: number;
  /** Tests only: SIGKILL this process right after step `step` of run `run` of `method` (a kill mid-run). */
  killAt?: { method: MethodName; run: number; step: number };
  progress: boolean;
  say: (line: string) => void;
}

type Dataset = ReturnType<typeof loadMnist>['train'];

function subset(d: Dataset, n: number | undefined, option: string): Dataset {
  if (n === undefined) return d;
  if (n > d.count) throw new CliError(`${option} ${n}: the data set ${d.name} has only ${d.count} examples`);
  const per = d.height * d.width;
  return { ...d, images: d.images.subarray(0, n * per), labels: d.labels.subarray(0, n), count: n };
}

/** Loads and checks the data before anything is trained. */
export function loadData(o: Pick<TrainOptions, 'data' | 'trainLimit' | 'validationLimit' | 'model'>): {
  train: Dataset;
  validation: Dataset;
  source: string;
} {
  let data: ReturnType<typeof loadMnist>;
  try {
    data = loadMnist(o.data !== undefined ? { data: o.data } : {});
  } catch (e) {
    throw new CliError(o.data !== undefined ? `--data ${o.data}: ${(e as Error).message}` : (e as Error).message);
  }
  for (const d of [data.train, data.validation]) {
    // Every model here reads 28×28 single-channel digits (784 inputs in the first layer).
    if (d.height * d.width !== 784)
      throw new CliError(
        `--data ${o.data ?? '(embedded)'}: ${d.name} has ${d.height}×${d.width} images, but model ${o.model} takes 28×28 (784 inputs)`,
      );
  }
  return {
    train: subset(data.train, o.trainLimit, '--train-limit'),
    validation: subset(data.validation, o.validationLimit, '--validation-limit'),
    source: data.source,
  };
}

/** The settings a checkpoint folder's runs were started with; resuming with others is refused. */
function checkResumeManifest(dir: string, manifest: Record<string, unknown>, resume: boolean): void {
  const file = path.join(dir, 'train.json');
  if (!resume) {
    fs.writeFileSync(file, JSON.stringify(manifest, null, 1));
    return;
  }
  let old: Record<string, unknown>;
  try {
    old = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(
      `--resume ${dir}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); is it a checkpoint folder of forwardgrad train?`,
    );
  }
  const changed = Object.keys({ ...old, ...manifest }).filter(
    (k) => JSON.stringify(old[k]) !== JSON.stringify(manifest[k]),
  );
  if (changed.length)
    throw new CliError(
      `--resume ${dir}: the checkpoints are from another run: ${changed.map((k) => `${k} was ${JSON.stringify(old[k])}, now ${JSON.stringify(manifest[k])}`).join('; ')}`,
    );
}

/** A log line as fgd writes them (non-finite numbers as strings). */
const jsonLine = (record: Record<string, unknown>) =>
  JSON.stringify(record, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) + '\n';

interface OneRun {
  model: Model;
  method: MethodName;
  lr: number;
  run: number;
  seed: number;
  logFile: string;
  checkpoint?: string;
  resume: boolean;
}

function trainOne(o: TrainOptions, data: { train: Dataset; validation: Dataset }, r: OneRun): RunRecord {
  const params = r.model.init(r.seed);
  const batches = new Batches(data.train, { batchSize: PAPER_BATCH, seed: r.seed, layout: r.model.layout });
  const inputs = (t: number) => {
    const b = batches.batch(t);
    return [b.x, b.labels] as const;
  };
  const resuming = r.resume && r.checkpoint !== undefined && fs.existsSync(r.checkpoint);
  // A fresh run starts a fresh log (a resumed one appends to its own).
  if (!resuming) fs.rmSync(r.logFile, { force: true });
  // Appended one line per write (O_APPEND), reopening the file each time: on resume fgd rewrites
  // the log (truncated to the checkpoint's step) as a new file, which a held descriptor would miss.
  const evalAt = (step: number, ms: number) => {
    const { loss, accuracy } = evaluate(r.model, params, data.validation);
    fs.appendFileSync(r.logFile, jsonLine({ type: 'eval', step, ms, valLoss: loss, valAccuracy: accuracy }));
  };
  try {
    if (!resuming) evalAt(0, 0);
    let lastEval = resuming ? -1 : 0;
    const result = fgd(r.model.loss, [params], {
      ...methodOptions(r.method, r.seed, o.directions),
      lr: r.lr,
      decay: o.decay,
      iterations: o.iterations,
      optimizer: o.optimizer as never,
      inputs,
      progress: o.progress,
      log: r.logFile,
      ...(r.checkpoint ? { checkpoint: { path: r.checkpoint, every: o.checkpointEvery } } : {}),
      ...(resuming ? { resume: r.checkpoint } : {}),
      onStep: (i) => {
        if (i.step % o.evalEvery === 0 || i.step === o.iterations) {
          evalAt(i.step, i.elapsedMs);
          lastEval = i.step;
        }
        if (o.killAt && o.killAt.method === r.method && o.killAt.run === r.run && o.killAt.step === i.step)
          process.kill(process.pid, 'SIGKILL');
      },
    } as Parameters<typeof fgd>[2]);
    // A run stopped early (diverged: parameters restored to the last finite step) is evaluated where it stopped.
    if (result.status !== 'completed' && result.step > 0 && lastEval !== result.step) {
      evalAt(result.step, result.elapsedMs);
    }
  } finally {
    batches.dispose();
  }
  const c = readRunLog(r.logFile);
  const lastEval = c.eval.valLoss.length - 1;
  return {
    run: r.run,
    seed: r.seed,
    status: c.status ?? 'stopped',
    ...(c.message ? { message: c.message } : {}),
    steps: c.steps,
    trainingMs: c.trainingMs,
    step: c.step,
    loss: c.loss,
    timeMs: c.timeMs,
    eval: c.eval,
    finalValLoss: c.eval.valLoss[lastEval] ?? NaN,
    valAccuracy: c.eval.valAccuracy[lastEval] ?? NaN,
    log: r.logFile,
  };
}

/** Keeps at most `n` evenly spaced points of a run's training curve (first and last kept) for the JSON. */
function thin(rec: RunRecord, n = 1000): RunRecord {
  if (rec.step.length <= n) return rec;
  const keep = new Set<number>();
  for (let j = 0; j < n; j++) keep.add(Math.round((j * (rec.step.length - 1)) / (n - 1)));
  const pick = <T>(xs: T[]) => xs.filter((_, i) => keep.has(i));
  return { ...rec, step: pick(rec.step), loss: pick(rec.loss), timeMs: pick(rec.timeMs) };
}

export function runTraining(o: TrainOptions, outDir: string): TrainResults {
  const t0 = performance.now();
  const model = (MODELS as Record<ModelKey, Model>)[o.model];
  const data = loadData(o);
  o.say(`data: ${data.source} (${data.train.count} training, ${data.validation.count} validation examples)`);
  const logDir = o.checkpointDir ?? path.join(outDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const lr: Record<MethodName, number> = { fgd: o.lr.fgd ?? model.paperLr, backprop: o.lr.backprop ?? model.paperLr };
  const lrSource: Record<MethodName, string> = {
    fgd: o.lr.fgd !== undefined ? (o.lrSource ?? '--lr') : "the paper's",
    backprop: o.lr.backprop !== undefined ? (o.lrSource ?? '--lr') : "the paper's",
  };
  if (o.checkpointDir) {
    checkResumeManifest(
      o.checkpointDir,
      {
        model: o.model,
        methods: o.methods,
        lr,
        iterations: o.iterations,
        runs: o.runs,
        seed: o.seed,
        directions: o.directions,
        optimizer: o.optimizer,
        decay: o.decay,
        batchSize: PAPER_BATCH,
        data: data.source,
        train: data.train.count,
        validation: data.validation.count,
        lrSweep: o.lrSweep ?? null,
      },
      o.resume,
    );
  }

  // Step costs first, on fresh parameters, before training warms anything differently for one method.
  o.say(`timing one step of each method (${o.timingRounds} interleaved rounds × ${o.timingSteps} steps)…`);
  const timingBatches = new Batches(data.train, { batchSize: PAPER_BATCH, seed: o.seed, layout: model.layout });
  const timingInputs: Inputs = (t) => {
    const b = timingBatches.batch(t);
    return [b.x as Tensor, b.labels];
  };
  let timings;
  try {
    timings = measureSteps(model, model.init(o.seed), timingInputs, o.methods, {
      rounds: o.timingRounds,
      stepsPerRound: o.timingSteps,
      seed: o.seed,
      directions: o.directions,
    });
  } finally {
    timingBatches.dispose();
  }
  const steps = {
    ...stepCosts(
      timings.base,
      o.methods.includes('fgd') ? timings.fgd : undefined,
      o.methods.includes('backprop') ? timings.backprop : undefined,
    ),
    rounds: o.timingRounds,
    stepsPerRound: o.timingSteps,
  };

  const sweeps: Partial<Record<MethodName, SweepPoint[]>> = {};
  const sweepRuns = new Map<string, RunRecord>(); // `${method}@${lr}` → its run (seed o.seed = main run 1's)
  if (o.lrSweep) {
    for (const method of o.methods) {
      const points: SweepPoint[] = [];
      for (const rate of o.lrSweep) {
        o.say(`sweep: ${method} at lr ${rate}`);
        const ck = o.checkpointDir ? path.join(o.checkpointDir, `sweep-${method}-lr${rate}.ckpt`) : undefined;
        const rec = trainOne(o, data, {
          model,
          method,
          lr: rate,
          run: 1,
          seed: o.seed,
          logFile: path.join(logDir, `sweep-${method}-lr${rate}.jsonl`),
          checkpoint: ck,
          resume: o.resume,
        });
        sweepRuns.set(`${method}@${rate}`, rec);
        points.push({
          lr: rate,
          status: rec.status,
          bestValLoss: rec.status === 'diverged' ? Infinity : Math.min(...rec.eval.valLoss),
          valAccuracy: rec.valAccuracy,
        });
      }
      sweeps[method] = points;
      const best = points.reduce((a, b) => (b.bestValLoss < a.bestValLoss ? b : a));
      if (!Number.isFinite(best.bestValLoss))
        throw new CliError(`--lr-sweep: every rate diverged for ${method} (${o.lrSweep.join(', ')})`);
      lr[method] = best.lr;
      lrSource[method] = `the sweep's best (lowest validation loss over ${o.lrSweep.join(', ')})`;
    }
  }

  const methods: MethodResult[] = o.methods.map((method) => {
    const runs: RunRecord[] = [];
    for (let run = 1; run <= o.runs; run++) {
      const seed = o.seed + run - 1;
      o.say(`${method} run ${run}/${o.runs} (lr ${lr[method]}, seed ${seed})`);
      const ck = o.checkpointDir ? path.join(o.checkpointDir, `${method}-run${run}.ckpt`) : undefined;
      const logFile = path.join(logDir, `${method}-run${run}.jsonl`);
      const swept = run === 1 ? sweepRuns.get(`${method}@${lr[method]}`) : undefined;
      if (swept) {
        // The sweep already ran this exact run (same seed, rate, length): fgd runs are a pure
        // function of those, so it is reused rather than trained again.
        fs.copyFileSync(swept.log, logFile);
        runs.push(thin({ ...swept, log: logFile }));
        continue;
      }
      runs.push(
        thin(
          trainOne(o, data, { model, method, lr: lr[method], run, seed, logFile, checkpoint: ck, resume: o.resume }),
        ),
      );
    }
    return {
      method,
      label: METHOD_LABELS[method],
      lr: lr[method],
      lrSource: lrSource[method],
      runs,
      valAccuracy: median(runs.map((r) => r.valAccuracy)),
      ...(sweeps[method] ? { sweep: sweeps[method] } : {}),
    };
  });

  // Logs kept in a checkpoint folder are copied beside the results (the report links them).
  if (o.checkpointDir) {
    const dest = path.join(outDir, 'logs');
    fs.mkdirSync(dest, { recursive: true });
    for (const m of methods)
      for (const r of m.runs) {
        fs.copyFileSync(r.log, path.join(dest, path.basename(r.log)));
      }
  }
  for (const m of methods) for (const r of m.runs) r.log = `logs/${path.basename(r.log)}`;

  const byMethod = (k: MethodName) => methods.find((m) => m.method === k);
  const f = byMethod('fgd'),
    b = byMethod('backprop');
  const curves = (m: MethodResult) => m.runs.map((r) => ({ ms: r.eval.timeMs, valLoss: r.eval.valLoss }));
  return {
    kind: 'forwardgrad-train',
    version: 1,
    runId: newRunId(),
    createdAt: new Date().toISOString(),
    experiment: o.model,
    model: { name: model.name, description: model.description, paperLr: model.paperLr },
    data: { source: data.source, train: data.train.count, validation: data.validation.count },
    settings: {
      iterations: o.iterations,
      runs: o.runs,
      seed: o.seed,
      batchSize: PAPER_BATCH,
      decay: o.decay,
      directions: o.directions,
      optimizer: o.optimizer,
      evalEvery: o.evalEvery,
    },
    methods,
    steps,
    ...(f && b ? { timeToLoss: timeToLoss(curves(f), curves(b)) } : {}),
    totalMs: performance.now() - t0,
  };
}
