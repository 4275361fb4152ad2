// `forwardgrad emit` in a project without a tsconfig.json uses the plugins' compiler options, so
// `forwardgrad` resolves from node_modules and tensor ops get their JVP kernels. With TypeScript's
// bare defaults (Classic resolution) the import stayed unresolved: Tensor parameters were untyped and
// the twin returned no tangent at all.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { emitDerivatives } from '../../transformer/emit-command';
import { REPO } from './support/user-project';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forwardgrad-emit-defaults-'));
  // `forwardgrad` as installed: a package whose types are the repository's runtime
  const pkg = path.join(dir, 'node_modules', 'forwardgrad');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(
    path.join(pkg, 'package.json'),
    JSON.stringify({ name: 'forwardgrad', version: '0.0.0', main: 'index.js', types: 'index.d.ts' }),
  );
  fs.writeFileSync(
    path.join(pkg, 'index.d.ts'),
    `export * from ${JSON.stringify(path.join(REPO, 'runtime', 'index'))};\n`,
  );
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(
    path.join(dir, 'src', 'model.ts'),
    [
      "import { Tensor, matmul, sum } from 'forwardgrad';",
      '',
      '/** @forwardGrad */',
      'export function loss(w: Tensor, x: Tensor): Tensor {',
      '  return sum(matmul(x, w));',
      '}',
      '',
    ].join('\n'),
  );
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('no tsconfig.json above the file: tensor ops differentiate through their JVP kernels', () => {
  const model = path.join(dir, 'src', 'model.ts');
  expect(fs.existsSync(path.join(dir, 'tsconfig.json'))).toBe(false);
  emitDerivatives([model], path.join(dir, 'out'));
  const twin = fs.readFileSync(path.join(dir, 'out', 'model.ts'), 'utf8');
  expect(twin).toMatch(/function loss_jvp\(w: Tensor, dw: Tensor, x: Tensor, dx: Tensor\)/);
  expect(twin).toMatch(/matmulJvp\(x, dx, w, dw\)/);
  expect(twin).toMatch(/sumJvp\(/);
  expect(twin).toMatch(/tangentSlots: \[true, true\]/);
});
