// The command line never loses or mixes results (issue 10): output folders checked before any
// training with one-line errors; a run is staged beside its target and moved into place at the
// end; an existing report is replaced only with --force; a killed run leaves the old report; a
// diverged run says so and exits non-zero; a repeated flag is an error or accumulates.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errorLine, EXIT_DIVERGED } from '../../cli/main';

const ROOT = path.resolve(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-cli-rel-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ARGS = ['-r', './test/support/register-transform.js', 'cli/main.ts'];
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [...ARGS, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120000 });
/** A tiny Figure 2 run (a few ms of training). */
const tiny = (out: string, ...more: string[]) =>
  cli('train', 'beale', '--iterations', '20', '--runs', '1', '--out', out, ...more);
const runIdOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'testfns.json'), 'utf8')).runId as string;
const siblings = (dir: string) =>
  fs.readdirSync(path.dirname(dir)).filter((e) => e.startsWith(`.${path.basename(dir)}.`));

describe('output folders are checked before any training, with one-line errors', () => {
  test('a file', () => {
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, 'keep me');
    const r = tiny(file);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`forwardgrad: --out ${file}: is a file, not a folder\n`);
    expect(r.stdout).toBe(''); // nothing trained, nothing printed
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me');
  });

  test('a folder whose parent is a file, and one that cannot be created', () => {
    const file = path.join(tmp, 'parent-file');
    fs.writeFileSync(file, '');
    const a = tiny(path.join(file, 'out'));
    expect(a.status).toBe(1);
    expect(a.stderr).toBe(`forwardgrad: --out ${file}/out: ${file} is a file, not a folder\n`);
    const b = tiny('/proc/forwardgrad-no-such/out');
    expect(b.status).toBe(1);
    expect(b.stderr).toMatch(
      /^forwardgrad: --out \/proc\/forwardgrad-no-such\/out: cannot create its parent folder \/proc\/forwardgrad-no-such \(E[A-Z]+: [^\n]*\)\n$/,
    );
    expect(b.stdout).toBe('');
  });

  test('a non-empty folder that is not a report is never replaced, even with --force', () => {
    const dir = path.join(tmp, 'mine');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'thesis.tex'), 'precious');
    const r = tiny(dir, '--force');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `forwardgrad: --out ${dir}: the folder is not empty and holds no forwardgrad report; choose a new folder (it is never replaced)\n`,
    );
    expect(fs.readdirSync(dir)).toEqual(['thesis.tex']);
  });

  test('the checkpoint folder and --data are checked the same way', () => {
    const file = path.join(tmp, 'ck-file');
    fs.writeFileSync(file, '');
    const a = cli('train', 'mlp', '--checkpoint', file, '--out', path.join(tmp, 'x1'));
    expect(a.status).toBe(1);
    expect(a.stderr).toBe(`forwardgrad: --checkpoint ${file}: is a file, not a folder\n`);
    const b = cli('train', 'mlp', '--data', path.join(tmp, 'no-data'), '--out', path.join(tmp, 'x2'));
    expect(b.status).toBe(1);
    expect(b.stderr).toBe(`forwardgrad: --data ${path.join(tmp, 'no-data')}: no such folder\n`);
    const c = cli('train', 'mlp', '--resume', path.join(tmp, 'no-ck'), '--out', path.join(tmp, 'x3'));
    expect(c.stderr).toBe(`forwardgrad: --resume ${path.join(tmp, 'no-ck')}: no such folder\n`);
    expect(
      fs.existsSync(path.join(tmp, 'x1')) || fs.existsSync(path.join(tmp, 'x2')) || fs.existsSync(path.join(tmp, 'x3')),
    ).toBe(false);
  });
});

