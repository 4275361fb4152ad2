// Baselines of emitted code: fixtures/<name>.ts → fixtures/expected/<name>.ts.txt (the transformed TypeScript,
// as `forwardgrad emit` shows it), so any change in generated code is visible in review.
// UPDATE_BASELINES=1 npx jest test/transformer/baselines rewrites the expected files.
import * as fs from 'fs';
import * as path from 'path';
import { compile, expectNoDiagnostics, load, transformedSource } from '../support/compile';
import { checkJvp } from '../support/fd';
import { rng } from '../support/random';

const FIXTURES = path.resolve(__dirname, '../../fixtures');
const NAMES = [
  'design-example',
  'test-functions',
  'control-flow',
  'data-structures',
  'methods-and-rules',
  'large-numeric',
  'tensor-release',
];
const files = NAMES.map((n) => path.join(FIXTURES, `${n}.ts`));
const result = compile(Object.fromEntries(files.map((f) => [f, fs.readFileSync(f, 'utf8')])));

test('fixtures compile without diagnostics', () => expectNoDiagnostics(result));

describe.each(NAMES)('%s', (name) => {
  test('emitted code matches the baseline', () => {
    const actual = transformedSource(result, path.join(FIXTURES, `${name}.ts`));
    const expectedFile = path.join(FIXTURES, 'expected', `${name}.ts.txt`);
    if (process.env.UPDATE_BASELINES) fs.writeFileSync(expectedFile, actual);
    expect(fs.existsSync(expectedFile)).toBe(true);
    expect(actual).toBe(fs.readFileSync(expectedFile, 'utf8'));
  });
});

test('fixture functions: JVP matches finite differences', () => {
  const r = rng(42);
  const tf = load(result, path.join(FIXTURES, 'test-functions.ts'));
  const large = load(result, path.join(FIXTURES, 'large-numeric.ts'));
  const ds = load(result, path.join(FIXTURES, 'data-structures.ts'));
  const cf = load(result, path.join(FIXTURES, 'control-flow.ts'));
  const cases: [(...a: any[]) => unknown, () => unknown[], number[]?][] = [
    [tf.beale, () => [3 * r() - 1.5, 3 * r() - 1.5]],
    [tf.rosenbrock, () => [2 * r() - 1, 2 * r() - 1]],
    [tf.rosenbrockN, () => [[r(), r(), r(), r()]]],
    [large.chainLoss, () => [[r() - 0.5, r() - 0.5, r(), r()], [0.1, -0.2, 0.05, 0.3], 4, 30, 0.05], [2, 3]],
    [
      ds.centroidDistance,
      () => [
        [
          { x: r(), y: r() },
          { x: r(), y: r() },
          { x: r(), y: r() },
        ],
        Float64Array.from([1 + r(), 1 + r(), 1 + r()]),
      ],
    ],
    [cf.piecewise, () => [2 * r(), 7], [1]],
  ];
  for (const [f, args, constant] of cases)
    for (let k = 0; k < 3; k++) {
      const c = checkJvp(f, args(), r, { constant });
      if (!c.ok) throw new Error(c.message);
    }
});

test('the emitted TypeScript itself type-checks (what `forwardgrad emit` writes is usable code)', () => {
  // not tensor twins: an op's JVP result is typed [Tensor, Tensor | undefined] while the twin declares [Tensor, Tensor]
  // (a typing gap of tensor twins, independent of what the twin frees); they are checked by running them instead
  const emitted = Object.fromEntries(
    files.filter((f) => !f.endsWith('tensor-release.ts')).map((f) => [f, transformedSource(result, f)]),
  );
  const again = compile(emitted, { requireTypeCorrect: false });
  expect(
    again.typeErrors.map(
      (d) => `${d.file?.fileName}: ${typeof d.messageText === 'string' ? d.messageText : d.messageText.messageText}`,
    ),
  ).toEqual([]);
});
