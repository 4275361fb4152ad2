// Which files the plugins send through the type-aware transform: annotated files and the project
// files they import (where callee twins are emitted); never the runtime module or files only
// reachable through it; everything else takes the fast path.
import * as ts from 'typescript';
import { findAnnotatedClosure, hasAnnotation } from '../../transformer/plugins/annotated-closure';

const options: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
};

/** An in-memory project. */
function closureOf(files: Record<string, string>, stopAt?: string) {
  const host: ts.ModuleResolutionHost = { fileExists: (f) => f in files, readFile: (f) => files[f] };
  const r = findAnnotatedClosure(Object.keys(files), options, { host, stopAt: (f) => f === stopAt });
  return { annotated: [...r.annotated].sort(), closure: [...r.closure].sort() };
}

test.each([
  ['/** @forwardGrad */\nfunction f(x: number) { return x; }', true],
  ['/**\n * Beale.\n * @forwardGrad\n */\nexport const f = (x: number) => x;', true],
  ['class C {\n  @forwardGrad\n  m(x: number) { return x; }\n}', true],
  ['/** @customJvp softplusJvp */\ndeclare function softplus(x: number): number;', true],
  ['// annotate with @forwardGrad to differentiate\nexport const a = 1;', false],
  ['export const note = "use @forwardGrad";', false],
  ['export function f(x: number) { return x * x; }', false],
  // a function literal handed straight to jvp/forwardGradient/fgd is differentiated without annotation
  ["import { jvp } from 'forwardgrad';\nexport const r = jvp((x: number) => x * x, [1], [1]);", true],
  ['forwardGradient(function (w: number) { return w * w; }, [1]);', true],
  ['fgd(w => w * w, [1], { lr: 0.1 });', true],
  ['fgd(\n  async (w: number) => w, [1], {});', true],
  ["import { jvp } from 'forwardgrad';\nimport { f } from './model';\njvp(f, [1], [1]);", false],
])('hasAnnotation(%j) is %s', (text, expected) => {
  expect(hasAnnotation(text)).toBe(expected);
});

test('the closure is the annotated files plus what they import, transitively; the rest stays out', () => {
  const files = {
    '/p/model.ts':
      "import { a } from './a';\nimport { g } from 'forwardgrad';\n/** @forwardGrad */\nexport function f(x: number) { return a(x); }",
    '/p/a.ts': "import { b } from './b';\nexport function a(x: number) { return b(x); }",
    '/p/b.ts': 'export function b(x: number) { return x * x; }',
    '/p/main.ts': "import { f } from './model';\nimport { c } from './c';\nconsole.log(f(1), c);",
    '/p/c.ts': 'export const c = 3;',
  };
  expect(closureOf(files)).toEqual({ annotated: ['/p/model.ts'], closure: ['/p/a.ts', '/p/b.ts', '/p/model.ts'] });
});

test('the runtime module is neither included nor walked into', () => {
  const files = {
    '/p/model.ts':
      "import { matmul } from './runtime/index';\n/** @forwardGrad */\nexport function f(x: number) { return x; }",
    '/p/runtime/index.ts': "export { matmul } from './ops';",
    '/p/runtime/ops.ts': 'export function matmul() {}',
  };
  expect(closureOf(files, '/p/runtime/index.ts').closure).toEqual(['/p/model.ts']);
  expect(closureOf(files).closure).toEqual(['/p/model.ts', '/p/runtime/index.ts', '/p/runtime/ops.ts']);
});
