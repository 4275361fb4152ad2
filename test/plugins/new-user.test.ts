// The three plugin paths as a new user takes them: a throwaway project installs the `npm pack`
// tarball, annotates a function (calling a helper in another module, which needs its own twin), builds
// with tspc / esbuild / jest, and checks jvp against central finite differences in float64. Each path
// also gets an underivable call (a `declare`d function with an active argument), which must fail the
// build at that call's file:line:column. One tarball serves every test: one project with every tool for
// the plugin tests, and newcomer projects (the same tarball unpacked alone) for the README's steps.
import * as fs from 'fs';
import * as path from 'path';
import { TsServer } from './support/tsserver-client';
import {
  createUserProject,
  plain,
  positionOf,
  readmeSteps,
  type Newcomer,
  type UserProject,
} from './support/user-project';

const SOURCES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'user-project', version: '1.0.0', private: true }),
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'commonjs',
      moduleResolution: 'node10',
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      types: ['node'],
      outDir: 'dist',
      rootDir: 'src',
      plugins: [{ transform: 'forwardgrad/transformer' }],
    },
    files: ['src/helper.ts', 'src/model.ts', 'src/check.ts', 'src/main.ts'],
  }),
  'tsconfig.bad.json': JSON.stringify({
    extends: './tsconfig.json',
    compilerOptions: { outDir: 'dist-bad' },
    files: ['src/bad.ts'],
  }),
  'src/helper.ts': ['export function wobble(t: number): number {', '  return t * t + Math.sin(3 * t);', '}', ''].join(
    '\n',
  ),
  'src/model.ts': [
    "import { wobble } from './helper';",
    '',
    '/** @forwardGrad */',
    'export function beale(x: number, y: number): number {',
    '  const a = 1.5 - x + x * y;',
    '  const b = 2.25 - x + x * y * y;',
    '  const c = 2.625 - x + x * y * y * y;',
    '  return a * a + b * b + c * c + wobble(x - 2 * y);',
    '}',
    '',
  ].join('\n'),
  'src/check.ts': [
    "import { jvp } from 'forwardgrad';",
    "import { beale } from './model';",
    '',
    '/** jvp of beale against central finite differences, at fixed points and directions. */',
    'export function checkDerivatives(): { value: number; primal: number; tangent: number; fd: number }[] {',
    '  const cases = [[1.5, -0.1, 1, 0], [0.3, 0.7, -0.4, 1.2], [-1.1, 2.0, 0.5, 0.5], [2.2, 0.4, 0, 1]];',
    '  return cases.map(([x, y, dx, dy]) => {',
    '    const [value, tangent] = jvp(beale, [x, y], [dx, dy]) as [number, number];',
    '    const h = 1e-5;',
    '    const fd = (beale(x + h * dx, y + h * dy) - beale(x - h * dx, y - h * dy)) / (2 * h);',
    '    return { value, primal: beale(x, y), tangent, fd };',
    '  });',
    '}',
    '',
  ].join('\n'),
  'src/main.ts': "import { checkDerivatives } from './check';\nconsole.log(JSON.stringify(checkDerivatives()));\n",
  'src/bad.ts': [
    'declare function mystery(x: number): number;',
    '',
    '/** @forwardGrad */',
    'export function broken(x: number): number {',
    '  return 2 * mystery(x);',
    '}',
    '',
  ].join('\n'),
  'src/bad-main.ts': "import { broken } from './bad';\nconsole.log(broken(1));\n",
  'build-esbuild.js': [
    "const esbuild = require('esbuild');",
    "const { forwardGradPlugin } = require('forwardgrad/esbuild');",
    'const [entry, outfile, mode] = process.argv.slice(2);',
    'esbuild.build({',
    "  entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent',",
    "  sourcemap: true, packages: mode === 'external' ? 'external' : undefined, plugins: [forwardGradPlugin()],",
    '}).then(() => console.log(JSON.stringify({ ok: true })), (e) => {',
    '  console.log(JSON.stringify({ ok: false, errors: e.errors }));',
    '  process.exitCode = 1;',
    '});',
    '',
  ].join('\n'),
  // The same build from an ES module script, through the package's default export.
  'build-esbuild.mjs': [
    "import * as esbuild from 'esbuild';",
    "import forwardGradPlugin, { forwardGradPlugin as named } from 'forwardgrad/esbuild';",
    "if (forwardGradPlugin !== named) throw new Error('default and named exports differ');",
    'const [entry, outfile, mode] = process.argv.slice(2);',
    'await esbuild.build({',
    "  entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent',",
    "  sourcemap: true, packages: mode === 'external' ? 'external' : undefined, plugins: [forwardGradPlugin()],",
    '});',
    'console.log(JSON.stringify({ ok: true }));',
    '',
  ].join('\n'),
  'jest.config.js':
    "module.exports = { testEnvironment: 'node', roots: ['<rootDir>/test'], transform: { '^.+\\\\.ts$': 'forwardgrad/jest' } };\n",
  'jest.bad.config.js':
    "module.exports = { testEnvironment: 'node', roots: ['<rootDir>/test-bad'], transform: { '^.+\\\\.ts$': 'forwardgrad/jest' } };\n",
  'test/model.test.ts': [
    "import { checkDerivatives } from '../src/check';",
    '',
    "test('jvp of the annotated model matches central finite differences', () => {",
    '  for (const c of checkDerivatives()) {',
    '    expect(c.value).toBe(c.primal);',
    '    expect(Math.abs(c.tangent - c.fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(c.fd)));',
    '  }',
    '});',
    '',
  ].join('\n'),
  'test-bad/bad.test.ts':
    "import { broken } from '../src/bad';\n\ntest('never runs', () => { expect(broken(1)).toBeDefined(); });\n",
};

