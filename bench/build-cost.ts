// Build cost of the esbuild plugin: esbuild alone vs esbuild + forwardGradPlugin on each fixture
// (fixtures/*.ts) and on all of them in one build, medians over interleaved rounds. "cold" is a fresh
// build (the plugin creates its ts.Program); "rebuild" is esbuild's incremental rebuild of a context,
// where the plugin's program cache keeps every unchanged file. Bundles with packages external, as an
// app build would. Prints a table; writes bench/results/build-cost.json.
// Run: npx ts-node --transpile-only bench/build-cost.ts [rounds]   (or node dist/bench/build-cost.js)
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { forwardGradPlugin } from '../transformer/plugins/esbuild';

const root = findRoot(__dirname);
const rounds = Number(process.argv[2] ?? 5);
const runtimeModule = path.join(root, 'runtime', 'index.ts');

function findRoot(dir: string): string {
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

type Variant = 'esbuild' | 'plugin-cold' | 'plugin-rebuild';

async function measure(entryPoints: string[], tsconfig: string): Promise<Record<Variant, number>> {
  const base: esbuild.BuildOptions = {
    entryPoints, bundle: true, packages: 'external', platform: 'node', format: 'cjs', write: false,
    outdir: path.join(os.tmpdir(), 'forwardgrad-build-cost'), logLevel: 'silent', absWorkingDir: root,
  };
  const withPlugin = (): esbuild.BuildOptions => ({ ...base, plugins: [forwardGradPlugin({ tsconfig, runtimeModule })] });
  const ctx = await esbuild.context(withPlugin());
  await ctx.rebuild(); // the first build creates the program; later ones reuse it
  const times: Record<Variant, number[]> = { 'esbuild': [], 'plugin-cold': [], 'plugin-rebuild': [] };
  const run: Record<Variant, () => Promise<unknown>> = {
    'esbuild': () => esbuild.build(base),
    'plugin-cold': () => esbuild.build(withPlugin()),
    'plugin-rebuild': () => ctx.rebuild(),
  };
  for (const fn of Object.values(run)) await fn(); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const [variant, fn] of Object.entries(run) as [Variant, () => Promise<unknown>][]) {
      const t0 = process.hrtime.bigint();
      await fn();
      times[variant].push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  await ctx.dispose();
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) as Record<Variant, number>;
}

async function main(): Promise<void> {
  const fixtureDir = path.join(root, 'fixtures');
  const fixtures = fs.readdirSync(fixtureDir).filter((f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f)).sort();
  if (fixtures.length === 0) throw new Error(`build-cost: no fixtures in ${fixtureDir}`);
  // A tsconfig over the fixtures only, so the plugin's program is what a project of that size would get.
  const tsconfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'forwardgrad-bench-')), 'tsconfig.json');
  fs.writeFileSync(tsconfig, JSON.stringify({ extends: path.join(root, 'tsconfig.json'), include: [fixtureDir] }));
  const rows: { entry: string; esbuildMs: number; pluginColdMs: number; pluginRebuildMs: number }[] = [];
  const cases: [string, string[]][] = [...fixtures.map((f): [string, string[]] => [f, [path.join(fixtureDir, f)]]),
    ['(all fixtures)', fixtures.map((f) => path.join(fixtureDir, f))]];
  for (const [entry, files] of cases) {
    const t = await measure(files, tsconfig);
    rows.push({ entry, esbuildMs: t['esbuild'], pluginColdMs: t['plugin-cold'], pluginRebuildMs: t['plugin-rebuild'] });
  }
  console.log(`esbuild ${esbuild.version}, median of ${rounds} rounds (ms)`);
  console.log(['entry'.padEnd(24), 'esbuild', 'plugin cold', 'plugin rebuild', 'cold/esbuild'].join('\t'));
  for (const r of rows) {
    console.log([r.entry.padEnd(24), r.esbuildMs.toFixed(1), r.pluginColdMs.toFixed(1), r.pluginRebuildMs.toFixed(1),
      (r.pluginColdMs / r.esbuildMs).toFixed(1) + '×'].join('\t'));
  }
  const out = path.join(root, 'bench', 'results', 'build-cost.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, esbuild: esbuild.version,
    cpus: os.cpus().length, rounds, rows }, null, 2) + '\n');
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
  fs.rmSync(path.dirname(tsconfig), { recursive: true, force: true });
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
