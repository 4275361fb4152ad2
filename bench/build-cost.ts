// Build cost of the esbuild plugin: esbuild alone vs esbuild + forwardGradPlugin on each fixture
// (fixtures/*.ts) and on all of them in one build, medians over interleaved rounds. "cold" is a fresh
// build (the plugin creates its ts.Program); "rebuild" is esbuild's incremental rebuild of a context,
// where the plugin's program cache keeps every unchanged file; both run in this warm process. A fresh
// node process per build (what a one-off CLI build pays) is measured too, on all fixtures. Bundles
// with packages external, as an app build would. Prints a table; writes bench/out/build-cost.json.
// Run: npx ts-node --transpile-only bench/build-cost.ts [rounds]   (or node dist/bench/build-cost.js)
import { spawnSync } from 'child_process';
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { forwardGradPlugin } from '../transformer/plugins/esbuild';
import { writeResult } from './output';

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
    entryPoints,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    write: false,
    outdir: path.join(os.tmpdir(), 'forwardgrad-build-cost'),
    logLevel: 'silent',
    absWorkingDir: root,
  };
  const withPlugin = (): esbuild.BuildOptions => ({
    ...base,
    plugins: [forwardGradPlugin({ tsconfig, runtimeModule })],
  });
  const ctx = await esbuild.context(withPlugin());
  await ctx.rebuild(); // the first build creates the program; later ones reuse it
  const times: Record<Variant, number[]> = { esbuild: [], 'plugin-cold': [], 'plugin-rebuild': [] };
  const run: Record<Variant, () => Promise<unknown>> = {
    esbuild: () => esbuild.build(base),
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

/**
 * A fresh `node` process building every fixture, with and without the plugin: what a one-off CLI build
 * pays (loading typescript, parsing the program cold). Needs the compiled plugin (npm run build).
 */
function freshProcess(entries: string[], tsconfig: string): { esbuildMs: number; pluginMs: number } | undefined {
  const plugin = path.join(root, 'dist', 'transformer', 'plugins', 'esbuild.js');
  if (!fs.existsSync(plugin)) return undefined;
  const script = (withPlugin: boolean) =>
    [
      'const t0 = process.hrtime.bigint();',
      "const esbuild = require('esbuild');",
      withPlugin ? `const { forwardGradPlugin } = require(${JSON.stringify(plugin)});` : '',
      `esbuild.build({ entryPoints: ${JSON.stringify(entries)}, bundle: true, packages: 'external', platform: 'node',`,
      `  format: 'cjs', write: false, outdir: ${JSON.stringify(path.join(os.tmpdir(), 'forwardgrad-build-cost'))}, logLevel: 'silent',`,
      withPlugin
        ? `  plugins: [forwardGradPlugin({ tsconfig: ${JSON.stringify(tsconfig)}, runtimeModule: ${JSON.stringify(runtimeModule)} })],`
        : '',
      '}).then(() => console.log(Number(process.hrtime.bigint() - t0) / 1e6));',
    ].join('\n');
  const once = (withPlugin: boolean) => {
    const r = spawnSync(process.execPath, ['-e', script(withPlugin)], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build-cost: fresh build failed: ${r.stderr}`);
    return Number(r.stdout.trim());
  };
  const esbuildMs: number[] = [];
  const pluginMs: number[] = [];
  for (let r = 0; r < Math.max(3, Math.ceil(rounds / 2)); r++) {
    esbuildMs.push(once(false));
    pluginMs.push(once(true));
  }
  return { esbuildMs: median(esbuildMs), pluginMs: median(pluginMs) };
}

async function main(): Promise<void> {
  const fixtureDir = path.join(root, 'fixtures');
  const fixtures = fs
    .readdirSync(fixtureDir)
    .filter((f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f))
    .sort();
  if (fixtures.length === 0) throw new Error(`build-cost: no fixtures in ${fixtureDir}`);
  // A tsconfig over the fixtures only, so the plugin's program is what a project of that size would get.
  const tsconfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'forwardgrad-bench-')), 'tsconfig.json');
  fs.writeFileSync(tsconfig, JSON.stringify({ extends: path.join(root, 'tsconfig.json'), include: [fixtureDir] }));
  const rows: { entry: string; esbuildMs: number; pluginColdMs: number; pluginRebuildMs: number }[] = [];
  const cases: [string, string[]][] = [
    ...fixtures.map((f): [string, string[]] => [f, [path.join(fixtureDir, f)]]),
    ['(all fixtures)', fixtures.map((f) => path.join(fixtureDir, f))],
  ];
  for (const [entry, files] of cases) {
    const t = await measure(files, tsconfig);
    rows.push({ entry, esbuildMs: t['esbuild'], pluginColdMs: t['plugin-cold'], pluginRebuildMs: t['plugin-rebuild'] });
  }
  const fresh = freshProcess(
    fixtures.map((f) => path.join(fixtureDir, f)),
    tsconfig,
  );
  console.log(`esbuild ${esbuild.version}, median of ${rounds} rounds (ms)`);
  console.log(['entry'.padEnd(24), 'esbuild', 'plugin cold', 'plugin rebuild', 'cold/esbuild'].join('\t'));
  for (const r of rows) {
    console.log(
      [
        r.entry.padEnd(24),
        r.esbuildMs.toFixed(1),
        r.pluginColdMs.toFixed(1),
        r.pluginRebuildMs.toFixed(1),
        (r.pluginColdMs / r.esbuildMs).toFixed(1) + '×',
      ].join('\t'),
    );
  }
  console.log(
    fresh
      ? `fresh node process, all fixtures: esbuild ${fresh.esbuildMs.toFixed(0)} ms, with plugin ${fresh.pluginMs.toFixed(0)} ms`
      : 'fresh-process case skipped: run `npm run build` first (it loads dist/transformer/plugins/esbuild.js)',
  );
  const out = writeResult('build-cost.json', {
    date: new Date().toISOString(),
    node: process.version,
    esbuild: esbuild.version,
    cpus: os.cpus().length,
    rounds,
    rows,
    freshProcess: fresh ?? null,
  });
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
  fs.rmSync(path.dirname(tsconfig), { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
