// Runs the benchmark suite one script at a time (each in its own process, so one cannot warm or
// disturb another), each printing its table and writing bench/out/<name>.json (ignored by git; bench/results/ holds
// the runs committed on purpose, see bench/output.ts).
// Run: npm run bench [-- name ...] [--flag ...]   e.g. npm run bench -- gemm fused-jvp; npm run bench -- models --quick
// (flags are passed to every chosen script). `models` is not in the default suite (minutes, and it
// loads the peers tfjs and jax-js): name it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Suite order: kernels first, then what is built on them. */
const SUITE = ['scalar-jvp', 'build-cost', 'nesting', 'rng', 'gemm', 'gpujs', 'fused-jvp', 'fgd-step', 'backprop-step'];
/** Benchmarks run only when named (models: minutes; browser: needs Chromium; cnn-step: the CNN alone, bench/NOTES.md). */
const ON_REQUEST = ['models', 'browser', 'cnn-step'];
/** Scripts that import annotated models need their twins: the transformer's require hook. */
const TWIN_HOOK = new Set(['models', 'cnn-step']);
/** Flags of the scripts that take a value (the value is not a benchmark name). */
const VALUE_FLAGS = ['--rounds', '--only', '--depths', '--out', '--steps', '--filter', '--against', '--profile'];

function benchDir(): string {
  // from the sources (ts-node) or from dist/bench: the scripts themselves are TypeScript sources
  for (const dir of [__dirname, path.resolve(__dirname, '..', '..', 'bench')]) {
    if (fs.existsSync(path.join(dir, 'gemm.ts'))) return dir;
  }
  throw new Error(
    'bench: the benchmark sources (bench/*.ts) are not here; run benchmarks from a clone of the repository',
  );
}

function main(args: string[]): number {
  const dir = benchDir();
  const isName = (a: string, i: number) => !a.startsWith('--') && !(i > 0 && VALUE_FLAGS.includes(args[i - 1]));
  const names = args.filter(isName);
  const flags = args.filter((a, i) => !isName(a, i));
  const chosen = names.length ? names : SUITE;
  const known = [...SUITE, ...ON_REQUEST];
  for (const name of chosen) {
    if (!known.includes(name)) throw new Error(`bench: unknown benchmark "${name}" (known: ${known.join(', ')})`);
  }
  let failed = 0;
  for (const name of chosen) {
    process.stdout.write(`\n=== bench/${name}.ts ===\n`);
    const preload = TWIN_HOOK.has(name)
      ? path.resolve(dir, '..', 'test', 'support', 'register-transform.js')
      : 'ts-node/register/transpile-only';
    const r = spawnSync(process.execPath, ['-r', preload, path.join(dir, `${name}.ts`), ...flags], {
      stdio: 'inherit',
      cwd: path.resolve(dir, '..'),
    });
    if (r.status !== 0) {
      failed++;
      process.stdout.write(`bench/${name}.ts failed (exit ${r.status ?? r.signal})\n`);
    }
  }
  process.stdout.write(`\nresults: ${path.join(dir, 'out')}\n`);
  return failed ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