const BAD_CALL = positionOf(SOURCES['src/bad.ts'], 'mystery(x)');
const BAD_AT = `bad.ts:${BAD_CALL.line}:${BAD_CALL.column}`;

interface Case {
  value: number;
  primal: number;
  tangent: number;
  fd: number;
}

/** The program's printed cases: exact primal, tangent within float64 finite-difference error. */
function expectCorrect(stdout: string): void {
  const cases = JSON.parse(stdout.trim().split('\n').pop()!) as Case[];
  expect(cases).toHaveLength(4);
  for (const c of cases) {
    expect(c.value).toBe(c.primal);
    // Central differences with h = 1e-5: truncation ~h²·f''' and rounding ~eps·|f|/h, both < 1e-7 here.
    expect(Math.abs(c.tangent - c.fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(c.fd)));
  }
}

let project: UserProject;

beforeAll(() => {
  project = createUserProject(SOURCES);
}, 300_000);

afterAll(() => project?.remove());

test('the tarball holds compiled JS, declarations and every entry point, and no TypeScript sources', () => {
  const root = path.join(project.dir, 'node_modules', 'forwardgrad');
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  for (const entry of ['.', './transformer', './esbuild', './jest', './models']) {
    expect(fs.existsSync(path.join(root, manifest.exports[entry].default))).toBe(true);
    if (manifest.exports[entry].import)
      expect(fs.existsSync(path.join(root, manifest.exports[entry].import))).toBe(true);
    expect(fs.existsSync(path.join(root, manifest.exports[entry].types))).toBe(true);
  }
  expect(fs.existsSync(path.join(root, manifest.bin.forwardgrad))).toBe(true);
  const files = fs.readdirSync(root, { recursive: true }).map(String);
  expect(files.filter((f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f))).toEqual([]);
  expect(manifest.dependencies?.typescript).toBeUndefined();
  expect(manifest.peerDependenciesMeta['gpu.js']).toEqual({ optional: true });
});

