// One program in the functional style (map/reduce with closures, a local helper, spread) and one file whose only
// differentiated function is a literal handed to jvp, through each plugin path: this repository's jest
// transformer (the imports below), the esbuild plugin and the ts-patch transformer. Tangents are checked
// against central differences in float64 (h = 1e-6; relative tolerance 1e-6, far above the O(h²) error).
import * as esbuild from 'esbuild';
import * as path from 'path';
import * as ts from 'typescript';
import { lookupJvp } from '../../runtime/registry';
import tsPatchTransformer from '../../transformer';
import { forwardGradPlugin } from '../../transformer/plugins/esbuild';
import { meanSquaredError } from './fixtures/functional';
import { sumOfSquaresJvp } from './fixtures/literal-only';
import { centralDifference } from '../support/fd';

const runtimeModule = path.resolve(__dirname, '..', '..', 'runtime', 'index.ts');
const fixtures = path.join(__dirname, 'fixtures');
type Mse = typeof meanSquaredError;
type Sos = typeof sumOfSquaresJvp;

const W = [0.7, -1.3];
const XS = [0.2, -1.1, 2.0];
const YS = [1.0, 0.5, -0.3];
const DW = [0.4, 0.9];
const DXS = [-0.5, 0.3, 1.1];
const DYS = [0.2, -0.7, 0.6];

function checkMse(f: Mse): void {
  const twin = lookupJvp(f);
  if (!twin) throw new Error('no twin registered for meanSquaredError: the plugin did not transform it');
  const [value, tangent] = twin.fn(W, DW, XS, DXS, YS, DYS) as [number, number];
  expect(value).toBe(f(W, XS, YS));
  const fd = centralDifference((t) =>
    f(
      W.map((w, i) => w + t * DW[i]),
      XS.map((x, i) => x + t * DXS[i]),
      YS.map((y, i) => y + t * DYS[i]),
    ),
  );
  expect(Math.abs(tangent - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
}

function checkLiteral(g: Sos): void {
  // d/dt Σ (x + t·dx)² = 2 Σ x·dx, exactly
  expect(g([1, -2, 3], [0.5, 1, -1])).toEqual([14, 2 * (0.5 - 2 - 3)]);
}

test('jest transformer: the functional program and the literal-only file', () => {
  checkMse(meanSquaredError);
  checkLiteral(sumOfSquaresJvp);
});

test('esbuild plugin: the functional program and the literal-only file', async () => {
  const result = await esbuild.build({
    stdin: {
      contents: "export { meanSquaredError } from './functional';\nexport { sumOfSquaresJvp } from './literal-only';\n",
      resolveDir: fixtures,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
    // the runtime is left to require(): the bundle then shares this process's registry
    external: [runtimeModule],
    plugins: [forwardGradPlugin({ runtimeModule })],
  });
  const code = result.outputFiles[0].text;
  const module = { exports: {} as { meanSquaredError: Mse; sumOfSquaresJvp: Sos } };
  // esbuild writes the external runtime relative to its working directory
  const req = (spec: string) => require(spec.startsWith('.') ? path.resolve(process.cwd(), spec) : spec);
  new Function('require', 'module', 'exports', code)(req, module, module.exports);
  checkMse(module.exports.meanSquaredError);
  checkLiteral(module.exports.sumOfSquaresJvp);
});

test('ts-patch transformer: the functional program and the literal-only file', () => {
  const roots = [path.join(fixtures, 'functional.ts'), path.join(fixtures, 'literal-only.ts')];
  const program = ts.createProgram(roots, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    strict: true,
    types: [],
  });
  const errors: string[] = [];
  const factory = tsPatchTransformer(
    program,
    { runtimeModule },
    { addDiagnostic: (d) => errors.push(String(d.messageText)) },
  );
  // only the two fixtures are emitted, in memory (the runtime they import is loaded from source by jest)
  const js = new Map<string, string>();
  for (const root of roots) {
    program.emit(
      program.getSourceFile(root),
      (name, text) => {
        if (name.endsWith('.js')) js.set(path.basename(name), text);
      },
      undefined,
      false,
      { before: [factory] },
    );
  }
  expect(errors).toEqual([]);
  const load = (name: string) => {
    const module = { exports: {} as Record<string, unknown> };
    const req = (spec: string) => require(spec.startsWith('.') ? path.resolve(fixtures, spec) : spec);
    new Function('require', 'module', 'exports', js.get(name)!)(req, module, module.exports);
    return module.exports;
  };
  checkMse(load('functional.js').meanSquaredError as Mse);
  checkLiteral(load('literal-only.js').sumOfSquaresJvp as Sos);
});
