// Runs the benchmark suite one script at a time (each in its own process, so one cannot warm or
// disturb another), each printing its table and writing bench/results/<name>.json.
// Run: npm run bench [-- name ...]   e.g. npm run bench -- gemm fused-jvp
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Suite order: kernels first, then what is built on them. */
const SUITE = ['scalar-jvp', 'build-cost', 'nesting', 'rng', 'gemm', 'gpujs', 'fused-jvp', 'fgd-step', 'backprop-step', 'browser'];

function benchDir(): string {
  // from the sources (ts-node) or from dist/bench: the scripts themselves are TypeScript sources
  for (const dir of [__dirname, path.resolve(__dirname, '..', '..', 'bench')]) {
    if (fs.existsSync(path.join(dir, 'gemm.ts'))) return dir;
  }
  throw new Error('bench: the benchmark sources (bench/*.ts) are not here; run benchmarks from a clone of the repository');
}

function main(args: string[]): number {
  const dir = benchDir();
  const chosen = args.length ? args : SUITE;
  for (const name of chosen) {
    if (!SUITE.includes(name)) throw new Error(`bench: unknown benchmark "${name}" (known: ${SUITE.join(', ')})`);
  }
  let failed = 0;
  for (const name of chosen) {
    process.stdout.write(`\n=== bench/${name}.ts ===\n`);
    const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(dir, `${name}.ts`)],
      { stdio: 'inherit', cwd: path.resolve(dir, '..') });
    if (r.status !== 0) { failed++; process.stdout.write(`bench/${name}.ts failed (exit ${r.status ?? r.signal})\n`); }
  }
  process.stdout.write(`\nresults: ${path.join(dir, 'results')}\n`);
  return failed ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
