// Underivable or unsupported code with active values is a located build error (message and line:column).
import { compile, formatDiagnostics } from '../support/compile';

const cases: { name: string; src: string; at: string; message: RegExp; code: number }[] = [
  {
    name: 'declared function',
    code: 94002,
    at: '4:10',
    message: /call of 'ext'.*declared without a body.*@customJvp extJvp/,
    src: `declare function ext(x: number): number;\n/** @forwardGrad */\nfunction f(x: number): number {\n  return ext(x) * 2;\n}`,
  },
  {
    name: 'callback parameter',
    code: 94002,
    at: '2:65',
    message: /call of 'g'.*callback parameter/,
    src: `/** @forwardGrad */\nexport function f(x: number, g: (v: number) => number) { return g(x); }`,
  },
  {
    name: 'library function without a rule',
    code: 94002,
    at: '2:47',
    message: /call of 'parseFloat'.*library function.*no derivative is known/,
    src: `/** @forwardGrad */\nexport function f(x: number): number { return parseFloat(String(x)) + Number.parseFloat(x.toFixed(2)) * x; }`,
  },
  {
    name: 'closure over active values handed to an unknown function',
    code: 94001,
    at: '4:16',
    message: /function that uses active.*passed where the transform cannot follow it/,
    src: `declare function later(cb: () => number): number;\n/** @forwardGrad */\nexport function f(x: number): number {\n  return later(() => x * 2);\n}`,
  },
  {
    name: 'arguments',
    code: 94001,
    at: '2:51',
    message: /'arguments' cannot appear in a differentiated function/,
    src: `/** @forwardGrad */\nexport function f(x: number): number { return x * arguments.length; }`,
  },
  {
    name: 'array method without a tangent rule on an active array',
    code: 94001,
    at: '2:55',
    message: /array method '\.flat\(\)' on an active array/,
    src: `/** @forwardGrad */\nexport function f(m: number[][]): number { const ys = m.flat(); return ys[0]; }`,
  },
  {
    name: 'active value into a non-numeric container',
    code: 94003,
    at: '2:63',
    message: /flows into 'bag'.*carries no tangent/,
    src: `/** @forwardGrad */\nexport function f(x: number): number { const bag: any[] = []; bag.push(x); return 1; }`,
  },
  {
    name: 'generator',
    code: 94004,
    at: '2:1',
    message: /generator function g cannot be differentiated/,
    src: `/** @forwardGrad */\nfunction* g(x: number) { yield x; }\nexport const h = g;`,
  },
  {
    name: 'logical assignment on active numbers',
    code: 94001,
    at: '2:51',
    message: /operator '\|\|='.*not supported/,
    src: `/** @forwardGrad */\nexport function f(x: number): number { let y = x; y ||= 1; return y * x; }`,
  },
  {
    name: 'increment of an active value inside an expression',
    code: 94001,
    at: '2:55',
    message: /increment of an active value inside an expression.*own statement/,
    src: `/** @forwardGrad */\nexport function f(x: number): number { let y = 0; y = x++; return y; }`,
  },
  {
    name: 'async function',
    code: 94004,
    at: '2:1',
    message: /async function f cannot be differentiated/,
    src: `/** @forwardGrad */\nexport async function f(x: number): Promise<number> { return x; }`,
  },
  {
    name: 'active loop-header update',
    code: 94001,
    at: '2:74',
    message: /update of an active value in a for-loop header/,
    src: `/** @forwardGrad */\nexport function f(x: number): number { let s = 1; for (let i = 0; i < 3; s *= x) i++; return s; }`,
  },
  {
    name: 'active value stored in a module-level variable',
    code: 94003,
    at: '3:40',
    message: /stored in 'total', which is declared outside the function/,
    src: `let total = 0;\n/** @forwardGrad */\nexport function f(x: number): number { total += x; return x; }`,
  },
  {
    name: 'assignment to this',
    code: 94003,
    at: '5:5',
    message: /'this' is a constant/,
    src: `class M {\n  w = 1;\n  /** @forwardGrad */\n  m(x: number): number {\n    this.w = x;\n    return x;\n  }\n}\nexport const m = M;`,
  },
];

describe.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
  test('fails the build at the construct with a fix hint', () => {
    const r = compile({ 'main.ts': c.src });
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0];
    expect(d.code).toBe(c.code);
    expect(d.category).toBe(1); // ts.DiagnosticCategory.Error
    const text = formatDiagnostics(r.diagnostics);
    expect(text).toMatch(c.message);
    expect(text).toMatch(/Fix: /);
    expect(text.split(' ')[0]).toBe(`main.ts:${c.at}:`);
  });
});

test('the function without a valid twin is left unregistered (no wrong derivative)', () => {
  const r = compile({ 'main.ts': cases[0].src });
  expect(r.js['main.ts']).not.toMatch(/f_jvp/);
});
