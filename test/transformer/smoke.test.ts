import { compileAndLoad } from '../support/compile';
test('compiles and loads', () => {
  const m = compileAndLoad(
    `import { lookupJvp } from 'forwardgrad';\nexport function f(x: number): number { return x * 2; }\nexport const has = (g: Function) => lookupJvp(g) !== undefined;`,
  );
  expect(m.f(3)).toBe(6);
  expect(m.has(m.f)).toBe(false);
});
