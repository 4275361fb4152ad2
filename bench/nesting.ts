// Build time of deeply nested expressions (issue 10): for each shape and depth, the forwardgrad transform alone
// (median over rounds, on an already type-checked program) beside plain TypeScript's check + emit of the same file,
// and the transform's counted work (transformer/work.ts), which doubles with the depth when the cost is linear.
// Prints a table; writes bench/out/nesting.json.
// Run: npx ts-node --transpile-only bench/nesting.ts [rounds]
import * as ts from 'typescript';
import { createForwardGradTransformer } from '../transformer';
import { workCount } from '../transformer/work';
import { writeResult } from './output';

const rounds = Number(process.argv[2] ?? 3);
const DEPTHS = [50, 100, 200, 400];
/** TypeScript's own check of nested conditionals is super-linear (seconds at 400), and past 200 the transform refuses them. */
const CONDITIONAL_DEPTHS = [25, 50, 100, 200];
const nest = (n: number, wrap: (e: string, i: number) => string, start = 'x'): string => {
  let e = start;
  for (let i = 0; i < n; i++) e = wrap(e, i);
  return e;
};
const SHAPES: Record<string, (n: number) => string> = {
  'left chain ((x*y+1)*y+1)': (n) => nest(n, (e) => `(${e} * y + 1)`),
  'right chain y*(x+…)': (n) => nest(n, (e) => `y * (x + ${e})`),
  'Math.sin(Math.sin(…))': (n) => nest(n, (e) => `Math.sin(${e})`),
  'g(g(…)) program calls': (n) => nest(n, (e) => `g(${e}, y)`),
  'parentheses ((…))': (n) => `${'('.repeat(n)}x * y${')'.repeat(n)}`,
  'ternaries (…? …: …)': (n) => nest(n, (e, i) => `x > ${i} ? y * x : ${e}`, 'x * y'),
};
const FILE = '/bench/nesting/main.ts';
const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  strict: true,
  lib: ['lib.es2022.d.ts'],
  types: [],
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function program(expr: string, annotated: boolean): ts.Program {
  const text =
    `export function g(a: number, b: number): number { return a * b + 1; }\n/** ${annotated ? '@forwardGrad' : 'plain'} */\n` +
    `export function f(x: number, y: number): number { return ${expr}; }\n`;
  const host = ts.createCompilerHost(options);
  const base = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang) => (f === FILE ? ts.createSourceFile(f, text, lang, true) : base(f, lang));
  host.fileExists = (
    (exists) => (f: string) =>
      f === FILE || exists(f)
  )(host.fileExists.bind(host));
  return ts.createProgram([FILE], options, host);
}

function ms(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const rows: { shape: string; depth: number; tscMs: number; transformMs: number; work: number; error?: string }[] = [];
for (const [shape, make] of Object.entries(SHAPES)) {
  for (const depth of shape.startsWith('ternaries') ? CONDITIONAL_DEPTHS : DEPTHS) {
    const expr = make(depth);
    // plain TypeScript: type-check and emit the same file without the annotation
    const tscMs = median(
      Array.from({ length: rounds }, () =>
        ms(() => {
          const p = program(expr, false);
          ts.getPreEmitDiagnostics(p);
          p.emit(undefined, () => undefined);
        }),
      ),
    );
    const p = program(expr, true);
    ts.getPreEmitDiagnostics(p);
    let work = 0,
      error: string | undefined;
    const transformMs = median(
      Array.from({ length: rounds }, () =>
        ms(() => {
          const before = workCount();
          const { factory, diagnostics } = createForwardGradTransformer(p, { runtimeModule: 'forwardgrad' });
          ts.transform(p.getSourceFile(FILE)!, [factory]).dispose();
          work = workCount() - before;
          error = diagnostics[0] && `TS${diagnostics[0].code}`;
        }),
      ),
    );
    rows.push({ shape, depth, tscMs, transformMs, work, error });
  }
}

console.log(
  `${'shape'.padEnd(28)} ${'depth'.padStart(5)} ${'tsc ms'.padStart(8)} ${'transform ms'.padStart(12)} ${'work'.padStart(8)}`,
);
for (const r of rows) {
  console.log(
    `${r.shape.padEnd(28)} ${String(r.depth).padStart(5)} ${r.tscMs.toFixed(0).padStart(8)} ${r.transformMs.toFixed(1).padStart(12)} ${String(r.work).padStart(8)}${r.error ? `  ${r.error}` : ''}`,
  );
}
console.log(`wrote ${writeResult('nesting.json', { rounds, node: process.version, rows })}`);
