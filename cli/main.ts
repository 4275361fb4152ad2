#!/usr/bin/env node
// The `forwardgrad` command line: demo, train, report, emit, bench.
// The transformer is loaded lazily (only `emit` needs it), so the runtime never pulls in typescript.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Command, InvalidArgumentError } from 'commander';
import { PAPER_SETTINGS, TestFunctionKey, TestFnExperiment, runTestFnExperiment } from './experiments/testfns';
import { LOG_FILE, readTestFnLog, writeTestFnReport } from './report/testfns';
import { writeFileAtomic } from '../runtime/fgd/atomic';

const DEFAULT_OUT = path.join('reports', 'testfns');

const positiveNumber = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number > 0`);
  return n;
};
const integer = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
  return n;
};
const functionKey = (v: string) => {
  if (v !== 'all' && !(v in PAPER_SETTINGS)) throw new InvalidArgumentError(`must be one of ${[...Object.keys(PAPER_SETTINGS), 'all'].join(', ')}`);
  return v;
};

async function runAndReport(out: string, options: Parameters<typeof runTestFnExperiment>[0], quiet: boolean): Promise<string> {
  const log = (s: string) => { if (!quiet) console.log(s); };
  const t0 = Date.now();
  const exp: TestFnExperiment = runTestFnExperiment({
    ...options,
    onRunDone: (fn, method, run) => { if (process.stdout.isTTY && !quiet) process.stdout.write(`\r${fn} ${method} run ${run + 1}   `); },
  });
  if (process.stdout.isTTY && !quiet) process.stdout.write('\n');
  fs.mkdirSync(out, { recursive: true });
  writeFileAtomic(path.join(out, LOG_FILE), JSON.stringify(exp));
  for (const fn of exp.functions) {
    for (const m of fn.methods) {
      const finals = m.runs.map((r) => r.finalLoss).sort((a, b) => a - b);
      log(`${fn.name.padEnd(10)} ${m.method.padEnd(3)} ${fn.settings.iterations} iterations × ${m.runs.length} runs: median final loss ${finals[finals.length >> 1].toExponential(3)}`);
    }
  }
  const index = await writeTestFnReport(exp, out);
  log(`experiment took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return index;
}

export function buildProgram(): Command {
  const program = new Command();
  program.name('forwardgrad').description('Forward gradients without backpropagation: experiments, reports and derivative code.').showHelpAfterError();

  program.command('demo')
    .description("the paper's §5.1 experiment (Figure 2): FGD vs GD on Beale and Rosenbrock, 10 runs each, and its report")
    .option('--out <dir>', 'report directory', DEFAULT_OUT)
    .action(async (o: { out: string }) => {
      const index = await runAndReport(o.out, {}, false);
      console.log(`report: ${path.resolve(index)}`);
    });

  program.command('train')
    .description('run the test-function experiment with your settings (FGD vs exact GD), writing a JSON log and a report')
    .option('--fn <name>', 'beale, rosenbrock or all', functionKey, 'all')
    .option('--lr <rate>', "learning rate (default: the paper's per function)", positiveNumber('--lr'))
    .option('--iters <n>', 'iterations per run (default: ours per function, see the report)', integer('--iters', 1))
    .option('--runs <n>', 'independent runs per method', integer('--runs', 1), 10)
    .option('--seed <n>', 'seed of the first FGD run (run r uses seed + r)', integer('--seed', 0), 1)
    .option('--samples <n>', 'points kept per run for the plots', integer('--samples', 2), 400)
    .option('--out <dir>', 'output directory', DEFAULT_OUT)
    .option('--quiet', 'print only the report path')
    .action(async (o: { fn: string; lr?: number; iters?: number; runs: number; seed: number; samples: number; out: string; quiet?: boolean }) => {
      const functions = (o.fn === 'all' ? Object.keys(PAPER_SETTINGS) : [o.fn]) as TestFunctionKey[];
      const overrides = Object.fromEntries(functions.map((k) => [k, { ...(o.lr !== undefined ? { lr: o.lr } : {}), ...(o.iters !== undefined ? { iterations: o.iters } : {}) }]));
      const index = await runAndReport(o.out, { functions, runs: o.runs, seed: o.seed, samples: o.samples, overrides }, !!o.quiet);
      console.log(`report: ${path.resolve(index)}`);
    });

  program.command('report')
    .description('re-render a report from an experiment JSON log')
    .argument('<log>', `the ${LOG_FILE} written by demo/train`)
    .option('--out <dir>', 'report directory (default: beside the log)')
    .action(async (log: string, o: { out?: string }) => {
      const index = await writeTestFnReport(readTestFnLog(log), o.out ?? path.dirname(log));
      console.log(`report: ${path.resolve(index)}`);
    });

  program.command('emit')
    .description('write the generated derivative code (twins) of TypeScript files, with source maps')
    .argument('<files...>', 'TypeScript sources with /** @forwardGrad */ functions')
    .option('--out <dir>', 'output directory', 'forwardgrad-emit')
    .option('--tsconfig <file>', 'tsconfig to read (default: the nearest one)')
    .action((files: string[], o: { out: string; tsconfig?: string }) => {
      // Lazy: only this command loads the transformer (and typescript).
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const { emitDerivatives } = require('../transformer/emit-command') as typeof import('../transformer/emit-command');
      for (const f of emitDerivatives(files, o.out, { tsconfig: o.tsconfig })) console.log(f);
    });

  program.command('bench')
    .description('run the benchmark suite (bench/run.js of this package) and print its tables')
    .allowUnknownOption()
    .argument('[args...]', 'passed to the benchmark runner')
    .action((args: string[]) => {
      const runner = path.join(__dirname, '..', 'bench', 'run.js');
      if (!fs.existsSync(runner)) throw new Error(`bench: no benchmark runner in this build (${runner} is missing; build the package with npm run build)`);
      const r = spawnSync(process.execPath, [runner, ...args], { stdio: 'inherit' });
      process.exitCode = r.status ?? 1;
    });

  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (e) {
    console.error(`forwardgrad: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
