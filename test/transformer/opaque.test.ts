// Values whose type hides whether they are differentiated (unresolved imports, missing type packages, implicit or
// explicit `any`) are located TS94003 errors naming the value and why, never a silently zero tangent (issue 8).
import { compile, formatDiagnostics } from '../support/compile';

const A = '/** @forwardGrad */\n';

const ERRORS: { name: string; src: string; at: string; message: RegExp }[] = [
  {
    name: 'parameter typed with an unresolved import',
    at: '3:30',
    message:
      /parameter 'v' cannot be differentiated or left out: its type 'Vec' could not be resolved.*Fix: fix the import or install the missing type package/,
    src: `import { Vec } from 'no-such-package';\n${A}export function f(x: number, v: Vec): number { return x * v.x; }`,
  },
  {
    name: 'parameter typed with a name that does not exist',
    at: '2:30',
    message: /parameter 'w' .*its type 'Weights' could not be resolved/,
    src: `${A}export function f(x: number, w: Weights): number { return x * 2; }`,
  },
  {
    name: 'array of an unresolved type',
    at: '3:19',
    message: /parameter 'xs' .*its type 'Sample\[\]' could not be resolved/,
    src: `import type { Sample } from './missing';\n${A}export function f(xs: Sample[], k: number): number { return k * k; }`,
  },
  {
    name: 'parameter without an annotation (implicit any)',
    at: '2:30',
    message: /parameter 'y' .*no type annotation, so its type is 'any'/,
    src: `${A}export function f(x: number, y): number { return x * y; }`,
  },
  {
    name: 'callback parameter of an unresolved type',
    at: '3:69',
    message: /parameter 's' .*its type 'Sample' could not be resolved/,
    src: `import type { Sample } from './missing';\n${A}export function f(xs: number[], w: number): number { return xs.map((s: Sample) => w * s.v).reduce((a, b) => a + b, 0); }`,
  },
  {
    name: 'an explicit any parameter in active arithmetic',
    at: '2:59',
    message:
      /'y' is used with active \(differentiated\) values, but it is typed 'any', so its tangent would silently be zero.*Fix: give it a numeric type/,
    src: `${A}export function f(x: number, y: any): number { return x * y; }`,
  },
  {
    name: 'an unresolved import in active arithmetic',
    at: '3:51',
    message: /'scale' is used with active.*imported from a module whose types could not be resolved/,
    src: `import { scale } from 'no-such-package';\n${A}export function f(x: number): number { return x * scale; }`,
  },
  {
    name: 'a variable of unresolved type in a compound assignment',
    at: '2:94',
    message: /'k' is used with active.*its type 'Gain' could not be resolved/,
    src: `${A}export function f(x: number): number { const k: Gain = 3 as unknown as Gain; let s = x; s *= k; return s; }`,
  },
  {
    name: 'an any value in a Math call with an active argument',
    at: '2:84',
    message: /'o\.p' is used with active.*its type is 'any'/,
    src: `${A}export function f(x: number, o: { [k: string]: any }): number { return Math.pow(x, o.p); }`,
  },
  {
    name: 'an active value stored in a variable of unresolved type',
    at: '2:46',
    message: /flows into 'y', but its type 'Meters' could not be resolved.*Fix: fix the import/,
    src: `${A}export function f(x: number): number { const y: Meters = x * 2; return x; }`,
  },
];

describe.each(ERRORS.map((c) => [c.name, c] as const))('%s', (_n, c) => {
  test('is a located TS94003 error with a fix, and no twin is emitted', () => {
    const r = compile({ 'main.ts': c.src }, { requireTypeCorrect: false });
    const text = formatDiagnostics(r.diagnostics);
    expect(r.diagnostics.map((d) => d.code)).toEqual([94003]);
    expect(text).toMatch(c.message);
    expect(text).toMatch(/Fix: /);
    expect(text.split(' ')[0]).toBe(`main.ts:${c.at}:`);
    expect(r.js['main.ts']).not.toMatch(/f_jvp/);
  });
});

// The checks must not refuse what is sound: opaque values that never meet active arithmetic, and callback
// parameters inferred as `unknown` (data, like the `_` of Array.from({ length })).
const ACCEPTED: { name: string; src: string }[] = [
  {
    name: 'an any parameter used only as data',
    src: `${A}export function f(x: number, tag: any): number { const t: string = String(tag); return t.length * x * x; }`,
  },
  {
    name: 'Array.from({ length }) with an unknown element',
    src: `${A}export function f(x: number): number { return Array.from({ length: 3 }, (_, i) => x * i).reduce((a, b) => a + b, 0); }`,
  },
  {
    name: 'any in inactive arithmetic',
    src: `${A}export function f(x: number, o: any): number { const n = o.n * 2; return x * n; }`,
  },
];

test.each(ACCEPTED.map((c) => [c.name, c] as const))('%s builds', (_n, c) => {
  const r = compile({ 'main.ts': c.src });
  expect(formatDiagnostics(r.diagnostics)).toBe('');
  expect(r.js['main.ts']).toMatch(/f_jvp/);
});
