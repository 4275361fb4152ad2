// `forwardgrad emit`: emitDerivatives writes the transformed TypeScript (readable twins) and the
// compiled JS with a source map back to the user's file; underivable code throws located errors.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { emitDerivatives } from '../../transformer/emit-command';

const fixtures = path.join(__dirname, 'fixtures');
let out: string;

beforeEach(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'forwardgrad-emit-'));
});
afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

test('writes the twin as TypeScript and as JS with a source map', () => {
  const written = emitDerivatives([path.join(fixtures, 'model.ts'), path.join(fixtures, 'helper.ts')], out);
  expect(written.map((f) => path.relative(out, f)).sort()).toEqual([
    'helper.js',
    'helper.js.map',
    'helper.ts',
    'model.js',
    'model.js.map',
    'model.ts',
  ]);
  const ts = fs.readFileSync(path.join(out, 'model.ts'), 'utf8');
  expect(ts).toMatch(/function rosenbrockish\(x: number, y: number\): number/); // the original, kept
  expect(ts).toMatch(/function rosenbrockish_jvp\w*\(/); // its twin beside it
  expect(ts).toMatch(/registerJvp\(rosenbrockish, rosenbrockish_jvp/);
  expect(fs.readFileSync(path.join(out, 'helper.ts'), 'utf8')).toMatch(/function wobble_jvp\w*\(/);
  const js = fs.readFileSync(path.join(out, 'model.js'), 'utf8');
  expect(js).toMatch(/\/\/# sourceMappingURL=model\.js\.map\s*$/);
  const map = JSON.parse(fs.readFileSync(path.join(out, 'model.js.map'), 'utf8'));
  expect(map.sources.map((s: string) => path.resolve(out, map.sourceRoot ?? '', s))).toEqual([
    path.join(fixtures, 'model.ts'),
  ]);
  expect(map.mappings.length).toBeGreaterThan(0);
});

test('underivable code throws with file:line:column and writes no twin for it', () => {
  expect(() => emitDerivatives([path.join(fixtures, 'bad.ts')], out)).toThrow(/bad\.ts:5:14 - error TS\d+: .*mystery/);
});

test('bad arguments are clear errors', () => {
  expect(() => emitDerivatives([], out)).toThrow(/at least one/);
  expect(() => emitDerivatives([path.join(fixtures, 'nope.ts')], out)).toThrow(/no such file/);
  expect(() => emitDerivatives([path.join(fixtures, 'model.ts')], fixtures)).toThrow(/would overwrite/);
});
