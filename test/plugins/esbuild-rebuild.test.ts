// The esbuild plugin across incremental rebuilds (esbuild.context): an edit to an annotated module or
// to a callee in another module must reach the next build's twins (no stale program or transformer),
// and a file with no twins is left to esbuild. Twins are checked against central finite differences.
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lookupJvp } from '../../runtime/registry';
import { forwardGradPlugin } from '../../transformer/plugins/esbuild';
import { centralDifference } from '../support/fd';

const runtimeModule = path.resolve(__dirname, '..', '..', 'runtime', 'index.ts');
let dir: string;
let ctx: esbuild.BuildContext;

function write(name: string, text: string): void {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  const later = new Date(Date.now() + 2000 * Math.random() + 1000); // a new mtime even within one clock tick
  fs.utimesSync(file, later, later);
}

/** Builds, evaluates the CommonJS bundle and returns the entry module's exports. */
async function buildAndLoad(): Promise<Record<string, (...xs: number[]) => number>> {
  const result = await ctx.rebuild();
  const code = result.outputFiles![0].text;
  const module = { exports: {} as Record<string, (...xs: number[]) => number> };
  new Function('require', 'module', 'exports', code)(require, module, module.exports);
  return module.exports;
}

function expectTwinMatchesFd(f: (x: number) => number): void {
  const twin = lookupJvp(f);
  expect(twin).toBeDefined();
  for (const x of [-1.3, 0.4, 2.1]) {
    const [value, tangent] = twin!.fn(x, 1) as [number, number];
    expect(value).toBe(f(x));
    const fd = centralDifference((t) => f(x + t));
    expect(Math.abs(tangent - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forwardgrad-esbuild-'));
  write(
    'tsconfig.json',
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, types: [] },
      include: ['*.ts'],
    }),
  );
  write('helper.ts', 'export function inner(t: number): number {\n  return Math.sin(t);\n}\n');
  write(
    'model.ts',
    "import { inner } from './helper';\n/** @forwardGrad */\nexport function f(x: number): number {\n  return x * inner(x);\n}\n",
  );
  write('plain.ts', 'export const offset: number = 1;\n');
  write('main.ts', "export { f } from './model';\nexport { offset } from './plain';\n");
  ctx = await esbuild.context({
    entryPoints: [path.join(dir, 'main.ts')],
    absWorkingDir: dir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    outfile: path.join(dir, 'out.js'),
    logLevel: 'silent',
    plugins: [forwardGradPlugin({ runtimeModule })],
  });
}, 60_000);

afterAll(async () => {
  await ctx?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('first build: twins of the annotated function and its cross-module callee', async () => {
  const { f } = await buildAndLoad();
  expect(f(2)).toBeCloseTo(2 * Math.sin(2), 15);
  expectTwinMatchesFd(f);
});

test('an edited callee reaches the rebuilt twin', async () => {
  write('helper.ts', 'export function inner(t: number): number {\n  return Math.exp(0.5 * t) + t * t;\n}\n');
  const { f } = await buildAndLoad();
  expect(f(2)).toBeCloseTo(2 * (Math.exp(1) + 4), 12);
  expectTwinMatchesFd(f);
});

test('an edited annotated function reaches the rebuilt twin', async () => {
  write(
    'model.ts',
    "import { inner } from './helper';\n/** @forwardGrad */\nexport function f(x: number): number {\n  return Math.cos(x) * inner(x) / (1 + x * x);\n}\n",
  );
  const { f } = await buildAndLoad();
  expectTwinMatchesFd(f);
});

test('a new error after an edit fails the rebuild with its location', async () => {
  write(
    'model.ts',
    'declare function opaque(t: number): number;\n/** @forwardGrad */\nexport function f(x: number): number {\n  return opaque(x);\n}\n',
  );
  await expect(ctx.rebuild()).rejects.toMatchObject({
    errors: [expect.objectContaining({ location: expect.objectContaining({ file: 'model.ts', line: 4, column: 9 }) })],
  });
});
