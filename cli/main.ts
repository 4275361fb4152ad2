#!/usr/bin/env node
// The `forwardgrad` command line: demo, train, report, emit, init, bench. The top layer over runtime/
// and the transformer: the transformer (and typescript) is loaded lazily, only by `emit`/`init`; the MNIST
// experiments (models, data) only by the commands that train them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Command, InvalidArgumentError, Option } from 'commander';
import { PAPER_SETTINGS, TestFunctionKey, runTestFnExperiment } from './experiments/testfns';
import { LOG_FILE } from './report/testfns';
import { writeFileAtomic } from '../runtime/fgd/atomic';
import { CliError, ensureWritableFolder, requireInputFolder, stageOutput, withStagedOutput } from './output';
import type { MethodName, TrainResults, ScalingResults } from './experiments/results';
import type { TrainOptions } from './experiments/train';

const TEST_FNS = Object.keys(PAPER_SETTINGS) as TestFunctionKey[];
const MNIST_MODELS = ['logreg', 'mlp', 'cnn'] as const;
const EXPERIMENTS = [...TEST_FNS, ...MNIST_MODELS, 'scaling'] as const;
type Experiment = (typeof EXPERIMENTS)[number];

/** Exit status of a run that completed but diverged (errors exit 1). */
export const EXIT_DIVERGED = 2;

// ---- option parsing: every value checked; a repeated single-valued flag is an error, never "last wins"

type Parse<T> = (v: string) => T;
const positiveNumber =
  (name: string): Parse<number> =>
  (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0)
      throw new InvalidArgumentError(`${name} must be a number > 0`);
    return n;
  };
const integer =
  (name: string, min: number): Parse<number> =>
  (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isSafeInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
    return n;
  };
const oneOf =
  <T extends string>(name: string, values: readonly T[]): Parse<T> =>
  (v) => {
    if (!(values as readonly string[]).includes(v))
      throw new InvalidArgumentError(`${name} must be one of ${values.join(', ')}`);
    return v as T;
  };
const list =
  <T>(name: string, item: Parse<T>): Parse<T[]> =>
  (v) => {
    const parts = v.split(',').map((s) => s.trim());
    if (parts.some((p) => p === '')) throw new InvalidArgumentError(`${name} must be a comma-separated list`);
    return parts.map(item);
  };
const text =
  (name: string): Parse<string> =>
  (v) => {
    if (v.trim() === '') throw new InvalidArgumentError(`${name} must not be empty`);
    return v;
  };

const killAt: Parse<{ method: MethodName; run: number; step: number }> = (v) => {
  const m = /^(fgd|backprop):(\d+):(\d+)$/.exec(v);
  if (!m) throw new InvalidArgumentError('--test-kill-at must be method:run:step');
  return { method: m[1] as MethodName, run: Number(m[2]), step: Number(m[3]) };
};

/** Per program: flags seen so far, so a second `--lr` is refused. */
function onceParsers() {
  const seen = new Set<string>();
  return <T>(name: string, parse: Parse<T>) =>
    (v: string): T => {
      if (seen.has(name)) throw new InvalidArgumentError(`${name} was given more than once (give it once)`);
      seen.add(name);
      return parse(v);
    };
}

const say = (quiet: boolean) => (line: string) => {
  if (!quiet) console.log(line);
};