describe('tsconfig plugin with tspc', () => {
  test('builds the annotated module and its callee; jvp matches finite differences', () => {
    const build = project.node([project.bin('tspc'), '-p', 'tsconfig.json']);
    expect(plain(build.stdout + build.stderr)).toBe('');
    expect(build.status).toBe(0);
    const run = project.node(['dist/main.js']);
    expect(run.stderr).toBe('');
    expectCorrect(run.stdout);
  });

  test('an underivable call fails the build at its file:line:column', () => {
    const build = project.node([project.bin('tspc'), '-p', 'tsconfig.bad.json', '--pretty']);
    expect(build.status).not.toBe(0);
    const out = plain(build.stdout);
    expect(out).toContain(`src/${BAD_AT}`);
    expect(out).toMatch(/mystery/);
  });
});

describe('esbuild plugin', () => {
  test.each([
    ['bundle', 'build-esbuild.js'],
    ['external', 'build-esbuild.js'],
    ['external', 'build-esbuild.mjs'],
  ])('%s, from %s: jvp matches finite differences', (mode, script) => {
    const outfile = `out/${mode}-${script.replace(/\W/g, '-')}.js`;
    const build = project.node([script, 'src/main.ts', outfile, mode]);
    expect(build.stdout).toContain('"ok":true');
    const bundled = fs.readFileSync(path.join(project.dir, outfile), 'utf8');
    // external leaves the runtime to node_modules; bundle inlines it.
    expect(/require\("forwardgrad"\)/.test(bundled)).toBe(mode === 'external');
    const run = project.node([outfile]);
    expect(run.stderr).toBe('');
    expectCorrect(run.stdout);
  });

  test('an underivable call is an esbuild error with its location', () => {
    const build = project.node(['build-esbuild.js', 'src/bad-main.ts', 'out/bad.js', 'bundle']);
    expect(build.status).not.toBe(0);
    const { errors } = JSON.parse(build.stdout) as {
      errors: { text: string; location: { file: string; line: number; column: number; lineText: string } }[];
    };
    expect(errors.length).toBeGreaterThan(0);
    const [error] = errors;
    expect(error.text).toMatch(/mystery/);
    expect(error.location).toMatchObject({
      file: path.join('src', 'bad.ts'),
      line: BAD_CALL.line,
      column: BAD_CALL.column - 1,
      lineText: '  return 2 * mystery(x);',
    });
  });
});

describe('jest transformer', () => {
  const jest = (config: string) =>
    project.node([
      project.bin('jest'),
      '--config',
      config,
      '--runInBand',
      '--ci',
      '--cacheDirectory',
      path.join(project.dir, '.jest-cache'),
    ]);

  test('a user test of a jvp passes', () => {
    const run = jest('jest.config.js');
    expect(plain(run.stderr)).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(run.status).toBe(0);
  });

  test('an underivable call fails the test file with its file:line:column', () => {
    const run = jest('jest.bad.config.js');
    expect(run.status).not.toBe(0);
    const out = plain(run.stderr);
    expect(out).toMatch(/Test suites?: 1 failed/i);
    expect(out).toContain(BAD_AT);
    expect(out).toMatch(/mystery/);
  });
});

