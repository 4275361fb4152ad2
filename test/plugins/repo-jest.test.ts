// This repository's own jest transformer (jest.config.js → test/support/jest-transform.js →
// transformer/plugins/jest.ts): a test imports an annotated module directly and gets its twin, and the
// twin of the callee it imports from another module; both against central finite differences.
import * as fs from 'fs';
import * as path from 'path';
import { lookupJvp } from '../../runtime/registry';
import { createTransformer } from '../../transformer/plugins/jest';
import { wobble } from './fixtures/helper';
import { rosenbrockish } from './fixtures/model';
import { centralDifference } from '../support/fd';
import { rng } from '../support/random';

function twinOf(f: Function): (...args: number[]) => [number, number] {
  const twin = lookupJvp(f);
  if (!twin) throw new Error(`no twin registered for ${f.name}: the jest transformer did not run the transform`);
  return twin.fn as (...args: number[]) => [number, number];
}

test.each([
  ['rosenbrockish (annotated)', rosenbrockish as (...xs: number[]) => number, 2],
  ['wobble (callee in another module)', wobble as (...xs: number[]) => number, 1],
])('%s: twin value is exact and its tangent matches central differences', (_name, f, arity) => {
  const random = rng(arity * 7919, -2, 2);
  const twin = twinOf(f);
  for (let trial = 0; trial < 5; trial++) {
    const xs = Array.from({ length: arity }, random);
    const dxs = Array.from({ length: arity }, random);
    const [value, tangent] = twin(...xs.flatMap((x, i) => [x, dxs[i]]));
    expect(value).toBe(f(...xs));
    const fd = centralDifference((t) => f(...xs.map((x, i) => x + t * dxs[i])));
    expect(Math.abs(tangent - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
  }
});

describe('the jest transformer in process', () => {
  const rootDir = path.resolve(__dirname, '..', '..');
  const transformer = createTransformer({ runtimeModule: path.join(rootDir, 'runtime', 'index.ts') });
  const options = { config: { rootDir } };
  const fixture = (name: string) => path.join(__dirname, 'fixtures', name);

  test("files with no twins take the fast path; their cache key differs from a twin file's", () => {
    const plainSource = 'export const three: number = 1 + 2;\n';
    const plainFile = path.join(__dirname, 'fixtures', 'not-on-disk.ts');
    const out = transformer.process(plainSource, plainFile, options).code;
    expect(out).toContain('exports.three = 1 + 2');
    expect(out).not.toContain('registerJvp');
    const modelSource = fs.readFileSync(fixture('model.ts'), 'utf8');
    expect(transformer.getCacheKey(modelSource, fixture('model.ts'), options)).not.toBe(
      transformer.getCacheKey(modelSource, plainFile, options),
    );
  });

  test('a file with twins still gets jest.mock hoisted above its imports, as ts-jest would', () => {
    const file = fixture('model.ts');
    const source = `${fs.readFileSync(file, 'utf8')}\njest.mock('./helper');\n`;
    const out = transformer.process(source, file, options).code;
    expect(out).toMatch(/registerJvp\)?\(rosenbrockish, rosenbrockish_jvp/);
    expect(out.indexOf("jest.mock('./helper')")).toBeGreaterThanOrEqual(0);
    expect(out.indexOf("jest.mock('./helper')")).toBeLessThan(out.indexOf('require("./helper")'));
  });

  test('an underivable call throws with the located message', () => {
    const source = fs.readFileSync(fixture('bad.ts'), 'utf8');
    expect(() => transformer.process(source, fixture('bad.ts'), options)).toThrow(
      /bad\.ts:5:14 - error TS\d+: .*mystery/,
    );
  });
});
