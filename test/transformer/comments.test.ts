// The twin keeps the primal's comments (issue 8): each statement's leading comments open the lines it lowers to
// (tangent lines included), once, so generated code reads line by line like the source. Annotations stay on the primal.
import { compile, expectNoDiagnostics, load, transformedSource } from '../support/compile';
import { checkJvp } from '../support/fd';
import { rng } from '../support/random';

const SRC = `/** @forwardGrad */
export function f(x: number, n: number, xs: number[]): number {
  // scale first
  const z = x * Math.sin(x); // trailing note
  /* a block comment */
  let s = 0;
  // loop over the steps
  for (let i = 0; i < n; i++) {
    // accumulate
    s += z * i;
  }
  /** a documented helper */
  const g = (v: number): number => {
    // inside the helper
    return v * z;
  };
  // mapped, then summed
  const m = xs.map((v) => {
    // inside the callback
    return g(v) * x;
  }).reduce((a, b) => a + b, 0);
  // an inactive count
  const k = n + 1;
  if (k > 2) {
    // only on the long branch
    s = s * 2;
  }
  // the result
  return s * k + m;
}
`;

const result = compile({ 'main.ts': SRC });
const out = transformedSource(result, 'main.ts');
const primal = out.slice(out.indexOf('export function f('), out.indexOf('export function f_jvp('));
const twin = out.slice(out.indexOf('export function f_jvp('), out.indexOf('registerJvp'));
const comments = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(\/\/|\/\*)/.test(l));

test('compiles without diagnostics', () => expectNoDiagnostics(result));

test('the twin has every leading comment of the primal, once each, in the same order', () => {
  const expected = comments(primal);
  expect(expected).toHaveLength(11); // the source's leading comments: the fixture is what this test says it is
  // the local helper g stays in the twin beside its own twin g_jvp: its comment is in both
  const helper = expected.indexOf('// inside the helper');
  expect(comments(twin)).toEqual([...expected.slice(0, helper + 1), ...expected.slice(helper)]);
});

test('a comment opens the lowering of its statement: the tangent line comes after it', () => {
  const lines = twin.split('\n').map((l) => l.trim());
  const after = (c: string) => lines[lines.indexOf(c) + 1];
  expect(after('// scale first')).toMatch(/^const sin_x = Math\.sin\(x\);$/);
  expect(after('// accumulate')).toMatch(/^ds \+= /); // the tangent line, then the primal line
  expect(after('// only on the long branch')).toMatch(/^ds = /);
  expect(after('// the result')).toMatch(/^return \[/);
});

test('annotations are not copied into the twin', () => {
  expect(twin).not.toMatch(/@forwardGrad/);
  expect(primal).toMatch(/@forwardGrad|^export function f\(/);
});

test('the twin with comments is still exact (finite differences)', () => {
  const mod = load(result, 'main.ts');
  const r = rng(3);
  for (let t = 0; t < 5; t++) {
    const c = checkJvp(mod.f, [r(), 4, [r(), r(), r()]], r, { tol: 1e-6, h: 1e-6, constant: [1] });
    expect(c.message ?? '').toBe('');
    expect(c.ok).toBe(true);
  }
});

test('tensor twins keep them too, with the frees of dead temporaries in between', () => {
  const src = `import { Tensor, matmul, relu, sum, tanh } from 'forwardgrad';
/** @forwardGrad */
export function deep(layers: Tensor[], x: Tensor): Tensor {
  // start from the input
  let h = tanh(x);
  for (const w of layers) {
    // one layer
    h = relu(matmul(h, w));
  }
  // reduce to the loss
  return sum(h);
}
`;
  const r = compile({ 'deep.ts': src });
  expectNoDiagnostics(r);
  const text = transformedSource(r, 'deep.ts');
  const t = text.slice(text.indexOf('export function deep_jvp('), text.indexOf('registerJvp'));
  expect(comments(t)).toEqual(['// start from the input', '// one layer', '// reduce to the loss']);
});
