// Deeply nested expressions (issue 10): the transform's work grows linearly with the nesting depth, in counted steps
// (nodes analysed or lowered) and type-checker queries — never timed — and past its depth limits a function is a
// located TS94005 error, never a stack overflow. Nested twins are checked against central differences.
import * as ts from 'typescript';
import { CODES, toDiagnostic } from '../../transformer/diagnostics';
import { MAX_CONDITIONALS, MAX_DEPTH } from '../../transformer/nesting';
import { workCount } from '../../transformer/work';
import {
  CompileResult,
  compile,
  expectNoDiagnostics,
  formatDiagnostics,
  load,
  transformedSource,
} from '../support/compile';
import { checkJvp } from '../support/fd';
import { rng } from '../support/random';

/** Expression shapes nested n deep, in x and y. */
const SHAPES: Record<string, (n: number) => string> = {
  'left-nested binary chain': (n) => nest(n, (e) => `(${e} * y + 1)`),
  'unparenthesized left chain': (n) => nest(n, (e, i) => `${e} * y + ${i % 3}`),
  'right-nested binary chain': (n) => nest(n, (e) => `y * (x + ${e})`),
  'nested Math calls': (n) => nest(n, (e) => `Math.sin(${e})`),
  'nested calls of a program function': (n) => nest(n, (e) => `g(${e}, y)`),
  'nested parentheses': (n) => `${'('.repeat(n)}x * y${')'.repeat(n)}`,
  'nested unary minus': (n) => nest(n, (e) => `-(${e} * y)`),
  'mixed calls, products and quotients': (n) =>
    nest(n, (e, i) => [`Math.sin(${e})`, `(${e} * y + 1)`, `(y - ${e} / 3)`, `Math.exp(${e} * 0.001)`][i % 4]),
};
/** Conditionals nest less deep (each may become an if/else inside the previous one's branch; see MAX_CONDITIONALS). */
const CONDITIONAL_SHAPES: Record<string, (n: number) => string> = {
  'ternaries nested in the true branch': (n) => nest(n, (e, i) => `(x > ${i} ? ${e} : y * x)`, 'x * y'),
  'ternaries chained in the false branch': (n) => nest(n, (e, i) => `x > ${i} ? y * x : ${e}`, 'x * y'),
};

function nest(n: number, wrap: (e: string, i: number) => string, start = 'x'): string {
  let e = start;
  for (let i = 0; i < n; i++) e = wrap(e, i);
  return e;
}

const HELPER = 'export function g(a: number, b: number): number { return a * b + 1; }\n';
const source = (expr: string): string =>
  `${HELPER}/** @forwardGrad */\nexport function f(x: number, y: number): number { return ${expr}; }\n`;

/** Transform steps and checker queries of transforming `main.ts` once more (the program is already type-checked). */
function measure(r: CompileResult): { steps: number; queries: number } {
  const checker = r.program.getTypeChecker();
  let queries = 0;
  const counted = new Proxy(checker, {
    get: (t, k) => {
      const v = (t as unknown as Record<string | symbol, unknown>)[k];
      return typeof v === 'function'
        ? (...a: unknown[]) => {
            queries++;
            return (v as (...b: unknown[]) => unknown).apply(t, a);
          }
        : v;
    },
  });
  const program = Object.create(r.program) as ts.Program;
  program.getTypeChecker = () => counted;
  const before = workCount();
  transformedSource({ ...r, program }, 'main.ts');
  return { steps: workCount() - before, queries };
}

function compileShape(expr: string): CompileResult {
  const r = compile({ 'main.ts': source(expr) });
  expectNoDiagnostics(r);
  return r;
}

// Doubling the depth doubles the work when it is linear (a quadratic pass would make it 4×). The fixed part (the
// function around the expression, the helper) pulls the ratio slightly below 2; 1.8–2.2 leaves no room for a
// super-linear term: n log n would already give 2.2 at these sizes, n² gives ≈ 4.
describe.each([
  ...Object.entries(SHAPES).map(([name, shape]) => [name, shape, 200, 400] as const),
  ...Object.entries(CONDITIONAL_SHAPES).map(([name, shape]) => [name, shape, 50, 100] as const),
])('%s', (_name, shape, half, full) => {
  test(`nesting ${full} builds without diagnostics, with twice the work of nesting ${half}`, () => {
    const small = measure(compileShape(shape(half)));
    const large = measure(compileShape(shape(full)));
    expect(large.steps / small.steps).toBeGreaterThan(1.8);
    expect(large.steps / small.steps).toBeLessThan(2.2);
    expect(large.queries / small.queries).toBeLessThan(2.2); // parentheses need none at all: no lower bound
  });
});

