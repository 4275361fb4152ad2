// The results.json that `train` and `demo` write beside the report, and the reading of a run's
// JSON-lines training log (written by fgd, with our evaluation records appended) back into curves.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { readJsonLines } from '../../runtime/fgd/log';
import type { StepCosts, TimeToLoss } from './measures';

export const RESULTS_FILE = 'results.json';
export type MethodName = 'fgd' | 'backprop';
export const METHOD_LABELS: Readonly<Record<MethodName, string>> = {
  fgd: 'Forward gradient (FGD)',
  backprop: 'Backpropagation',
};

export interface RunCurves {
  /** Training loss at the logged steps, and the training time (ms, evaluation excluded) after each. */
  step: number[];
  loss: number[];
  timeMs: number[];
  /** Validation loss and accuracy every --eval-every steps (step 0 = the initial parameters). */
  eval: { step: number[]; timeMs: number[]; valLoss: number[]; valAccuracy: number[] };
}

export interface RunRecord extends RunCurves {
  run: number;
  /** Seed of the initial parameters, the minibatch order and (FGD) the directions. */
  seed: number;
  status: 'completed' | 'stopped' | 'diverged';
  message?: string;
  steps: number;
  trainingMs: number;
  finalValLoss: number;
  valAccuracy: number;
  log: string;
}

export interface SweepPoint {
  lr: number;
  status: RunRecord['status'];
  bestValLoss: number;
  valAccuracy: number;
}

export interface MethodResult {
  method: MethodName;
  label: string;
  lr: number;
  /** Why this lr: the paper's, --lr, the demo's, or the sweep's best. */
  lrSource: string;
  runs: RunRecord[];
  /** Median over runs of the final validation accuracy. */
  valAccuracy: number;
  sweep?: SweepPoint[];
}

export interface TrainResults {
  kind: 'forwardgrad-train';
  version: 1;
  runId: string;
  createdAt: string;
  experiment: 'logreg' | 'mlp' | 'cnn';
  model: { name: string; description: string; paperLr: number };
  data: { source: string; train: number; validation: number };
  settings: {
    iterations: number;
    runs: number;
    seed: number;
    batchSize: number;
    decay: number;
    directions: number;
    optimizer: string;
    evalEvery: number;
  };
  methods: MethodResult[];
  /** Step costs measured side by side in this process (interleaved rounds, medians). */
  steps: StepCosts & { rounds: number; stepsPerRound: number };
  /** T_b, T_f (median ms; Infinity = not reached) when both methods ran. */
  timeToLoss?: TimeToLoss;
  totalMs: number;
}

export interface ScalingPoint {
  depth: number;
  parameters: number;
  /**
   * Median ms of one step; peak bytes of pooled tensors alive beyond those held before the run
   * (memoryInfo().peakBytes after resetPeakMemory(), less the live bytes at that moment).
   */
  methods: Array<{ method: MethodName; ms: number; peakBytes: number; status: RunRecord['status'] }>;
  baseMs: number;
}

export interface ScalingResults {
  kind: 'forwardgrad-scaling';
  version: 1;
  runId: string;
  createdAt: string;
  settings: { depths: number[]; batchSize: number; rounds: number; stepsPerRound: number; seed: number; width: number };
  points: ScalingPoint[];
  totalMs: number;
}

export type AnyResults = TrainResults | ScalingResults;

export function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${crypto.randomBytes(3).toString('hex')}`;
}

/** JSON with ±Infinity/NaN kept (as strings), since "not reached" is a result. */
export function resultsJson(r: AnyResults): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1);
}

const revive = (_k: string, v: unknown) =>
  v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v === 'NaN' ? NaN : v;

export function readResults(file: string): AnyResults {
  let doc: AnyResults;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'), revive);
  } catch (e) {
    throw new Error(`report: cannot read ${file} (${(e as Error).message})`);
  }
  if (doc?.kind !== 'forwardgrad-train' && doc?.kind !== 'forwardgrad-scaling')
    throw new Error(`report: ${file} is not a forwardgrad results file (kind ${(doc as { kind?: unknown })?.kind})`);
  if (typeof doc.runId !== 'string') throw new Error(`report: ${file} has no runId`);
  return doc;
}

const num = (v: unknown) =>
  typeof v === 'number' ? v : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : NaN;

/**
 * The curves of one run from its log. A resumed run appends to the same log: steps logged again
 * after the checkpoint replace the earlier copies (bit-identical by fgd's guarantee), and the
 * resumed part's times continue from the checkpoint step's time.
 */
export function readRunLog(
  file: string,
): RunCurves & { status: RunRecord['status'] | undefined; message?: string; steps: number; trainingMs: number } {
  const steps = new Map<number, { loss: number; ms: number }>();
  const evals = new Map<number, { ms: number; valLoss: number; valAccuracy: number }>();
  let offset = 0,
    status: RunRecord['status'] | undefined,
    message: string | undefined,
    last = 0,
    lastMs = 0;
  for (const r of readJsonLines(file)) {
    if (r.type === 'header' && r.resume) {
      const at = steps.get(r.startStep - 1);
      offset = at ? at.ms : 0;
    } else if (r.type === 'step') {
      steps.set(r.step, { loss: num(r.loss), ms: num(r.ms) + offset });
    } else if (r.type === 'eval') {
      evals.set(r.step, {
        ms: num(r.ms) + (r.step === 0 ? 0 : offset),
        valLoss: num(r.valLoss),
        valAccuracy: num(r.valAccuracy),
      });
    } else if (r.type === 'end') {
      status = r.status;
      message = r.message;
      last = r.step;
      lastMs = num(r.ms) + offset;
    }
  }
  const sSteps = [...steps.keys()].sort((a, b) => a - b),
    eSteps = [...evals.keys()].sort((a, b) => a - b);
  return {
    step: sSteps,
    loss: sSteps.map((s) => steps.get(s)!.loss),
    timeMs: sSteps.map((s) => steps.get(s)!.ms),
    eval: {
      step: eSteps,
      timeMs: eSteps.map((s) => evals.get(s)!.ms),
      valLoss: eSteps.map((s) => evals.get(s)!.valLoss),
      valAccuracy: eSteps.map((s) => evals.get(s)!.valAccuracy),
    },
    status,
    message,
    steps: last,
    trainingMs: lastMs,
  };
}
