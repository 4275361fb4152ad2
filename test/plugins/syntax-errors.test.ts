// A file that does not parse is reported at file:line by every entry point, never emitted: TypeScript's
// error recovery prints `return x * ;` as is and turns `f((x)` into valid code, so emitting it would
// hand the user a "working" build of a program they never wrote (issue 10).
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { emitDerivatives } from '../../transformer/emit-command';
import { forwardGradPlugin } from '../../transformer/plugins/esbuild';
import { createTransformer } from '../../transformer/plugins/jest';
import tsPatchWithRelativeRuntime from '../../transformer/plugins/tsc';

const runtimeModule = path.resolve(__dirname, '..', '..', 'runtime', 'index.ts');
// Line 3 of each: a dangling operator, and a call whose ')' is missing (esbuild alone rejects both).
const SOURCES: Record<string, string> = {
  'dangling.ts': '/** @forwardGrad */\nexport function f(x: number): number {\n  return x * ;\n}\n',
  'paren.ts': '/** @forwardGrad */\nexport function g(x: number): number {\n  return Math.sin((x * 2);\n}\n',
};
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forwardgrad-syntax-'));
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, types: [] } }),
  );
  for (const [name, text] of Object.entries(SOURCES)) fs.writeFileSync(path.join(dir, name), text);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe.each(Object.keys(SOURCES))('%s', (name) => {
  const file = () => path.join(dir, name);
  const located = new RegExp(`${name.replace('.', '\\.')}:3:\\d+ - error TS1\\d{3}:`);

  test('forwardgrad emit throws at file:line and writes nothing', () => {
    const out = path.join(dir, `out-${name}`);
    expect(() => emitDerivatives([file()], out)).toThrow(located);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('the jest transformer throws at file:line', () => {
    const transformer = createTransformer({ runtimeModule });
    expect(() => transformer.process(SOURCES[name], file(), { config: { rootDir: dir } } as never)).toThrow(located);
  });

  test('the esbuild plugin fails the build with the location', async () => {
    const result = esbuild.build({
      entryPoints: [file()],
      bundle: false,
      write: false,
      logLevel: 'silent',
      plugins: [forwardGradPlugin({ runtimeModule })],
    });
    const error = await result.then(
      () => undefined,
      (e: esbuild.BuildFailure) => e,
    );
    expect(error).toBeDefined();
    expect(error!.errors.length).toBeGreaterThan(0);
    expect(error!.errors[0].location).toMatchObject({ file: expect.stringContaining(name), line: 3 });
  });

  test('tsc with the ts-patch entry reports it at file:line (the transform does not throw on the broken tree)', () => {
    const program = ts.createProgram([file()], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      strict: true,
      types: [],
    });
    const factory = tsPatchWithRelativeRuntime(program, { runtimeModule }, { addDiagnostic: () => {} } as never);
    program.emit(program.getSourceFile(file()), () => {}, undefined, false, { before: [factory] });
    const lines = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.category === ts.DiagnosticCategory.Error && d.file)
      .map((d) => d.file!.getLineAndCharacterOfPosition(d.start!).line + 1);
    expect(lines).toContain(3);
  });
});
