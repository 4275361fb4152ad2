// `forwardgrad init` on a sample project: tsconfig.json with comments and trailing commas, a jest config with a
// ts-jest transform, an esbuild script. Comments and formatting stay, one entry however often it runs, --dry-run
// writes nothing and prints the change, and the install lines are printed, never run.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { addEsbuildPlugin, addTsconfigPlugin, init } from '../../transformer/init';

const TSCONFIG = `{
  // the project's own settings
  "compilerOptions": {
    "target": "ES2022", /* modern output */
    "strict": true,
  },
  "include": ["src"],
}
`;
const JEST = `/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\\\.tsx?$': 'ts-jest' },
};
`;
const BUILD = `import * as esbuild from 'esbuild';

// bundle the app
await esbuild.build({ entryPoints: ['src/main.ts'], bundle: true, outfile: 'dist/main.js' });
`;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forwardgrad-init-'));
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), TSCONFIG);
  fs.writeFileSync(path.join(dir, 'jest.config.js'), JEST);
  fs.writeFileSync(path.join(dir, 'build.mjs'), BUILD);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const read = (n: string) => fs.readFileSync(path.join(dir, n), 'utf8');
const run = (extra: { dryRun?: boolean } = {}) => { const lines: string[] = []; init({ cwd: dir, esbuild: 'build.mjs', log: (l) => lines.push(l), ...extra }); return lines.join('\n'); };

test('wires tsconfig (keeping comments), jest and the esbuild script; idempotent', () => {
  const out = run();
  const tsconfig = read('tsconfig.json');
  expect(tsconfig).toContain('// the project\'s own settings');
  expect(tsconfig).toContain('/* modern output */');
  expect(tsconfig).toContain('"include": ["src"],');
  const parsed = ts.parseConfigFileTextToJson('tsconfig.json', tsconfig);
  expect(parsed.error).toBeUndefined();
  expect(parsed.config.compilerOptions.plugins).toEqual([{ transform: 'forwardgrad/transformer' }]);
  expect(parsed.config.compilerOptions.strict).toBe(true);
  const jest = read('jest.config.js');
  const config = new Function('module', `${jest}; return module.exports;`)({ exports: {} });
  expect(config.transform).toEqual({ '^.+\\.tsx?$': 'forwardgrad/jest' });
  expect(config.testEnvironment).toBe('node');
  const build = read('build.mjs');
  expect(build).toMatch(/import \{ forwardGradPlugin \} from ["']forwardgrad\/esbuild["'];/);
  expect(build).toMatch(/plugins: \[forwardGradPlugin\(\)\]/);
  expect(build).toContain('// bundle the app');
  expect(out).toContain('npm i -D forwardgrad typescript ts-patch');
  expect(out).toContain('npm i -D forwardgrad jest ts-jest @types/jest');
  expect(out).toContain('npm i -D forwardgrad esbuild');
  // a second run changes nothing
  const snapshot = ['tsconfig.json', 'jest.config.js', 'build.mjs'].map(read);
  expect(run()).toContain('already set up, nothing to change');
  expect(['tsconfig.json', 'jest.config.js', 'build.mjs'].map(read)).toEqual(snapshot);
});

test('--dry-run prints the diff and writes nothing', () => {
  const out = run({ dryRun: true });
  expect(read('tsconfig.json')).toBe(TSCONFIG);
  expect(read('jest.config.js')).toBe(JEST);
  expect(read('build.mjs')).toBe(BUILD);
  expect(out).toContain('--- tsconfig.json');
  expect(out).toMatch(/^\+\s*"plugins": \[\{ "transform": "forwardgrad\/transformer" \}\]/m);
  expect(out).toMatch(/^-\s*transform: \{ '\^\.\+\\\\\.tsx\?\$': 'ts-jest' \},/m);
  expect(out).toContain('--dry-run, nothing written');
});

test.each([
  ['no compilerOptions', '{ "include": ["src"] }'],
  ['an existing plugins array', '{\n  "compilerOptions": {\n    "plugins": [\n      { "name": "other" }, // keep me\n    ],\n  },\n}'],
  ['empty object', '{}'],
])('tsconfig with %s gets exactly one entry', (_n, text) => {
  const once = addTsconfigPlugin(text);
  expect(addTsconfigPlugin(once)).toBe(once);
  const parsed = ts.parseConfigFileTextToJson('tsconfig.json', once);
  expect(parsed.error).toBeUndefined();
  expect(parsed.config.compilerOptions.plugins.filter((p: { transform?: string }) => p.transform === 'forwardgrad/transformer')).toHaveLength(1);
  if (text.includes('keep me')) expect(once).toContain('// keep me');
});

test('a CommonJS esbuild script with a plugins array and a context() call', () => {
  const out = addEsbuildPlugin("const esbuild = require('esbuild');\nesbuild.context({ entryPoints: ['a.ts'], plugins: [other()] }).then((c) => c.watch());\n", 'build.js');
  expect(out).toMatch(/^const \{ forwardGradPlugin \} = require\('forwardgrad\/esbuild'\);/);
  expect(out).toMatch(/plugins: \[other\(\), forwardGradPlugin\(\)\]/);
});
