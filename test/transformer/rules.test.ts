// Every scalar rule and every supported construct: the emitted twin against central finite differences
// in float64 at several random points, plus the exact primal value.
import { compile, expectNoDiagnostics, load } from '../support/compile';
import { ALL_CASES, exportedName } from './cases';
import { checkJvp } from '../support/fd';
import { rng } from '../support/random';

// one module per case, compiled together in one program (fast); each function annotated
const sources: Record<string, string> = {};
ALL_CASES.forEach((c, i) => {
  sources[`case${i}.ts`] = c.src.replace(
    /export (function|const) (\w+)(?![\s\S]*export (function|const))/,
    '/** @forwardGrad */\nexport $1 $2',
  );
});
const result = compile(sources);

test('no diagnostics for the supported constructs', () => expectNoDiagnostics(result));

describe.each(ALL_CASES.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
  test('JVP matches central differences; primal exact', () => {
    const mod = load(result, `case${i}.ts`);
    const f = mod[exportedName(c)];
    const r = rng(1000 + i);
    for (let k = 0; k < 5; k++) {
      const check = checkJvp(f, c.args(r), r, { tol: c.tol, h: c.h });
      if (!check.ok) throw new Error(check.message);
    }
  });
});
