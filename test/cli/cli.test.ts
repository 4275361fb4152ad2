// The CLI and the report, through child processes: vega/vega-lite are ESM-only and jest cannot
// load them, and this is how users run it. The children run the TypeScript sources through our real
// transformer (test/support/register-transform.js): the annotated test functions get the twins it
// emits, as in a build, never hand-written ones.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beale, rosenbrock } from '../../runtime/models/testfns';
import { centralDifference } from '../support/fd';
import { rng } from '../support/random';

const ROOT = path.resolve(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const WITH_TWINS = ['-r', './test/support/register-transform.js'];

/** Runs a TypeScript script in a child node, with `preload`. */
function node(
  preload: string[],
  script: string,
  ...args: string[]
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...preload, script, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cli = (...args: string[]) => node(WITH_TWINS, 'cli/main.ts', ...args);

describe("the children's test-function twins", () => {
  // The probe loads only testfns.ts and the registry: a twin it finds was registered by testfns.ts's
  // emitted code, which only the preload's transform produces.
  const probe = 'test/support/testfn-twin-probe.ts';
  const random = rng(2024, -2, 2);
  const points = Array.from({ length: 6 }, () => [random(), random(), random(), random()]); // x, dx, y, dy

  test('come from the transform: none without it', () => {
    const plain = node(['-r', 'ts-node/register/transpile-only'], probe, '[]');
    expect(plain.stderr).toBe('');
    expect(JSON.parse(plain.stdout)).toEqual({ beale: null, rosenbrock: null });
  });

  test('are exact in value and match central differences in their tangent', () => {
    const r = node(WITH_TWINS, probe, JSON.stringify(points));
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    for (const f of [beale, rosenbrock]) {
      expect(report[f.name].meta).toEqual({ name: f.name, tangentSlots: [true, true] });
      expect(report[f.name].results).toHaveLength(points.length);
      report[f.name].results.forEach(([value, tangent]: [number, number], i: number) => {
        const [x, dx, y, dy] = points[i];
        expect(value).toBe(f(x, y));
        const fd = centralDifference((t) => f(x + t * dx, y + t * dy));
        expect(Math.abs(tangent - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
      });
    }
  });

  test('an underivable call fails the child with the located build error', () => {
    const bad = path.join(tmp, 'bad.ts');
    fs.writeFileSync(
      bad,
      'declare function mystery(x: number): number;\n/** @forwardGrad */\nexport function f(x: number): number { return 2 * mystery(x); }\n',
    );
    const r = node(WITH_TWINS, bad);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${bad}:3:51 - error TS94002: forwardgrad: cannot differentiate the call of 'mystery'`);
  });

  test('a program that imports a file the transformer imports too (runtime/ops/manifest.ts) loads on a cold cache', () => {
    // The hook must not compile the transformer's own imports while it loads the transformer:
    // that re-entered the half-loaded module ("Emitter is not a constructor").
    const dir = path.join(tmp, 'shared-import');
    const cold = path.join(tmp, 'cold-cache');
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(cold, { recursive: true });
    const manifest = JSON.stringify(path.join(ROOT, 'runtime', 'ops', 'manifest'));
    const registry = JSON.stringify(path.join(ROOT, 'runtime', 'registry'));
    fs.writeFileSync(
      path.join(dir, 'main.ts'),
      `import * as manifest from ${manifest};\nimport { lookupJvp } from ${registry};\n` +
        '/** @forwardGrad */\nexport function f(x: number): number { return x * x; }\n' +
        'process.stdout.write(JSON.stringify([Object.keys(manifest).length > 0, lookupJvp(f)!.fn(3, 1)]));\n',
    );
    const r = spawnSync(process.execPath, [...WITH_TWINS, path.join(dir, 'main.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120000,
      env: { ...process.env, TMPDIR: cold },
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([true, [9, 6]]);
  });

  test('a partly cached program whose first miss comes mid-graph (a lazily loaded command) still loads', () => {
    // `train nope` caches the eagerly loaded files; `report` then misses on a file loaded deep in the import graph, where
    // the transformer is loaded while program modules are half-loaded (it crashed when the manifest imported one).
    const env = { ...process.env, TMPDIR: fs.mkdtempSync(path.join(tmp, 'partial-cache-')) };
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [...WITH_TWINS, 'cli/main.ts', ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120000,
        env,
      });
    expect(run('train', 'nope').stderr).toMatch(/^forwardgrad: train: unknown experiment/);
    const empty = fs.mkdtempSync(path.join(tmp, 'no-results-'));
    const r = run('report', empty);
    expect(r.stderr.trim()).toBe(
      `forwardgrad: report: ${empty} holds no results.json or testfns.json (nor do its subfolders); give the folder forwardgrad train or demo wrote (its --out)`,
    );
  });

  test("an edited callee is emitted again, never served stale from the preload's cache", () => {
    const dir = path.join(tmp, 'edit');
    fs.mkdirSync(dir, { recursive: true });
    const registry = JSON.stringify(path.join(ROOT, 'runtime', 'registry'));
    fs.writeFileSync(
      path.join(dir, 'main.ts'),
      `import { cube } from './callee';\nimport { lookupJvp } from ${registry};\n` +
        '/** @forwardGrad */\nexport function f(x: number): number { return 3 * cube(x); }\n' +
        'process.stdout.write(JSON.stringify(lookupJvp(f)!.fn(2, 1)));\n',
    );
    const twinAt2 = (body: string) => {
      fs.writeFileSync(path.join(dir, 'callee.ts'), `export function cube(x: number): number { return ${body}; }\n`);
      const r = node(WITH_TWINS, path.join(dir, 'main.ts'));
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout);
    };
    expect(twinAt2('x * x * x')).toEqual([24, 36]); // f = 3x³
    expect(twinAt2('x * x')).toEqual([12, 12]); // f = 3x²: the callee's new twin
  });
});

const FIGURES = ['loss-iteration', 'loss-time', 'trajectories'];

function expectSvgWithPaths(file: string): void {
  const svg = fs.readFileSync(file, 'utf8');
  expect(svg.startsWith('<svg')).toBe(true);
  expect((svg.match(/<path /g) ?? []).length).toBeGreaterThan(10);
}

describe('forwardgrad CLI', () => {
  const out = path.join(tmp, 'train');

  test('train: runs both methods, writes the JSON log, SVG figures and index.html', () => {
    const r = cli('train', '--fn', 'beale', '--iters', '60', '--runs', '3', '--seed', '5', '--out', out, '--quiet');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`report: ${path.join(out, 'index.html')}`);
    const log = JSON.parse(fs.readFileSync(path.join(out, 'testfns.json'), 'utf8'));
    expect(log).toMatchObject({ kind: 'forwardgrad-testfns', runs: 3, baseSeed: 5 });
    expect(log.functions).toHaveLength(1);
    const fn = log.functions[0];
    expect(fn.settings).toEqual({ start: [1.5, -0.1], lr: 0.01, iterations: 60 });
    expect(fn.methods.map((m: { method: string }) => m.method)).toEqual(['fgd', 'gd']);
    for (const m of fn.methods) {
      expect(m.runs).toHaveLength(3);
      for (const run of m.runs) {
        expect(run.status).toBe('completed');
        expect(run.step[0]).toBe(0);
        expect(run.step[run.step.length - 1]).toBe(60);
        expect(run.loss[run.loss.length - 1]).toBeLessThan(run.loss[0]); // the loss went down
        expect(run.msPerIteration).toBeGreaterThan(0);
      }
    }
    expect(fn.methods[0].runs.map((r: { seed: number }) => r.seed)).toEqual([5, 6, 7]);
    for (const f of FIGURES) expectSvgWithPaths(path.join(out, `beale-${f}.svg`));
    const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    for (const f of FIGURES) expect(html).toContain(`href="beale-${f}.svg"`);
    expect((html.match(/<svg/g) ?? []).length).toBe(3);
  });

  test('report: re-renders the figures from the JSON log', () => {
    const again = path.join(tmp, 'again');
    const r = cli('report', path.join(out, 'testfns.json'), '--out', again);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(path.join(again, 'index.html'));
    for (const f of FIGURES)
      expect(fs.readFileSync(path.join(again, `beale-${f}.svg`), 'utf8')).toBe(
        fs.readFileSync(path.join(out, `beale-${f}.svg`), 'utf8'),
      );
  });

  test('bad arguments and inputs are clear errors with a non-zero exit', () => {
    const a = cli('train', '--fn', 'himmelblau');
    expect(a.status).not.toBe(0);
    expect(a.stderr).toMatch(
      /option '--fn <name>' argument 'himmelblau' is invalid\. --fn must be one of beale, rosenbrock, all/,
    );
    const b = cli('train', '--iters', '0');
    expect(b.status).not.toBe(0);
    expect(b.stderr).toMatch(/--iters must be an integer ≥ 1/);
    const c = cli('report', path.join(tmp, 'missing.json'));
    expect(c.status).toBe(1);
    expect(c.stderr.trim()).toBe(`forwardgrad: report: ${path.join(tmp, 'missing.json')}: no such folder`);
  });

  test('--version prints the package version', () => {
    const r = cli('--version');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  });

  // Every error of every command: one line on stderr, one "forwardgrad:" prefix, what to do about it, no stack.
  test.each([
    [
      'an unknown command',
      ['bogus'],
      /^forwardgrad: unknown command 'bogus' \(forwardgrad <command> --help lists the options\)$/,
    ],
    [
      'a bad option value',
      ['train', 'beale', '--lr', 'x'],
      /^forwardgrad: option '--lr <rate>' argument 'x' is invalid\. --lr must be a number > 0 \(forwardgrad <command> --help/,
    ],
    ['emit without files', ['emit'], /^forwardgrad: missing required argument 'files' \(forwardgrad <command> --help/],
    [
      'emit of a missing file',
      ['emit', '/nonexistent/a.ts'],
      /^forwardgrad: emit: no such file: \/nonexistent\/a\.ts; check the path$/,
    ],
    [
      'emit with a missing tsconfig',
      ['emit', 'runtime/models/testfns.ts', '--tsconfig', '/nonexistent/tsconfig.json'],
      /^forwardgrad: tsconfig not found: .*; check the path, or leave it out/,
    ],
    [
      'init with a missing tsconfig',
      ['init', '--tsconfig', 'nope.json'],
      /^forwardgrad: --tsconfig nope\.json: no such file in .*; check the path/,
    ],
    [
      'init with a missing esbuild script',
      ['init', '--esbuild', 'nope.mjs', '--dry-run'],
      /^forwardgrad: --esbuild nope\.mjs: no such file in .*; check the path/,
    ],
    [
      'report of an empty folder',
      ['report', 'fixtures'],
      /^forwardgrad: report: fixtures holds no results\.json or testfns\.json .*; give the folder forwardgrad train or demo wrote/,
    ],
    [
      'train of an unknown experiment',
      ['train', 'nope'],
      /^forwardgrad: train: unknown experiment 'nope' \(one of beale/,
    ],
  ])('%s is one line with the fix', (_name, args, line) => {
    const r = cli(...args);
    expect(r.status).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
    expect(lines[0]).not.toMatch(/forwardgrad:.*forwardgrad:|forwardgrad: forwardgrad/);
  });

  test('emit of underivable code prints its located messages, one line each, and no stack', () => {
    const bad = path.join(tmp, 'underivable.ts');
    fs.writeFileSync(
      bad,
      'declare function ext(x: number): number;\n/** @forwardGrad */\nexport function f(x: number): number { return ext(x) * 2; }\n' +
        '/** @forwardGrad */\nexport function g(x: number, y: any): number { return x * y; }\n',
    );
    const r = cli('emit', bad, '--out', path.join(tmp, 'underivable-out'));
    expect(r.status).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:47 - error TS94002: forwardgrad: cannot differentiate the call of 'ext'.*Fix: `,
        ),
      ),
      expect.stringMatching(/:5:59 - error TS94003: forwardgrad: 'y' is used with active .*Fix: /),
    ]);
    expect(fs.existsSync(path.join(tmp, 'underivable-out'))).toBe(false);
  });

  test('init: wires the plugins (lazy-loads the transformer); --dry-run writes nothing', () => {
    const proj = path.join(tmp, 'proj');
    fs.mkdirSync(proj, { recursive: true });
    const tsconfig = '{"compilerOptions":{"strict":true}}';
    fs.writeFileSync(path.join(proj, 'tsconfig.json'), tsconfig);
    const r = spawnSync(
      process.execPath,
      [
        ...WITH_TWINS.map((a) => (a.startsWith('./') ? path.join(ROOT, a) : a)),
        path.join(ROOT, 'cli/main.ts'),
        'init',
        '--dry-run',
      ],
      { cwd: proj, encoding: 'utf8', timeout: 120000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Dry run: nothing written');
    expect(r.stdout).toContain('"transform": "forwardgrad/transformer"');
    expect(fs.readFileSync(path.join(proj, 'tsconfig.json'), 'utf8')).toBe(tsconfig);
  });

  test('emit: writes the twins of an annotated file (lazy-loads the transformer)', () => {
    const src = path.join(tmp, 'src');
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(
      path.join(src, 'sq.ts'),
      '/** @forwardGrad */\nexport function sq(x: number): number { return x * x; }\n',
    );
    const r = cli('emit', path.join(src, 'sq.ts'), '--out', path.join(tmp, 'emitted'));
    expect(r.status).toBe(0);
    const ts = fs.readFileSync(path.join(tmp, 'emitted', 'sq.ts'), 'utf8');
    expect(ts).toMatch(/registerJvp\(sq, /);
    expect(fs.existsSync(path.join(tmp, 'emitted', 'sq.js.map'))).toBe(true);
    const missing = cli('emit', path.join(src, 'nope.ts'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);
  });
});