function textTable(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(head), w.map((n) => '─'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

// ---- the experiments

async function runTestFns(o: {
  functions: TestFunctionKey[];
  lr?: number;
  iterations?: number;
  runs: number;
  seed: number;
  samples: number;
  out: string;
  force: boolean;
  quiet: boolean;
}): Promise<{ index: string; diverged: string[] }> {
  const log = say(o.quiet);
  const t0 = Date.now();
  const overrides = Object.fromEntries(
    o.functions.map((k) => [
      k,
      {
        ...(o.lr !== undefined ? { lr: o.lr } : {}),
        ...(o.iterations !== undefined ? { iterations: o.iterations } : {}),
      },
    ]),
  );
  const { value, dir } = await withStagedOutput(o.out, '--out', o.force, async (staging) => {
    const exp = runTestFnExperiment({
      functions: o.functions,
      runs: o.runs,
      seed: o.seed,
      samples: o.samples,
      overrides,
      onRunDone: (fn, method, run) => {
        if (process.stdout.isTTY && !o.quiet) process.stdout.write(`\r${fn} ${method} run ${run + 1}   `);
      },
    });
    if (process.stdout.isTTY && !o.quiet) process.stdout.write('\n');
    writeFileAtomic(path.join(staging, LOG_FILE), JSON.stringify(exp));
    const diverged: string[] = [];
    for (const fn of exp.functions) {
      for (const m of fn.methods) {
        const finals = m.runs.map((r) => r.finalLoss).sort((a, b) => a - b);
        const bad = m.runs.filter((r) => r.status === 'diverged').length;
        if (bad) diverged.push(`${fn.name} ${m.method}: ${bad} of ${m.runs.length} runs diverged`);
        log(
          `${fn.name.padEnd(10)} ${m.method.padEnd(3)} ${fn.settings.iterations} iterations × ${m.runs.length} runs: median final loss ${finals[finals.length >> 1].toExponential(3)}${bad ? ` — DIVERGED in ${bad} run(s)` : ''}`,
        );
      }
    }
    const { writeReport } = require('./report/index') as typeof import('./report/index');
    await writeReport(staging, staging);
    log(`experiment took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return diverged;
  });
  return { index: path.join(dir, 'index.html'), diverged: value };
}

function summarize(r: TrainResults): { table: string; diverged: string[] } {
  const { fmt } = require('./report/train') as typeof import('./report/train');
  const { PAPER_TABLE } = require('./experiments/measures') as typeof import('./experiments/measures');
  const diverged: string[] = [];
  const rows = r.methods.map((m) => {
    const bad = m.runs.filter((x) => x.status === 'diverged').length;
    if (bad)
      diverged.push(
        `${m.method}: ${bad} of ${m.runs.length} runs diverged (${m.runs.find((x) => x.status === 'diverged')?.message ?? ''})`,
      );
    const stepMs = m.method === 'fgd' ? r.steps.fgdMs : r.steps.backpropMs;
    return [
      m.label,
      String(m.lr),
      fmt.pct(m.valAccuracy),
      fmt.ms(stepMs),
      m.method === 'fgd' ? fmt.ratio(r.steps.rf) : fmt.ratio(r.steps.rb),
      bad ? 'DIVERGED' : [...new Set(m.runs.map((x) => x.status))].join(','),
    ];
  });
  const p = PAPER_TABLE[r.experiment];
  const t = r.timeToLoss;
  const lines = [
    textTable(['method', 'η0', 'val. accuracy', 'step', 'R (step/base)', 'status'], rows),
    `base runtime (forward + loss) ${fmt.ms(r.steps.baseMs)}; R_f/R_b ${fmt.ratio(r.steps.rfOverRb)} (paper ${p.rfOverRb})`,
    ...(t
      ? [
          `T_b ${fmt.ms(t.tb)} (backprop's lowest validation loss), T_f ${fmt.ms(t.tf)} (FGD to that loss), T_f/T_b ${fmt.ratio(t.ratio)} (paper ${p.tfOverTb})`,
        ]
      : []),
  ];
  return { table: lines.join('\n'), diverged };
}

async function runMnist(
  o: TrainOptions & { out: string; force: boolean; quiet: boolean },
): Promise<{ index: string; diverged: string[]; summary: string; results: TrainResults }> {
  const { runTraining } = require('./experiments/train') as typeof import('./experiments/train');
  const { resultsJson, RESULTS_FILE } = require('./experiments/results') as typeof import('./experiments/results');
  const { value, dir } = await withStagedOutput(o.out, '--out', o.force, async (staging) => {
    const results = runTraining(o, staging);
    writeFileAtomic(path.join(staging, RESULTS_FILE), resultsJson(results));
    const { writeReport } = require('./report/index') as typeof import('./report/index');
    await writeReport(staging, staging);
    return results;
  });
  const s = summarize(value);
  return { index: path.join(dir, 'index.html'), diverged: s.diverged, summary: s.table, results: value };
}

async function runScalingCmd(o: {
  depths: number[];
  methods: MethodName[];
  seed: number;
  directions: number;
  rounds: number;
  steps: number;
  data?: string;
  trainLimit?: number;
  out: string;
  force: boolean;
  quiet: boolean;
}): Promise<{ index: string; diverged: string[]; summary: string }> {
  const { runScaling } = require('./experiments/scaling') as typeof import('./experiments/scaling');
  const { resultsJson, RESULTS_FILE } = require('./experiments/results') as typeof import('./experiments/results');
  const { fmt } = require('./report/train') as typeof import('./report/train');
  const { value, dir } = await withStagedOutput(o.out, '--out', o.force, async (staging) => {
    const results: ScalingResults = runScaling({
      depths: o.depths,
      methods: o.methods,
      seed: o.seed,
      directions: o.directions,
      rounds: o.rounds,
      stepsPerRound: o.steps,
      data: o.data,
      trainLimit: o.trainLimit,
      say: say(o.quiet),
    });
    writeFileAtomic(path.join(staging, RESULTS_FILE), resultsJson(results));
    const { writeReport } = require('./report/index') as typeof import('./report/index');
    await writeReport(staging, staging);
    return results;
  });
  const diverged = value.points.flatMap((p) =>
    p.methods.filter((m) => m.status === 'diverged').map((m) => `depth ${p.depth} ${m.method} diverged`),
  );
  const summary = textTable(
    ['L', ...o.methods.flatMap((m) => [`${m} ms`, `${m} peak`])],
    value.points.map((p) => [String(p.depth), ...p.methods.flatMap((m) => [fmt.ms(m.ms), fmt.mb(m.peakBytes)])]),
  );
  return { index: path.join(dir, 'index.html'), diverged, summary };
}

function finish(r: { index: string; diverged: string[]; summary?: string }, quiet: boolean): void {
  if (r.summary && !quiet) console.log(r.summary);
  for (const d of r.diverged) console.log(`diverged: ${d}`);
  console.log(`report: ${r.index}`);
  if (r.diverged.length) {
    console.log(
      'the run diverged (a non-finite loss stopped it; parameters kept from the last finite step): try a smaller --lr',
    );
    process.exitCode = EXIT_DIVERGED;
  }
}

interface TrainFlags {
  fn?: string[];
  method?: 'fgd' | 'backprop' | 'both';
  lr?: number;
  iterations?: number;
  iters?: number;
  runs?: number;
  seed?: number;
  directions?: number;
  optimizer?: string;
  data?: string;
  out?: string;
  evalEvery?: number;
  checkpoint?: string;
  checkpointEvery?: number;
  resume?: string;
  lrSweep?: number[] | true;
  depths?: number[];
  force?: boolean;
  quiet?: boolean;
  samples?: number;
  trainLimit?: number;
  validationLimit?: number;
  timingRounds?: number;
  timingSteps?: number;
  testKillAt?: { method: MethodName; run: number; step: number };
}

async function train(positional: string | undefined, f: TrainFlags): Promise<void> {
  // Which experiment: the positional, or --fn (kept from before; may repeat, accumulating).
  if (positional !== undefined && !(EXPERIMENTS as readonly string[]).includes(positional))
    throw new CliError(`train: unknown experiment '${positional}' (one of ${EXPERIMENTS.join(', ')})`);
  if (positional !== undefined && f.fn)
    throw new CliError(`train: give the experiment once: '${positional}' and --fn ${f.fn.join(' --fn ')}`);
  if (positional === undefined && !f.fn)
    throw new CliError(`train: which experiment? forwardgrad train <${EXPERIMENTS.join('|')}>`);
  if (f.iterations !== undefined && f.iters !== undefined)
    throw new CliError('train: --iters is an alias of --iterations; give one of them');
  const iterations = f.iterations ?? f.iters;
  const exp = (positional ?? 'testfns') as Experiment | 'testfns';
  const quiet = !!f.quiet,
    force = !!f.force;
  const isTestFn = exp === 'testfns' || (TEST_FNS as readonly string[]).includes(exp);
  const only = (names: string[], allowed: string) => {
    const given = names.filter(
      (n) => f[n.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()) as keyof TrainFlags] !== undefined,
    );
    if (given.length)
      throw new CliError(
        `train ${positional ?? `--fn ${f.fn!.join(',')}`}: ${given.map((g) => `--${g}`).join(', ')} ${given.length > 1 ? 'apply' : 'applies'} only to ${allowed}`,
      );
  };

  if (isTestFn) {
    only(
      [
        'method',
        'directions',
        'optimizer',
        'data',
        'eval-every',
        'checkpoint',
        'checkpoint-every',
        'resume',
        'lr-sweep',
        'depths',
        'train-limit',
        'validation-limit',
        'timing-rounds',
        'timing-steps',
        'test-kill-at',
      ],
      "logreg, mlp, cnn and scaling (beale and rosenbrock always compare FGD with exact-gradient descent, the paper's Figure 2)",
    );
    const fns = f.fn
      ? [...new Set(f.fn.flatMap((k) => (k === 'all' ? TEST_FNS : [k as TestFunctionKey])))]
      : [positional as TestFunctionKey];
    const out = f.out ?? path.join('reports', fns.length === 1 ? fns[0] : 'testfns');
    finish(
      await runTestFns({
        functions: fns,
        lr: f.lr,
        iterations,
        runs: f.runs ?? 10,
        seed: f.seed ?? 1,
        samples: f.samples ?? 400,
        out,
        force,
        quiet,
      }),
      quiet,
    );
    return;
  }
  only(['samples'], 'beale and rosenbrock');
  const methods: MethodName[] = f.method === undefined || f.method === 'both' ? ['fgd', 'backprop'] : [f.method];
  const out = f.out ?? path.join('reports', exp);
  if (f.data !== undefined) requireInputFolder(f.data, '--data');

  if (exp === 'scaling') {
    only(
      [
        'lr',
        'iterations',
        'iters',
        'runs',
        'optimizer',
        'eval-every',
        'checkpoint',
        'checkpoint-every',
        'resume',
        'lr-sweep',
        'validation-limit',
        'test-kill-at',
      ],
      'logreg, mlp and cnn (scaling times single steps)',
    );
    stageOutput(out, '--out', force).abandon(); // checked before any work: fails fast, one line
    const { DEFAULT_DEPTHS } = require('./experiments/scaling') as typeof import('./experiments/scaling');
    finish(
      await runScalingCmd({
        depths: f.depths ?? DEFAULT_DEPTHS,
        methods,
        seed: f.seed ?? 1,
        directions: f.directions ?? 1,
        rounds: f.timingRounds ?? 3,
        steps: f.timingSteps ?? 3,
        data: f.data,
        trainLimit: f.trainLimit,
        out,
        force,
        quiet,
      }),
      quiet,
    );
    return;
  }
  only(['depths'], 'scaling');
  if (f.checkpoint !== undefined && f.resume !== undefined && path.resolve(f.checkpoint) !== path.resolve(f.resume)) {
    throw new CliError(
      `--resume ${f.resume} continues the checkpoints of that folder and keeps writing there; --checkpoint ${f.checkpoint} names another (give one, or the same folder)`,
    );
  }
  const checkpointDir =
    f.resume !== undefined
      ? requireInputFolder(f.resume, '--resume')
      : f.checkpoint !== undefined
        ? ensureWritableFolder(f.checkpoint, '--checkpoint')
        : undefined;
  stageOutput(out, '--out', force).abandon();
  const { PAPER_DECAY, PAPER_RUNS, DEFAULT_SWEEP } =
    require('./experiments/train') as typeof import('./experiments/train');
  const its = iterations ?? 10000;
  const r = await runMnist({
    model: exp as TrainOptions['model'],
    methods,
    lr: f.lr !== undefined ? { fgd: f.lr, backprop: f.lr } : {},
    iterations: its,
    runs: f.runs ?? PAPER_RUNS,
    seed: f.seed ?? 1,
    directions: f.directions ?? 1,
    optimizer: f.optimizer ?? 'sgd',
    decay: PAPER_DECAY,
    evalEvery: f.evalEvery ?? Math.max(1, Math.round(its / 50)),
    data: f.data,
    trainLimit: f.trainLimit,
    validationLimit: f.validationLimit,
    checkpointDir,
    checkpointEvery: f.checkpointEvery ?? 1000,
    resume: f.resume !== undefined,
    lrSweep: f.lrSweep === true ? DEFAULT_SWEEP : f.lrSweep,
    timingRounds: f.timingRounds ?? 5,
    timingSteps: f.timingSteps ?? 5,
    killAt: f.testKillAt,
    progress: !quiet && process.stdout.isTTY === true,
    say: say(quiet),
    out,
    force,
    quiet,
  });
  finish(r, quiet);
}

async function demo(o: { out: string; force?: boolean; quiet?: boolean }): Promise<void> {
  const t0 = Date.now();
  const { DEMO } = require('./experiments/demo') as typeof import('./experiments/demo');
  const quiet = !!o.quiet;
  stageOutput(o.out, '--out', !!o.force).abandon();
  const log = say(quiet);
  log(
    `demo: the paper's MLP (784→1024→1024→10) on the embedded MNIST digits, forward gradients vs backprop, ${DEMO.iterations} steps of 64 each`,
  );
  log(
    `learning rates: FGD ${DEMO.lr.fgd}, backprop ${DEMO.lr.backprop} (${DEMO.lrWhy}); the paper's settings: forwardgrad train mlp`,
  );
  const { PAPER_DECAY } = require('./experiments/train') as typeof import('./experiments/train');
  const r = await runMnist({
    model: DEMO.model,
    methods: ['fgd', 'backprop'],
    lr: DEMO.lr,
    lrSource: "the demo's (best of a sweep at this length)",
    iterations: DEMO.iterations,
    runs: DEMO.runs,
    seed: DEMO.seed,
    directions: 1,
    optimizer: 'sgd',
    decay: PAPER_DECAY,
    evalEvery: DEMO.evalEvery,
    checkpointEvery: 1000,
    resume: false,
    timingRounds: DEMO.timingRounds,
    timingSteps: DEMO.timingSteps,
    progress: !quiet && process.stdout.isTTY === true,
    say: log,
    out: o.out,
    force: !!o.force,
    quiet,
  });
  finish(r, quiet);
  log(
    `demo took ${((Date.now() - t0) / 1000).toFixed(1)} s (training and measurements; the build before it not counted here)`,
  );
}

export function buildProgram(): Command {
  const once = onceParsers();
  const program = new Command();
  program
    .name('forwardgrad')
    .description('Forward gradients without backpropagation: experiments, reports and derivative code.')
    .version(packageVersion(), '--version', 'print the version of forwardgrad')
    // commander's own errors (unknown option, bad value) in the CLI's form: one line, the fix in it
    .configureOutput({ outputError: (str, write) => write(`${usageErrorLine(str)}\n`) });

  program
    .command('demo')
    .description(
      "the paper's MLP on the embedded MNIST digits, forward gradients vs backprop (a few minutes), with the comparison table and the report",
    )
    .addOption(
      new Option('--out <dir>', 'report folder')
        .default(path.join('reports', 'demo'))
        .argParser(once('--out', text('--out'))),
    )
    .option('--force', 'replace an existing report in --out')
    .option('--quiet', 'print only the report path (and any divergence)')
    .action(demo);

  const train = program
    .command('train')
    .description(
      'train and measure: beale|rosenbrock (Figure 2: FGD vs exact-gradient descent), logreg|mlp|cnn (Figures 3–5 and the table: FGD vs backprop on MNIST), scaling (Figure 6: one step vs depth); writes results.json, logs and a report into --out',
    )
    .argument('[experiment]', EXPERIMENTS.join('|'))
    .addOption(
      new Option(
        '--fn <name>',
        'beale, rosenbrock or all (the test-function experiment; repeat to run several)',
      ).argParser((v: string, prev?: string[]) => [...(prev ?? []), oneOf('--fn', [...TEST_FNS, 'all'])(v)]),
    )
    .addOption(
      new Option('--method <m>', 'fgd, backprop or both (default both)').argParser(
        once('--method', oneOf('--method', ['fgd', 'backprop', 'both'] as const)),
      ),
    )
    .addOption(
      new Option(
        '--lr <rate>',
        "η0 for both methods (default: the paper's per model: model.paperLr; schedule η_i = η0·e^(−i·1e-4))",
      ).argParser(once('--lr', positiveNumber('--lr'))),
    )
    .addOption(
      new Option(
        '--iterations <n>',
        'steps per run (default 10000 for MNIST models; per function for beale/rosenbrock)',
      ).argParser(once('--iterations', integer('--iterations', 1))),
    )
    .addOption(new Option('--iters <n>', 'alias of --iterations').argParser(once('--iters', integer('--iters', 1))))
    .addOption(
      new Option(
        '--runs <n>',
        "independent runs per method (default 5, the paper's; 10 for beale/rosenbrock)",
      ).argParser(once('--runs', integer('--runs', 1))),
    )
    .addOption(
      new Option(
        '--seed <n>',
        'seed of run 1 (run r uses seed + r − 1: initial parameters, minibatch order, FGD directions; default 1)',
      ).argParser(once('--seed', integer('--seed', 0))),
    )
    .addOption(
      new Option('--directions <k>', 'directions per FGD step, averaged (default 1)').argParser(
        once('--directions', integer('--directions', 1)),
      ),
    )
    .addOption(
      new Option('--optimizer <name>', "sgd (default, the paper's), momentum or adam").argParser(
        once('--optimizer', oneOf('--optimizer', ['sgd', 'momentum', 'adam'] as const)),
      ),
    )
    .addOption(
      new Option(
        '--data <dir>',
        'folder with the MNIST/Fashion-MNIST IDX files (default: the embedded digits)',
      ).argParser(once('--data', text('--data'))),
    )
    .addOption(
      new Option('--out <dir>', 'output folder (default reports/<experiment>); written whole at the end').argParser(
        once('--out', text('--out')),
      ),
    )
    .addOption(
      new Option(
        '--eval-every <n>',
        'validation loss and accuracy every n steps, into the log (default iterations/50)',
      ).argParser(once('--eval-every', integer('--eval-every', 1))),
    )
    .addOption(
      new Option('--checkpoint <dir>', 'keep per-run checkpoints and logs in this folder (resumable)').argParser(
        once('--checkpoint', text('--checkpoint')),
      ),
    )
    .addOption(
      new Option('--checkpoint-every <n>', 'steps between checkpoints (default 1000)').argParser(
        once('--checkpoint-every', integer('--checkpoint-every', 1)),
      ),
    )
    .addOption(
      new Option(
        '--resume <dir>',
        'continue an interrupted run from the checkpoints in this folder (same settings; bit-identical)',
      ).argParser(once('--resume', text('--resume'))),
    )
    .addOption(
      new Option(
        '--lr-sweep [rates]',
        'first sweep η0 per method over these rates (default 1e-4,3e-4,…,1e-1), then train each at its own best',
      ).argParser(once('--lr-sweep', list('--lr-sweep', positiveNumber('--lr-sweep')))),
    )
    .addOption(
      new Option('--depths <list>', 'scaling: depths L (default 1,2,4,10,30,100)').argParser(
        once('--depths', list('--depths', integer('--depths', 1))),
      ),
    )
    .addOption(
      new Option('--samples <n>', 'beale/rosenbrock: points kept per run for the plots (default 400)').argParser(
        once('--samples', integer('--samples', 2)),
      ),
    )
    .option('--force', 'replace an existing report in --out')
    .option('--quiet', 'print only the report path (and any divergence)')
    // Quick runs for tests and smoke checks: not part of the documented interface.
    .addOption(new Option('--train-limit <n>').hideHelp().argParser(once('--train-limit', integer('--train-limit', 1))))
    .addOption(
      new Option('--validation-limit <n>')
        .hideHelp()
        .argParser(once('--validation-limit', integer('--validation-limit', 1))),
    )
    .addOption(
      new Option('--timing-rounds <n>').hideHelp().argParser(once('--timing-rounds', integer('--timing-rounds', 1))),
    )
    .addOption(
      new Option('--timing-steps <n>').hideHelp().argParser(once('--timing-steps', integer('--timing-steps', 1))),
    )
    .addOption(new Option('--test-kill-at <method:run:step>').hideHelp().argParser(once('--test-kill-at', killAt)))
    .action(trainAction);
  void train;

  program
    .command('report')
    .description('render index.html and SVGs from the results.json / testfns.json in DIR and its subfolders')
    .argument('<dir>', 'a folder written by train/demo (or a folder of such folders)')
    .addOption(
      new Option('--out <dir>', 'write the report there instead of into DIR').argParser(once('--out', text('--out'))),
    )
    .option('--force', 'with --out: replace an existing report there')
    .action(async (dir: string, o: { out?: string; force?: boolean }) => {
      const { writeReport } = require('./report/index') as typeof import('./report/index');
      if (fs.existsSync(dir) && fs.statSync(dir).isFile()) {
        // Logs of older versions were passed as files: accept the folder that holds them.
        dir = path.dirname(dir);
      }
      if (o.out === undefined) {
        console.log(`report: ${await writeReport(dir, dir)}`);
        return;
      }
      const src = path.resolve(dir);
      const { dir: done } = await withStagedOutput(o.out, '--out', !!o.force, (staging) => writeReport(src, staging));
      console.log(`report: ${path.join(done, 'index.html')}`);
    });

  program
    .command('emit')
    .description('write the generated derivative code (twins) of TypeScript files, with source maps')
    .argument('<files...>', 'TypeScript sources with /** @forwardGrad */ functions')
    .option('--out <dir>', 'output directory', 'forwardgrad-emit')
    .option('--tsconfig <file>', 'tsconfig to read (default: the nearest one)')
    .action((files: string[], o: { out: string; tsconfig?: string }) => {
      // Lazy: only this command loads the transformer (and typescript).
      const { emitDerivatives } =
        require('../transformer/emit-command') as typeof import('../transformer/emit-command');
      for (const f of emitDerivatives(files, o.out, { tsconfig: o.tsconfig })) console.log(f);
    });

  program
    .command('init')
    .description(
      'wire the forwardgrad plugins into the project in the current folder (tsconfig, optionally jest and an esbuild script)',
    )
    .option('--esbuild <script>', 'also add the esbuild plugin to this build script')
    .option('--jest', 'also set forwardgrad/jest as the jest transform')
    .option('--tsconfig <file>', 'the tsconfig to edit (default: ./tsconfig.json)')
    .option('--dry-run', 'print the changes without writing them')
    .action((o: { esbuild?: string; jest?: boolean; tsconfig?: string; dryRun?: boolean }) => {
      // Lazy, like emit: only this command loads the transformer (and typescript).
      const { runInit } = require('../transformer/init') as typeof import('../transformer/init');
      console.log(
        runInit({ cwd: process.cwd(), esbuild: o.esbuild, jest: !!o.jest, tsconfig: o.tsconfig, dryRun: !!o.dryRun })
          .report,
      );
    });

  program
    .command('bench')
    .description('run the benchmark suite (bench/run.js of this package) and print its tables')
    .allowUnknownOption()
    .argument('[args...]', 'passed to the benchmark runner')
    .action((args: string[]) => {
      const runner = path.join(__dirname, '..', 'bench', 'run.js');
      if (!fs.existsSync(runner))
        throw new CliError(
          `bench: the benchmarks run from a clone of the repository (npm run bench); the installed package does not ship them (${runner} is missing)`,
        );
      const r = spawnSync(process.execPath, [runner, ...args], { stdio: 'inherit' });
      process.exitCode = r.status ?? 1;
    });

  return program;
}

async function trainAction(positional: string | undefined, flags: TrainFlags): Promise<void> {
  await train(positional, flags);
}

/** The version in this package's package.json (found upwards: cli/ in the sources, dist/cli/ when built). */
export function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'forwardgrad' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

/** A commander parse error (`error: unknown option '--x'`) as one line with where to look. */
export function usageErrorLine(str: string): string {
  return `forwardgrad: ${str.replace(/^error:\s*/, '').trim()} (forwardgrad <command> --help lists the options)`;
}

/** A build error of the transform (emit) carries its diagnostics: one located line each, as tsc prints them. */
function buildErrorLines(e: unknown): string | undefined {
  if (!(e instanceof Error) || e.name !== 'ForwardGradBuildError') return undefined;
  const { formatDiagnostic } =
    require('../transformer/plugins/diagnostics') as typeof import('../transformer/plugins/diagnostics');
  const diagnostics = (e as Error & { diagnostics: readonly import('typescript').Diagnostic[] }).diagnostics;
  return diagnostics.map((d) => formatDiagnostic(d).replace(/\r?\n\s*/g, ' ')).join('\n');
}

/**
 * One line per error: the message without a stack, never a second "forwardgrad" prefix (the library's own messages
 * start with `forwardgrad:` or `forwardgrad emit:`); a build error is its located messages, one line each.
 */
export function errorLine(e: unknown): string {
  const located = buildErrorLines(e);
  if (located !== undefined) return located;
  const msg = e instanceof Error ? e.message : String(e);
  return `forwardgrad: ${msg.replace(/^(forwardgrad:?\s+)+/, '').trim()}`;
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (e) {
    console.error(errorLine(e));
    process.exitCode = e instanceof CliError ? e.exitCode : 1;
  }
}

if (require.main === module) void main();
