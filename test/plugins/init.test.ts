// `forwardgrad init` on sample projects: minimal edits that keep the user's comments, trailing commas
// and layout; idempotent; --dry-run writes nothing; all-or-nothing on errors; the install lines.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { InitError, runInit, type InitOptions } from '../../transformer/init';
import { MissingPeerError, type Resolve } from '../../transformer/plugins/peers';

const TSCONFIG = `{
  // compiler settings of the sample project
  "compilerOptions": {
    "target": "ES2022",
    "module": "commonjs", /* CJS output */
    "strict": true,
  },
  "include": ["src"], // sources
}
`;
const TSCONFIG_WIRED = `{
  // compiler settings of the sample project
  "compilerOptions": {
    "target": "ES2022",
    "module": "commonjs", /* CJS output */
    "strict": true,
    "plugins": [
      { "transform": "forwardgrad/transformer" },
      { "name": "forwardgrad/language-service" }
    ],
  },
  "include": ["src"], // sources
}
`;

const BUILD = `// Bundles the app.
import * as esbuild from 'esbuild';
import { banner } from './tools.mjs';

const options = {
  entryPoints: ['src/main.ts'],
  bundle: true,
  platform: 'node',
  outfile: 'dist/main.js',
};

if (process.argv.includes('--watch')) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build({
    ...options,
    minify: true,
    plugins: [banner()],
  });
}
`;
const BUILD_WIRED = `// Bundles the app.
import * as esbuild from 'esbuild';
import { banner } from './tools.mjs';
import { forwardGradPlugin } from 'forwardgrad/esbuild';

const options = {
  entryPoints: ['src/main.ts'],
  bundle: true,
  platform: 'node',
  outfile: 'dist/main.js',
  plugins: [forwardGradPlugin()],
};

if (process.argv.includes('--watch')) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build({
    ...options,
    minify: true,
    plugins: [banner(), forwardGradPlugin()],
  });
}
`;

const JEST = `/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // the TypeScript transform
  transform: {
    '^.+\\\\.tsx?$': ['ts-jest', { isolatedModules: true }],
  },
};
`;

const INSTALL = {
  tsc: 'npm i -D typescript@5.9.3 ts-patch@3.3.0',
  jest: 'npm i -D jest@30 ts-jest@29 typescript@5.9.3',
  esbuild: 'npm i -D esbuild typescript@5.9.3',
};

let dir: string;
const write = (files: Record<string, string>) => {
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
};
const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
const snapshot = () =>
  Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((f) => [f, read(f)]),
  );
const init = (options: InitOptions = {}) => runInit({ cwd: dir, ...options });

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forwardgrad-init-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The compiler options' plugin entries, as TypeScript reads the file. */
function plugins(text: string): unknown[] {
  const { config, error } = ts.parseConfigFileTextToJson('tsconfig.json', text);
  expect(error).toBeUndefined();
  return config.compilerOptions.plugins;
}

