// No annotation is ever ignored: an annotation on something that is not a function, or where the transform cannot
// take it, is a located TS94004 build error; every place a function can stand (nested declarations, `const f =
// function …`, object-literal methods and properties, literals passed to jvp/forwardGradient/fgd) gets its twin.
import { compile, compileAndLoad, expectNoDiagnostics, formatDiagnostics, load } from '../support/compile';
import { checkJvp } from '../support/fd';
import { rng } from '../support/random';

const A = '/** @forwardGrad */';

describe('an annotation that annotates nothing is a located TS94004 error', () => {
  test.each([
    [
      'a constant',
      `${A}\nexport const k = 3;\nexport function f(x: number): number { return x * k; }`,
      '1:1',
      /before a variable that does not hold a function literal/,
    ],
    [
      'a class',
      `${A}\nexport class C { m(x: number): number { return x; } }`,
      '1:1',
      /before a class \(annotate its methods\)/,
    ],
    ['an interface', `${A}\nexport interface I { x: number }`, '1:1', /before a type/],
    [
      'a statement inside a function',
      `export function f(x: number): number {\n  ${A}\n  return x * x;\n}`,
      '2:3',
      /before ReturnStatement/,
    ],
    [
      'a declared function',
      `${A}\nexport declare function g(x: number): number;`,
      '1:1',
      /before a function without a body/,
    ],
    ['a class property', `export class C {\n  ${A}\n  w = 2;\n}`, '2:3', /before a class property/],
    [
      'inside an expression',
      `export const g = [${A} (x: number) => x * x];`,
      '1:19',
      /not attached to a function the transform can see/,
    ],
    [
      'before a closing brace',
      `export function f(x: number): number {\n  return x;\n  ${A}\n}`,
      '3:3',
      /not attached to a function/,
    ],
    [
      'at the end of the file',
      `export function f(x: number): number { return x; }\n${A}\n`,
      '2:1',
      /not attached to a function/,
    ],
    [
      '@customJvp without a rule name',
      `/** @customJvp */\nexport function g(x: number): number { return x; }`,
      '1:1',
      /@customJvp needs the name of its rule/,
    ],
    [
      '@customJvp on a nested function',
      `export function f(x: number): number {\n  /** @customJvp gj */\n  function g(y: number): number { return y; }\n  return g(x);\n}\nexport function gj(y: number, dy: number): [number, number] { return [y, dy]; }`,
      '2:3',
      /@customJvp annotates a module-level function declaration only/,
    ],
  ])('%s', (_n, src, at, message) => {
    const r = compile({ 'main.ts': src });
    const text = formatDiagnostics(r.diagnostics);
    expect(r.diagnostics.map((d) => d.code)).toEqual([94004]);
    expect(text).toMatch(message);
    expect(text).toMatch(/Fix: /);
    expect(text.split(' ')[0]).toBe(`main.ts:${at}:`);
  });
});

// every function below computes x³·w + sin(x): the derivative is checked against central differences (test/support/fd.ts,
// float64, h = 1e-6, relative tolerance 1e-6: the truncation error h² ≈ 1e-12 is far below it)
const BODY = 'return x * x * x * w + Math.sin(x);';
describe('annotations wherever a function can stand get their twin', () => {
  test.each([
    [
      'const f = function …',
      `${A}\nexport const f = function (x: number, w: number): number { ${BODY} };`,
      (m: any) => m.f,
    ],
    [
      'a nested function declaration',
      `export function make(): (x: number, w: number) => number {\n  ${A}\n  function inner(x: number, w: number): number { ${BODY} }\n  return inner;\n}\nexport const f = make();`,
      (m: any) => m.f,
    ],
    [
      'a nested arrow',
      `export function make(k: number) {\n  ${A}\n  const inner = (x: number, w: number): number => { ${BODY.replace('Math.sin(x)', 'Math.sin(x) * k')} };\n  return inner;\n}\nexport const f = make(1);`,
      (m: any) => m.f,
    ],
    [
      'an object-literal method',
      `export const model = {\n  scale: 1,\n  ${A}\n  loss(x: number, w: number): number { ${BODY} },\n};`,
      (m: any) => m.model.loss,
    ],
    [
      'an object-literal property',
      `export const model = {\n  ${A}\n  loss: (x: number, w: number): number => { ${BODY} },\n};`,
      (m: any) => m.model.loss,
    ],
    [
      'a nested function in an annotated function',
      `${A}\nexport function outer(x: number, w: number): number {\n  ${A}\n  function sq(v: number): number { return v * v; }\n  return sq(x) * x * w + Math.sin(x);\n}`,
      (m: any) => m.outer,
    ],
  ])('%s', (_n, src, pick) => {
    const r = compile({ 'main.ts': src });
    expectNoDiagnostics(r);
    const f = pick(load(r, 'main.ts'));
    const r0 = rng(7);
    for (let k = 0; k < 5; k++) {
      const c = checkJvp(f, [-2 + 4 * r0(), -2 + 4 * r0()], r0);
      expect(c.message).toBe('');
    }
  });

  test('a literal passed straight to fgd is differentiated', () => {
    const m = compileAndLoad(`import { fgd } from 'forwardgrad';
export function run(): number[] {
  const r = fgd((w: number[]) => (w[0] - 3) ** 2 + (w[1] + 1) ** 2, [[0, 0]], { lr: 0.05, decay: 0, iterations: 400, seed: 1 });
  return r.params[0] as number[];
}`);
    const w = m.run();
    // forward-gradient descent on a separable quadratic: close to the minimum (3, -1), not exact
    expect(w[0]).toBeCloseTo(3, 1);
    expect(w[1]).toBeCloseTo(-1, 1);
  });
});

describe('the run-time "no twin" message names its cause', () => {
  test('a function of a compiled module that is not annotated', () => {
    const m = compileAndLoad(`import { jvp } from 'forwardgrad';
${A}
export function f(x: number): number { return x * x; }
export function plain(x: number): number { return x * 2; }
export const call = () => jvp(plain, [1], [1]);`);
    expect(() => m.call()).toThrow(
      /'plain' has no forward-mode twin: the forwardgrad transform compiled its module, but 'plain' is not annotated/,
    );
  });
  test('a function whose module the transform never compiled', () => {
    const m = compileAndLoad(`import { jvp } from 'forwardgrad';
export function plain(x: number): number { return x * 2; }
export const call = () => jvp(plain, [1], [1]);`);
    expect(() => m.call()).toThrow(
      /'plain' has no forward-mode twin: the forwardgrad plugin did not compile the file that defines it/,
    );
  });
});

test('a line comment ending a line of code remarks on that code: it annotates nothing and is no error', () => {
  const r = compile({
    'main.ts': `export const CODES = {\n  bad: 94004, // @forwardGrad used where it cannot apply\n  other: 1,\n};\n/** @forwardGrad */\nexport function f(x: number): number { return x * x; }`,
  });
  expect(formatDiagnostics(r.diagnostics)).toBe('');
});

test('a callback over inactive data stays inactive (it may store its numbers anywhere)', () => {
  const r = compile({
    'main.ts': `${A}\nexport function f(x: number): number {\n  const labels = [3, 1, 2];\n  const seen: unknown[] = [];\n  labels.forEach((k) => { seen.push(k); });\n  return x * x + seen.length;\n}`,
  });
  expect(formatDiagnostics(r.diagnostics)).toBe('');
});
