// transformer/plugins/tsc.ts, the ts-patch entry this repository's build uses: a runtimeModule given
// relative to the tsconfig (JSON cannot compute absolute paths) must become a per-file relative import.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import tsPatchWithRelativeRuntime from '../../transformer/plugins/tsc';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forwardgrad-tsc-'));
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, types: [], outDir: 'out' },
    }),
    'src/deep/model.ts': '/** @forwardGrad */\nexport function f(x: number): number {\n  return x * x * x;\n}\n',
    'rt/index.ts': 'export function registerJvp(..._args: unknown[]): void {}\n',
  };
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function emitWith(runtimeModule: string): string {
  const configPath = path.join(dir, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  )!;
  const program = ts.createProgram([path.join(dir, 'src/deep/model.ts')], parsed.options);
  let js = '';
  const factory = tsPatchWithRelativeRuntime(
    program,
    { runtimeModule },
    {
      addDiagnostic: (d) => {
        throw new Error(String(d.messageText));
      },
    },
  );
  program.emit(
    program.getSourceFile(path.join(dir, 'src/deep/model.ts')),
    (name, text) => {
      if (name.endsWith('.js')) js = text;
    },
    undefined,
    false,
    { before: [factory] },
  );
  return js;
}

test('a relative runtimeModule is resolved against the tsconfig directory, then imported relatively', () => {
  const js = emitWith('./rt/index.ts');
  expect(js).toMatch(/require\("\.\.\/\.\.\/rt\/index(\.js)?"\)/);
  expect(js).toMatch(/registerJvp\)?\(f, f_jvp/);
});

test('a bare runtimeModule is passed through unchanged', () => {
  expect(emitWith('forwardgrad')).toMatch(/require\("forwardgrad"\)/);
});