describe('a run replaces a report whole, and only with --force', () => {
  const out = path.join(tmp, 'report');

  test('refused without --force (the old report intact), replaced with it, no staging left behind', () => {
    expect(tiny(out).status).toBe(0);
    const first = runIdOf(out);
    const again = tiny(out);
    expect(again.status).toBe(1);
    expect(again.stderr).toBe(`forwardgrad: --out ${out}: holds a report already; pass --force to replace it\n`);
    expect(runIdOf(out)).toBe(first);
    const forced = tiny(out, '--force');
    expect(forced.status).toBe(0);
    const second = runIdOf(out);
    expect(second).not.toBe(first);
    expect(fs.readFileSync(path.join(out, 'index.html'), 'utf8')).toContain(second); // the page names its JSON's run
    expect(siblings(out)).toEqual([]);
  });

  test("Ctrl-C during training leaves the old report; the next run clears the dead run's staging folder", async () => {
    const before = runIdOf(out);
    const child = spawn(
      process.execPath,
      [...ARGS, 'train', 'rosenbrock', '--iterations', '5000000', '--runs', '1', '--out', out, '--force', '--quiet'],
      { cwd: ROOT, stdio: 'ignore' },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    // wait for its staging folder: it is training now
    for (let i = 0; i < 600 && siblings(out).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(siblings(out)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    expect(await exited).toBe('SIGINT');
    expect(runIdOf(out)).toBe(before);
    expect(fs.readdirSync(out).sort()).toEqual([
      'beale-loss-iteration.svg',
      'beale-loss-time.svg',
      'beale-trajectories.svg',
      'index.html',
      'testfns.json',
    ]);
    expect(siblings(out)[0]).toMatch(new RegExp(`^\\.report\\.partial-${child.pid}-`));
    expect(tiny(out, '--force').status).toBe(0);
    expect(siblings(out)).toEqual([]);
  }, 90000);
});

describe('diverged runs, repeated flags, help', () => {
  test('a diverged run is reported as diverged and exits non-zero (its report still written)', () => {
    const out = path.join(tmp, 'diverged');
    const r = cli('train', 'beale', '--lr', '1000', '--iterations', '50', '--runs', '2', '--out', out);
    expect(r.status).toBe(EXIT_DIVERGED);
    expect(r.stdout).toMatch(/^diverged: Beale fgd: 2 of 2 runs diverged$/m);
    expect(r.stdout).toMatch(/^diverged: Beale gd: 2 of 2 runs diverged$/m);
    expect(r.stdout).toContain(`report: ${path.join(out, 'index.html')}`);
    expect(fs.readFileSync(path.join(out, 'index.html'), 'utf8')).toContain('DIVERGED');
    const ok = tiny(path.join(tmp, 'fine'));
    expect(ok.status).toBe(0);
    expect(ok.stdout).not.toMatch(/diverged/i);
  });

  test('a repeated single-valued flag is an error; --fn accumulates', () => {
    const r = cli('train', 'beale', '--lr', '0.01', '--lr', '0.02', '--out', path.join(tmp, 'rep'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--lr was given more than once/);
    expect(cli('train', 'beale', '--iterations', '5', '--iters', '6').stderr).toMatch(
      /--iters is an alias of --iterations; give one of them/,
    );
    const out = path.join(tmp, 'both');
    const both = cli(
      'train',
      '--fn',
      'beale',
      '--fn',
      'rosenbrock',
      '--iters',
      '10',
      '--runs',
      '1',
      '--out',
      out,
      '--quiet',
    );
    expect(both.status).toBe(0);
    const log = JSON.parse(fs.readFileSync(path.join(out, 'testfns.json'), 'utf8'));
    expect(log.functions.map((f: { key: string }) => f.key)).toEqual(['beale', 'rosenbrock']);
  });

  test('options that do not apply, and an unknown experiment, are errors naming them', () => {
    expect(cli('train', 'beale', '--method', 'fgd').stderr).toMatch(
      /^forwardgrad: train beale: --method applies only to logreg, mlp, cnn and scaling/,
    );
    expect(cli('train', 'mlp', '--samples', '3').stderr).toMatch(
      /^forwardgrad: train mlp: --samples applies only to beale and rosenbrock/,
    );
    expect(cli('train', 'resnet').stderr).toBe(
      "forwardgrad: train: unknown experiment 'resnet' (one of beale, rosenbrock, logreg, mlp, cnn, scaling)\n",
    );
    expect(cli('train', 'beale', '--fn', 'beale').stderr).toMatch(/give the experiment once/);
  });

  test("train --help lists --checkpoint, --resume, --force and the paper's defaults", () => {
    const r = cli('train', '--help');
    expect(r.status).toBe(0);
    for (const flag of [
      '--checkpoint <dir>',
      '--resume <dir>',
      '--force',
      '--method <m>',
      '--iterations <n>',
      '--iters <n>',
      '--lr-sweep [rates]',
      '--eval-every <n>',
      '--data <dir>',
      '--depths <list>',
    ])
      expect(r.stdout).toContain(flag);
    expect(r.stdout).not.toContain('--train-limit'); // test-only options stay hidden
  });

  test('error lines never double the prefix and carry no stack', () => {
    expect(errorLine(new Error('forwardgrad: forwardgrad: x failed'))).toBe('forwardgrad: x failed');
    expect(errorLine(new Error('fgd: lr must be > 0'))).toBe('forwardgrad: fgd: lr must be > 0');
  });
});