describe('the installed package', () => {
  const installed = (...parts: string[]) => path.join(project.dir, 'node_modules', 'forwardgrad', ...parts);

  test('its own annotated models were built with twins (the repository build runs our transformer)', () => {
    const script = [
      "const { lookupJvp } = require('forwardgrad');",
      `const { beale, rosenbrock } = require(${JSON.stringify(installed('dist', 'runtime', 'models', 'testfns.js'))});`,
      'const out = [];',
      'for (const f of [beale, rosenbrock]) {',
      '  const twin = lookupJvp(f);',
      "  if (!twin) throw new Error('no twin for ' + f.name);",
      '  for (const [x, y, dx, dy] of [[1.5, -0.1, 1, 0], [-0.7, 0.9, 0.3, -1.1], [2.2, 0.4, 0, 1]]) {',
      '    const [value, tangent] = twin.fn(x, dx, y, dy);',
      '    const h = 1e-5;',
      '    const fd = (f(x + h * dx, y + h * dy) - f(x - h * dx, y - h * dy)) / (2 * h);',
      '    out.push({ value, primal: f(x, y), tangent, fd });',
      '  }',
      '}',
      'console.log(JSON.stringify(out));',
    ].join('\n');
    const run = project.node(['-e', script]);
    expect(run.stderr).toBe('');
    const cases = JSON.parse(run.stdout) as Case[];
    expect(cases).toHaveLength(6);
    for (const c of cases) {
      expect(c.value).toBe(c.primal);
      expect(Math.abs(c.tangent - c.fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(c.fd)));
    }
  });

  test('bin `forwardgrad emit` writes the readable twin; underivable code exits non-zero with its location', () => {
    const manifest = JSON.parse(fs.readFileSync(installed('package.json'), 'utf8'));
    const bin = installed(manifest.bin.forwardgrad);
    const ok = project.node([bin, 'emit', 'src/model.ts', 'src/helper.ts', '--out', 'emitted']);
    expect(ok.status).toBe(0);
    expect(fs.readFileSync(path.join(project.dir, 'emitted', 'model.ts'), 'utf8')).toMatch(/function beale_jvp\w*\(/);
    expect(fs.readFileSync(path.join(project.dir, 'emitted', 'helper.ts'), 'utf8')).toMatch(/function wobble_jvp\w*\(/);
    expect(fs.existsSync(path.join(project.dir, 'emitted', 'model.js.map'))).toBe(true);
    const bad = project.node([bin, 'emit', 'src/bad.ts', '--out', 'emitted-bad']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain(BAD_AT);
    expect(fs.existsSync(path.join(project.dir, 'emitted-bad'))).toBe(false);
  });
});

// The README's "Using it in your project", line by line, in a project where only `npm install
// <tarball>` has run: each `npm i -D` line links exactly the packages it names (at the versions it
// pins), each `npx` line runs the real npx (offline: a local bin or an error, never a download). The
// sh blocks are read from the README and must be the steps below, so the README cannot drift from
// what is tested. The steps build on each other, in order, in one project.
const NEWCOMER_TSCONFIG = `{
  // Visit https://aka.ms/tsconfig to read more about this file
  "compilerOptions": {
    "target": "es2022",        /* JavaScript language version of the output */
    "module": "commonjs",
    "outDir": "./dist",
    "rootDir": "./src",
    "strict": true,
    "esModuleInterop": true,
    "skipLibCheck": true,
  },
  "include": ["src"], // the app
}
`;
const NEWCOMER: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'newcomer', version: '1.0.0', private: true }, null, 2),
  'tsconfig.json': NEWCOMER_TSCONFIG,
  // the README's example function
  'src/model.ts': [
    '/** @forwardGrad */',
    'export function beale(x: number, y: number): number {',
    '  return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2;',
    '}',
    '',
  ].join('\n'),
  'src/main.ts': [
    "import { jvp } from 'forwardgrad';",
    "import { beale } from './model';",
    '',
    'const cases = [[1.5, -0.1, 1, 0], [0.3, 0.7, -0.4, 1.2], [-1.1, 2.0, 0.5, 0.5], [2.2, 0.4, 0, 1]];',
    'console.log(JSON.stringify(cases.map(([x, y, dx, dy]) => {',
    '  const [value, tangent] = jvp(beale, [x, y], [dx, dy]) as [number, number];',
    '  const h = 1e-5;',
    '  const fd = (beale(x + h * dx, y + h * dy) - beale(x - h * dx, y - h * dy)) / (2 * h);',
    '  return { value, primal: beale(x, y), tangent, fd };',
    '})));',
    '',
  ].join('\n'),
  // an esbuild script as the user had it before forwardgrad
  'build.mjs': [
    '// Bundles the app for node.',
    "import * as esbuild from 'esbuild';",
    '',
    'await esbuild.build({',
    "  entryPoints: ['src/main.ts'],",
    '  bundle: true,',
    "  platform: 'node',",
    "  outfile: 'out/main.js',",
    '});',
    '',
  ].join('\n'),
  'test/model.test.ts': [
    "import { jvp } from 'forwardgrad';",
    "import { beale } from '../src/model';",
    '',
    "test('the derivative of beale along (0.3, -1.2) is the central difference', () => {",
    '  const [x, y, dx, dy] = [0.3, 0.7, 0.3, -1.2];',
    '  const [, tangent] = jvp(beale, [x, y], [dx, dy]) as [number, number];',
    '  const h = 1e-5;',
    '  const fd = (beale(x + h * dx, y + h * dy) - beale(x - h * dx, y - h * dy)) / (2 * h);',
    '  // h = 1e-5: truncation and rounding error of the difference both < 1e-7 here',
    '  expect(Math.abs(tangent - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));',
    '});',
    '',
  ].join('\n'),
};