test('nested statements: twice the work for twice the depth', () => {
  const body = (n: number) =>
    `let s = x; ${nest(n, (b, i) => `if (x > ${i}) { s = s * y + 1; ${b} }`, 's = s * y + x;')} return s;`;
  const src = (n: number) => `/** @forwardGrad */\nexport function f(x: number, y: number): number { ${body(n)} }\n`;
  const run = (n: number) => {
    const r = compile({ 'main.ts': src(n) });
    expectNoDiagnostics(r);
    return measure(r);
  };
  const small = run(100);
  const large = run(200);
  expect(large.steps / small.steps).toBeGreaterThan(1.8);
  expect(large.steps / small.steps).toBeLessThan(2.2);
});

test('statements nested in blocks, loops, switch and try are each still checked for closures (checked once, where visited)', () => {
  // (a local closure called directly is differentiated now; one handed to an unknown function is still refused)
  const inner = 'const h = (t: number) => t * x; s += later(h);';
  for (const wrap of [
    (b: string) => `if (y > 0) { ${b} }`,
    (b: string) => `for (let i = 0; i < 2; i++) { ${b} }`,
    (b: string) => `switch (k) { case 1: { ${b} } }`,
    (b: string) => `try { ${b} } finally { s += 1; }`,
  ]) {
    const r = compile({
      'main.ts': `declare function later(cb: (t: number) => number): number;
/** @forwardGrad */
export function f(x: number, y: number, k: number): number {
  let s = x;
  ${wrap(wrap(inner))}
  return s;
}
`,
    });
    expect(r.diagnostics.map((d) => d.code)).toEqual([CODES.unsupported]);
    expect(formatDiagnostics(r.diagnostics)).toMatch(
      /^main\.ts:5:\d+: .*local function 'h' uses active .*used as a value/,
    );
  }
});

describe('nested twins match central differences', () => {
  // Each level maps [-2, 2]-sized values to bounded ones with a derivative of modulus ≤ ~1, so the 60-deep composition is
  // well conditioned: float64 central differences with h = 1e-6 are accurate to ~1e-9 here, and 1e-6 relative
  // (checkJvp's default) still catches any dropped or doubled term at any level.
  const cases: Record<string, string> = {
    'mixed chain, 60 deep': nest(
      60,
      (e, i) =>
        [`Math.sin(${e})`, `(${e} * y * 0.9 + 0.1)`, `(y - ${e} / 3)`, `Math.tanh(${e} * 1.1)`, `Math.cos(${e}) * x`][
          i % 5
        ],
    ),
    'conditionals, 30 deep': nest(
      30,
      (e, i) =>
        i % 2
          ? `(x > ${(i / 15 - 1).toFixed(3)} ? Math.sin(${e}) * y : x * y)`
          : `(y < ${(1 - i / 15).toFixed(3)} ? Math.cos(x) : ${e} * 0.7 + x)`,
      'x * y',
    ),
    'program calls, 60 deep': nest(60, (e) => `g(Math.sin(${e}), y * 0.5)`),
  };
  test.each(Object.entries(cases))('%s', (_name, expr) => {
    const r = compileShape(expr);
    const f = load(r, 'main.ts').f as (x: number, y: number) => number;
    const random = rng(10);
    for (let k = 0; k < 8; k++) {
      const check = checkJvp(f, [4 * random() - 2, 4 * random() - 2], random);
      if (!check.ok) throw new Error(check.message);
    }
  });
});

describe('past the depth limits: a located TS94005 error, no twin', () => {
  const expectTooDeep = (expr: string, message: RegExp): void => {
    const r = compile({ 'main.ts': source(expr) });
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0].code).toBe(CODES.tooDeep);
    const text = formatDiagnostics(r.diagnostics);
    expect(text).toMatch(message);
    expect(text).toMatch(/^main\.ts:3:\d+: .*Fix: /); // inside the expression, on the function's line
    expect(r.js['main.ts']).not.toMatch(/f_jvp/);
  };
  test(`an expression more than ${MAX_DEPTH} levels deep`, () => {
    expectTooDeep(
      SHAPES['left-nested binary chain'](Math.ceil(MAX_DEPTH / 3) + 1),
      new RegExp(`nested more than ${MAX_DEPTH} levels deep`),
    );
  });
  test(`more than ${MAX_CONDITIONALS} nested conditionals`, () => {
    expectTooDeep(
      CONDITIONAL_SHAPES['ternaries chained in the false branch'](MAX_CONDITIONALS + 1),
      new RegExp(`more than ${MAX_CONDITIONALS} conditional expressions`),
    );
  });
  test('a stack overflow while differentiating becomes the same located error, not an internal one', () => {
    const sf = ts.createSourceFile(
      '/virtual/src/main.ts',
      'function f(x: number) { return x; }',
      ts.ScriptTarget.ES2022,
      true,
    );
    const d = toDiagnostic(new RangeError('Maximum call stack size exceeded'), sf.statements[0]);
    expect(d.code).toBe(CODES.tooDeep);
    expect(d.start).toBe(0);
    expect(String(d.messageText)).toMatch(/nested too deeply to differentiate.*Fix: /);
    expect(toDiagnostic(new RangeError('Invalid array length'), sf.statements[0]).code).toBe(CODES.internal);
  });
});