describe('a project with a commented tsconfig, an esbuild script and a ts-jest config', () => {
  beforeEach(() => write({ 'tsconfig.json': TSCONFIG, 'build.mjs': BUILD, 'jest.config.js': JEST }));

  test('--dry-run writes nothing and prints the diff', () => {
    const before = snapshot();
    const r = init({ esbuild: 'build.mjs', dryRun: true });
    expect(snapshot()).toEqual(before);
    expect(r.changes.map((c) => c.file)).toEqual(['tsconfig.json', 'jest.config.js', 'build.mjs']);
    expect(r.report).toContain('Dry run: nothing written');
    expect(r.report).toContain(
      [
        '--- a/tsconfig.json',
        '+++ b/tsconfig.json',
        '@@ -4,6 +4,10 @@',
        '     "target": "ES2022",',
        '     "module": "commonjs", /* CJS output */',
        '     "strict": true,',
        '+    "plugins": [',
        '+      { "transform": "forwardgrad/transformer" },',
        '+      { "name": "forwardgrad/language-service" }',
        '+    ],',
        '   },',
        '   "include": ["src"], // sources',
        ' }',
      ].join('\n'),
    );
    expect(r.report).toContain("+import { forwardGradPlugin } from 'forwardgrad/esbuild';");
    expect(r.report).toContain(
      "-    '^.+\\\\.tsx?$': ['ts-jest', { isolatedModules: true }],\n+    '^.+\\\\.tsx?$': ['forwardgrad/jest', { isolatedModules: true }],",
    );
  });

  test('wires all three, keeping comments, trailing commas and layout; a second run changes nothing', () => {
    const first = init({ esbuild: 'build.mjs' });
    expect(read('tsconfig.json')).toBe(TSCONFIG_WIRED);
    expect(read('build.mjs')).toBe(BUILD_WIRED);
    expect(read('jest.config.js')).toBe(JEST.replace("['ts-jest',", "['forwardgrad/jest',"));
    expect(first.paths).toEqual(['tsc', 'jest', 'esbuild']);
    expect(first.installLines).toEqual([INSTALL.tsc, INSTALL.jest, INSTALL.esbuild]);
    for (const line of first.installLines) expect(first.report).toContain(`\n  ${line}   # `);
    expect(first.report).toMatch(/npx tspc.*unrelated package/);

    const wired = snapshot();
    const second = init({ esbuild: 'build.mjs' });
    expect(snapshot()).toEqual(wired);
    expect(second.changes).toEqual([]);
    expect(second.unchanged).toEqual(['tsconfig.json', 'jest.config.js', 'build.mjs']);
    expect(second.installLines).toEqual(first.installLines);
    expect(init({ esbuild: 'build.mjs', dryRun: true }).report).toContain('Dry run: nothing to change.');
    expect(plugins(read('tsconfig.json'))).toEqual([
      { transform: 'forwardgrad/transformer' },
      { name: 'forwardgrad/language-service' },
    ]);
    // the edited script is still valid JavaScript
    const parsed = ts.createSourceFile('build.mjs', read('build.mjs'), ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    expect((parsed as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics).toEqual([]);
  });

  test('ts-morph missing: the install line, and nothing written (all or nothing)', () => {
    const before = snapshot();
    const withoutTsMorph: Resolve = (request) => {
      if (request === 'ts-morph' || request.startsWith('ts-morph/'))
        throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
      return require.resolve(request);
    };
    expect(() => init({ esbuild: 'build.mjs', resolve: withoutTsMorph })).toThrow(
      new MissingPeerError('forwardgrad init --esbuild', ['ts-morph'], 'needs ts-morph, which is not installed'),
    );
    expect(() => init({ esbuild: 'build.mjs', resolve: withoutTsMorph })).toThrow(
      'forwardgrad init --esbuild needs ts-morph, which is not installed: npm i -D ts-morph@27',
    );
    expect(snapshot()).toEqual(before);
    // without --esbuild, ts-morph is never needed
    expect(() => init({ resolve: withoutTsMorph })).not.toThrow();
  });
});

describe('tsconfig.json', () => {
  test('an existing plugins list gets the missing entry only, after a comment that stays on its line', () => {
    write({
      'tsconfig.json':
        '{\n    "compilerOptions": {\n        "plugins": [\n            { "transform": "forwardgrad/transformer" } // ours\n        ]\n    }\n}\n',
    });
    init();
    expect(read('tsconfig.json')).toBe(
      '{\n    "compilerOptions": {\n        "plugins": [\n            { "transform": "forwardgrad/transformer" }, // ours\n' +
        '            { "name": "forwardgrad/language-service" }\n        ]\n    }\n}\n',
    );
  });

  test('tabs, no compilerOptions, CRLF line ends', () => {
    write({ 'tsconfig.json': '{\r\n\t"include": ["src"]\r\n}\r\n' });
    init();
    expect(read('tsconfig.json')).toBe(
      '{\r\n\t"include": ["src"],\r\n\t"compilerOptions": {\r\n\t\t"plugins": [\r\n\t\t\t{ "transform": "forwardgrad/transformer" },\r\n' +
        '\t\t\t{ "name": "forwardgrad/language-service" }\r\n\t\t]\r\n\t}\r\n}\r\n',
    );
  });

  test('one-line lists stay on one line, with their trailing comma', () => {
    write({ 'tsconfig.json': '{ "compilerOptions": { "plugins": [{ "transform": "other" },] } }' });
    init();
    expect(read('tsconfig.json')).toBe(
      '{ "compilerOptions": { "plugins": [{ "transform": "other" }, { "transform": "forwardgrad/transformer" }, { "name": "forwardgrad/language-service" },] } }',
    );
  });

  test('plugins inherited through "extends" are repeated in the new list, which replaces them', () => {
    write({
      'base.json': '{ "compilerOptions": { "plugins": [{ "name": "other-plugin" }] } }',
      'tsconfig.json': '{\n  "extends": "./base.json"\n}\n',
    });
    const r = init();
    expect(plugins(read('tsconfig.json'))).toEqual([
      { name: 'other-plugin' },
      { transform: 'forwardgrad/transformer' },
      { name: 'forwardgrad/language-service' },
    ]);
    expect(r.changes[0].notes.join()).toMatch(/copied 1 plugin entry inherited through "extends"/);
    expect(init().changes).toEqual([]);
  });

  test("none: created with the plugins' options; a broken one is a located error and nothing is written", () => {
    init();
    expect(plugins(read('tsconfig.json'))).toHaveLength(2);
    expect(ts.parseConfigFileTextToJson('tsconfig.json', read('tsconfig.json')).config.compilerOptions).toMatchObject({
      target: 'ES2022',
      strict: true,
    });
    write({ 'tsconfig.json': '{\n  "compilerOptions": {\n    "strict": true\n    "target": "ES2022"\n  }\n}\n' });
    const before = snapshot();
    expect(() => init()).toThrow(
      new InitError("tsconfig.json:4:5: not valid JSON (',' expected): fix it, then run init again"),
    );
    expect(snapshot()).toEqual(before);
  });
});

describe('jest config', () => {
  test("no transform yet: added, in the file's quotes", () => {
    write({
      'jest.config.ts':
        'import type { Config } from "jest";\n\nconst config: Config = {\n  testEnvironment: "node",\n};\n\nexport default config;\n',
    });
    init();
    expect(read('jest.config.ts')).toBe(
      'import type { Config } from "jest";\n\nconst config: Config = {\n  testEnvironment: "node",\n' +
        '  transform: { "^.+\\\\.ts$": "forwardgrad/jest" },\n};\n\nexport default config;\n',
    );
  });

  test('another transformer for TypeScript: ours goes first (jest takes the first pattern that matches)', () => {
    write({ 'jest.config.js': "export default {\n  transform: {\n    '\\\\.[jt]sx?$': 'babel-jest',\n  },\n};\n" });
    init();
    expect(read('jest.config.js')).toBe(
      "export default {\n  transform: {\n    '^.+\\\\.ts$': 'forwardgrad/jest',\n    '\\\\.[jt]sx?$': 'babel-jest',\n  },\n};\n",
    );
  });

  test('package.json "jest"; --jest creates a config when there is none', () => {
    write({ 'package.json': '{\n  "name": "sample",\n  "jest": {\n    "testEnvironment": "node"\n  }\n}\n' });
    init();
    expect(JSON.parse(read('package.json')).jest).toEqual({
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': 'forwardgrad/jest' },
    });
    fs.rmSync(path.join(dir, 'package.json'));
    const without = init();
    expect(without.paths).toEqual(['tsc']);
    expect(without.report).toContain('`forwardgrad init --jest` creates jest.config.js');
    const created = init({ jest: true });
    expect(created.paths).toEqual(['tsc', 'jest']);
    expect(read('jest.config.js')).toBe(
      "module.exports = {\n  testEnvironment: 'node',\n  transform: { '^.+\\\\.ts$': 'forwardgrad/jest' },\n};\n",
    );
  });

  test('a config jest cannot be read from statically is an error that says what to add', () => {
    write({ 'jest.config.js': "module.exports = require('./shared-config');\n" });
    expect(() => init()).toThrow(
      /jest\.config\.js: cannot find the config object .*transform: \{ '\^\.\+\\\\\.ts\$': 'forwardgrad\/jest' \}/,
    );
  });
});

describe('esbuild script', () => {
  test("CommonJS with destructured build: a require after esbuild's; one-line options stay one line", () => {
    write({
      'build.js':
        '\'use strict\';\nconst { build } = require("esbuild");\n\nbuild({ entryPoints: ["src/a.ts"], bundle: true }).catch(() => process.exit(1));\n',
    });
    init({ esbuild: 'build.js' });
    expect(read('build.js')).toBe(
      '\'use strict\';\nconst { build } = require("esbuild");\nconst { forwardGradPlugin } = require("forwardgrad/esbuild");\n\n' +
        'build({ entryPoints: ["src/a.ts"], bundle: true, plugins: [forwardGradPlugin()] }).catch(() => process.exit(1));\n',
    );
    expect(init({ esbuild: 'build.js' }).changes).toEqual([]);
  });

  test('an existing import under another name is used, not repeated', () => {
    write({
      'build.mjs':
        "import { build } from 'esbuild';\nimport fg from 'forwardgrad/esbuild';\n\nawait build({ entryPoints: ['a.ts'], plugins: [] });\n",
    });
    init({ esbuild: 'build.mjs' });
    expect(read('build.mjs')).toBe(
      "import { build } from 'esbuild';\nimport fg from 'forwardgrad/esbuild';\n\nawait build({ entryPoints: ['a.ts'], plugins: [fg()] });\n",
    );
  });

  test('no build()/context() call, or options built elsewhere: errors that say what to add', () => {
    write({ 'build.mjs': "import * as esbuild from 'esbuild';\nesbuild.buildSync({ entryPoints: ['a.ts'] });\n" });
    expect(() => init({ esbuild: 'build.mjs' })).toThrow(
      "build.mjs: no esbuild build() or context() call found; add plugins: [forwardGradPlugin()] (imported from 'forwardgrad/esbuild') to your build options yourself",
    );
    write({
      'build.mjs':
        "import * as esbuild from 'esbuild';\nimport { options } from './options.mjs';\nawait esbuild.build(options);\n",
    });
    expect(() => init({ esbuild: 'build.mjs' })).toThrow(
      'build.mjs:3: the options of this esbuild call are not an object literal in this file; add plugins: [forwardGradPlugin()] to them yourself',
    );
    expect(() => init({ esbuild: 'missing.mjs' })).toThrow(/--esbuild missing\.mjs: no such file/);
    expect(fs.existsSync(path.join(dir, 'tsconfig.json'))).toBe(false);
  });
});
