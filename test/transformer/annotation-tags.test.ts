// Annotations are JSDoc-style tags: they count at the start of a comment line, not when prose
// merely mentions them (the transformer's own sources do, and are built through it).
import { compileAndLoad } from '../support/compile';

const has = `import { lookupJvp } from 'forwardgrad';\nexport const has = (g: Function) => lookupJvp(g) !== undefined;\n`;

test.each([
  ['one-line JSDoc', '/** @forwardGrad */', true],
  ['tag line in a longer JSDoc', '/**\n * Squares x.\n * @forwardGrad\n */', true],
  ['line comment', '// @forwardGrad', true],
  ['mentioned mid-sentence', '/** Unlike `@forwardGrad` functions, this one is plain. */', false],
  ['mentioned on a later prose line', '/**\n * Plain; see the `@forwardGrad` docs.\n */', false],
])('%s', (_name, comment, annotated) => {
  const m = compileAndLoad(`${has}${comment}\nexport function f(x: number): number { return x * x; }\n`);
  expect(m.has(m.f)).toBe(annotated);
});

test('a @customJvp mentioned in prose is not a rule', () => {
  const m = compileAndLoad(
    `${has}/**\n * A \`@customJvp rule\` is not needed here.\n * @forwardGrad\n */\nexport function f(x: number): number { return x * x; }\n`,
  );
  expect(m.has(m.f)).toBe(true);
});
