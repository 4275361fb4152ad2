// The table of constructs still refused (transformer/rules/unsupported.ts) is what the README lists, entry for
// entry, and every refusal the emitter raises with it is located and carries the table's own fix.
import * as fs from 'fs';
import * as path from 'path';
import { UNSUPPORTED } from '../../transformer/rules/unsupported';
import { compile, formatDiagnostics } from '../support/compile';

const README = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

test("the README's list of refusals is the table, in order", () => {
  const start = README.indexOf('- **Still refused with active values**');
  expect(start).toBeGreaterThan(0);
  const lines = README.slice(start).split('\n').slice(2);
  const listed: string[] = [];
  for (const l of lines) {
    const m = /^ {2}- (.*)$/.exec(l);
    if (!m) break;
    listed.push(m[1]);
  }
  expect(listed).toEqual(Object.values(UNSUPPORTED).map((r) => r.construct));
});

test('each entry has a message naming the construct and a fix of its own', () => {
  const hints = Object.values(UNSUPPORTED).map((r) => r.hint);
  for (const r of Object.values(UNSUPPORTED)) {
    expect(r.message('x').length).toBeGreaterThan(10);
    expect(r.hint.length).toBeGreaterThan(10);
    expect(r.code).toBe(94001);
  }
  expect(new Set(hints).size).toBe(hints.length);
});

const A = '/** @forwardGrad */\n';
test.each([
  [
    'arrayMethod',
    `${A}export function f(m: number[][]): number { return m.flat()[0]; }`,
    /'\.flat\(\)'.*Fix: index the array in a loop/,
  ],
  [
    'sortWithoutComparator',
    `${A}export function f(xs: number[]): number { xs.sort(); return xs[0]; }`,
    /without a comparator.*Fix: pass a comparator/,
  ],
  [
    'concatTypedArray',
    `${A}export function f(xs: number[], t: Float64Array): number { return xs.concat(t)[0]; }`,
    /appends the whole typed array as one element.*Fix: spread it/,
  ],
  [
    'arrayHole',
    `${A}export function f(x: number): number { const a = [x, , x]; return a[0]!; }`,
    /hole in an active array literal.*Fix: write the element/,
  ],
  [
    'objectLiteralMember',
    `${A}export function f(x: number): number { const o = { a: x }; const p = { ...o }; return p.a; }`,
    /'\.\.\.o' in an active object literal.*Fix: use plain/,
  ],
  [
    'mathSpread',
    `${A}export function f(xs: number[]): number { return Math.hypot(...xs); }`,
    /Math call with spread arguments.*Fix: pass the arguments one by one/,
  ],
  [
    'sideEffectingPredicate',
    `${A}export function f(xs: number[], w: number): number { let s = 0; const k = xs.filter((v) => { s += v * w; return v > 0; }); return s + k.length; }`,
    /callback of \.filter\(\) changes differentiated variables.*Fix: update those variables/,
  ],
  [
    'restParameter',
    `function g(...xs: number[]): number { return xs[0]; }\n${A}export function f(x: number): number { return g(x); }`,
    null,
  ],
])('%s is refused at its construct with its fix', (_key, src, message) => {
  const r = compile({ 'main.ts': src }, { requireTypeCorrect: false });
  expect(r.diagnostics.length).toBeGreaterThan(0);
  const text = formatDiagnostics(r.diagnostics);
  expect(text).toMatch(/^main\.ts:\d+:\d+: forwardgrad: .*Fix: /);
  if (message) expect(text).toMatch(message);
});