/** One line of output per error: the fix on it, no stack trace. */
function expectOneLineError(r: { status: number | null; stdout: string; stderr: string }, install: string): void {
  expect(r.status).not.toBe(0);
  const lines = plain(r.stderr)
    .split('\n')
    .filter((l) => l.includes(install));
  expect(lines).toHaveLength(1);
  expect(plain(r.stderr)).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
}

describe('the README newcomer paths, from the tarball', () => {
  let user: Newcomer;
  beforeAll(() => {
    user = project.newcomer(NEWCOMER);
  });

  test('`npx forwardgrad --version` prints the installed version', () => {
    const r = user.sh('npx forwardgrad --version');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const { version } = JSON.parse(user.read('node_modules/forwardgrad/package.json')) as { version: string };
    expect(r.stdout).toBe(`${version}\n`);
  });

  test('tsc: init (twice, and --dry-run first) wires the commented tsconfig.json; npx tspc builds; jvp is right', () => {
    const steps = readmeSteps('tsc');
    expect(steps).toEqual(['npx forwardgrad init', 'npm i -D typescript@5.9.3 ts-patch@3.3.0', 'npx tspc']);
    const dry = user.sh(`${steps[0]} --dry-run`);
    expect(dry.stderr).toBe('');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('+      { "transform": "forwardgrad/transformer" },');
    expect(user.read('tsconfig.json')).toBe(NEWCOMER_TSCONFIG);
    const first = user.sh(steps[0]);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('tsconfig.json: updated');
    // init prints the README's install line of the path it wired
    expect(first.stdout).toContain(steps[1]);
    const wired = user.read('tsconfig.json');
    // comments and trailing commas kept, both entries in
    expect(wired).toContain('// Visit https://aka.ms/tsconfig');
    expect(wired).toContain('/* JavaScript language version of the output */');
    expect(wired).toContain('"include": ["src"], // the app');
    expect(wired).toContain('{ "transform": "forwardgrad/transformer" }');
    expect(wired).toContain('{ "name": "forwardgrad/language-service" }');
    const second = user.sh(steps[0]);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('tsconfig.json: already wired');
    expect(user.read('tsconfig.json')).toBe(wired);
    expect(user.sh(steps[1]).status).toBe(0);
    const build = user.sh(steps[2]);
    expect(plain(build.stdout + build.stderr)).toBe('');
    expect(build.status).toBe(0);
    const run = user.sh('node dist/main.js');
    expect(run.stderr).toBe('');
    expectCorrect(run.stdout);
  });

  test('editor: tsserver loads forwardgrad/language-service from the installed package and shows TS94002', async () => {
    expect(fs.existsSync(path.join(user.dir, 'node_modules', 'forwardgrad', 'language-service.js'))).toBe(true);
    const text =
      'declare function mystery(x: number): number;\n\n/** @forwardGrad */\nexport function broken(x: number): number {\n  return 2 * mystery(x);\n}\n';
    const file = path.join(user.dir, 'src', 'editor.ts');
    fs.writeFileSync(file, text);
    // the project's typescript is a symlink here, so tsserver's default probe location (beside its
    // real file) is this repository: probe the project, as a project-local TypeScript does
    const server = new TsServer(
      path.join(user.dir, 'node_modules', 'typescript', 'lib', 'tsserver.js'),
      ['--pluginProbeLocations', user.dir],
      user.dir,
    );
    try {
      server.notify('open', { file, projectRootPath: user.dir });
      const r = await server.request('semanticDiagnosticsSync', { file });
      expect(r.success).toBe(true);
      const at = positionOf(text, 'mystery(x);');
      expect((r.body as { code: number; start: unknown }[]).filter((d) => d.code >= 94000 && d.code < 95000)).toEqual([
        expect.objectContaining({ code: 94002, start: { line: at.line, offset: at.column } }),
      ]);
    } finally {
      await server.close();
      fs.rmSync(file);
    }
  });

  test('esbuild: without ts-morph, init names it on one line; then the README steps bundle a correct program', () => {
    const steps = readmeSteps('esbuild');
    expect(steps).toEqual([
      'npm i -D ts-morph@27',
      'npx forwardgrad init --esbuild build.mjs',
      'npm i -D esbuild typescript@5.9.3',
      'node build.mjs',
    ]);
    const before = user.read('build.mjs');
    expectOneLineError(user.sh(steps[1]), 'npm i -D ts-morph@27');
    expect(user.read('build.mjs')).toBe(before);
    expect(user.sh(steps[0]).status).toBe(0);
    const init = user.sh(steps[1]);
    expect(init.status).toBe(0);
    expect(init.stdout).toContain('build.mjs: updated');
    expect(init.stdout).toContain(steps[2]);
    expect(user.read('build.mjs')).toMatch(
      /import \{ forwardGradPlugin \} from 'forwardgrad\/esbuild';[^]*plugins: \[forwardGradPlugin\(\)\]/,
    );
    expect(user.sh(steps[1]).stdout).toContain('build.mjs: already wired');
    expect(user.sh(steps[2]).status).toBe(0);
    const build = user.sh(steps[3]);
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    const run = user.sh('node out/main.js');
    expect(run.stderr).toBe('');
    expectCorrect(run.stdout);
  });

  test('jest: jest without ts-jest fails with the install line; after the README line the test passes', () => {
    const steps = readmeSteps('jest');
    expect(steps).toEqual(['npx forwardgrad init --jest', 'npm i -D jest@30 ts-jest@29 typescript@5.9.3', 'npx jest']);
    const init = user.sh(steps[0]);
    expect(init.status).toBe(0);
    expect(init.stdout).toContain('jest.config.js: created');
    expect(init.stdout).toContain(steps[1]);
    // the user forgets ts-jest
    user.sh('npm i -D jest@30');
    const missing = user.sh(steps[2]);
    expect(plain(missing.stderr)).toMatch(
      /forwardgrad\/jest needs ts-jest, which is not installed: npm i -D ts-jest@29/,
    );
    expect(missing.status).not.toBe(0);
    expect(user.sh(steps[1]).status).toBe(0);
    const run = user.sh(steps[2]);
    expect(plain(run.stderr)).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(run.status).toBe(0);
  });
});

test('emit: a Tensor model file in a project without tsconfig.json gets its twin (README command)', () => {
  const model = [
    "import { Tensor, matmul, sum } from 'forwardgrad';",
    '',
    '/** @forwardGrad */',
    'export function loss(w: Tensor, x: Tensor): Tensor {',
    '  return sum(matmul(x, w));',
    '}',
    '',
  ].join('\n');
  const user = project.newcomer({
    'package.json': JSON.stringify({ name: 'emitter', private: true }),
    'src/model.ts': model,
  });
  expect(fs.existsSync(path.join(user.dir, 'tsconfig.json'))).toBe(false);
  const r = user.sh('npx forwardgrad emit src/model.ts --out emitted/');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const twin = user.read('emitted/model.ts');
  expect(twin).toMatch(/function loss_jvp\(w: Tensor, dw: Tensor, x: Tensor, dx: Tensor\)/);
  expect(twin).toMatch(/matmulJvp\(x, dx, w, dw\)/);
  expect(twin).toMatch(/sumJvp\(/);
});
