// Property-based fuzzer: fast-check generates random programs over the supported grammar (expressions, Math
// calls within their domains, branches, loops with break/continue, helper calls, local closures that read and
// write the enclosing function's active variables, map/filter/reduce/forEach callbacks, spread), compiled with the
// transformer in a few big modules; every program's JVP is checked against central finite differences.
// On failure the seed and the program are reported (FUZZ_SEED=<n> reruns one seed). No mismatch is
// allowed: a point within h of a kink or branch boundary (max/min/abs, a comparison) is recognised by
// its central differences at two steps disagreeing, and another point is drawn instead.
import * as fc from 'fast-check';
import { compile, expectNoDiagnostics, load } from '../support/compile';
import { checkJvp } from '../support/fd';
import { rng } from '../support/random';
import { registerJvp } from '../../runtime/registry';

const PROGRAMS = Number(process.env.FUZZ_PROGRAMS ?? 2000);
const BATCHES = 4;
const SEED = Number(process.env.FUZZ_SEED ?? 20260501);
// Tangents within 1e-5 relative of differences at h = 1e-6 (truncation ~h²·f''' and roundoff ~1e-16/h
// are both far below it); a kink shows as the difference at h/4 moving by more than that.
const CHECK = { tol: 1e-5, h: 1e-6, kinkStep: 2.5e-7 };
const POINTS = 2,
  TRIES = 6;

const VARS = ['a', 'b', 'c', 'v0', 'v1', 'v2'];
const HELPERS = `
function hPoly(x: number, y: number): number { let s = 0; for (let i = 0; i < 3; i++) s = s * x + y * i; return s; }
function hBranch(x: number): number { if (x > 0) return Math.sqrt(1 + x * x); return Math.sin(x) * 2; }
function hArr(x: number, y: number): number { const t = [x, y, x * y]; let s = 0; for (const v of t) s += Math.tanh(v); return s; }
`;

// Math calls wrapped so their arguments stay inside the domain and values stay bounded.
const UNARY: ((e: string) => string)[] = [
  (e) => `Math.sin(${e})`,
  (e) => `Math.cos(${e})`,
  (e) => `Math.tanh(${e})`,
  (e) => `Math.atan(${e})`,
  (e) => `Math.exp(Math.sin(${e}))`,
  (e) => `Math.log(1 + ${e} * ${e})`,
  (e) => `Math.sqrt(1 + ${e} * ${e})`,
  (e) => `Math.log1p(Math.abs(${e}))`,
  (e) => `Math.asinh(${e})`,
  (e) => `Math.cbrt(2 + Math.sin(${e}))`,
  (e) => `Math.asin(Math.tanh(${e}) * 0.9)`,
  (e) => `Math.acos(Math.sin(${e}) * 0.9)`,
  (e) => `Math.atanh(Math.tanh(${e}) * 0.9)`,
  (e) => `Math.expm1(Math.cos(${e}))`,
  (e) => `Math.log2(2 + Math.cos(${e}))`,
  (e) => `Math.log10(3 + Math.sin(${e}))`,
  (e) => `Math.sinh(Math.sin(${e}))`,
  (e) => `Math.cosh(Math.tanh(${e}))`,
  (e) => `Math.acosh(2 + Math.sin(${e}))`,
  (e) => `(${e}) ** 2`,
  (e) => `Math.pow(1.5 + Math.sin(${e}), 1.5)`,
  (e) => `hBranch(${e})`,
];
const BINARY: ((x: string, y: string) => string)[] = [
  (x, y) => `(${x} + ${y})`,
  (x, y) => `(${x} - ${y})`,
  (x, y) => `(${x} * ${y})`,
  (x, y) => `(${x} / (1.5 + Math.sin(${y})))`,
  (x, y) => `Math.atan2(${x}, 2 + Math.cos(${y}))`,
  (x, y) => `Math.hypot(${x}, ${y}, 0.5)`,
  (x, y) => `Math.max(${x}, ${y})`,
  (x, y) => `Math.min(${x}, ${y})`,
  (x, y) => `hPoly(Math.tanh(${x}), ${y})`,
  (x, y) => `hArr(${x}, ${y})`,
  (x, y) => `(${x} > ${y} ? ${x} : ${y} * 0.5)`,
  (x, y) => `Math.pow(2 + Math.sin(${x}), Math.cos(${y}))`,
  // local closures (they capture v0, v1, a: read at call time) and array methods over the active array xs
  (x, y) => `cl(${x}) * lf(${y})`,
  (x, y) => `xs.map((x) => x * ${x}).reduce((p, q) => p + Math.tanh(q), ${y})`,
  (x, y) => `[...xs, ${x}].reduce((p, q) => p * 0.5 + q, 0) * ${y}`,
  (x, y) => `Math.max(...xs.map((x, i) => x * i + ${x})) + ${y}`,
  (x, y) => `xs.filter((x) => x > ${x}).reduce((p, q) => p + q * q, Math.tanh(${y}))`,
  (x, y) => `xs.reduceRight((p, q) => Math.tanh(p + q * ${x})) + ${y}`,
];

const leaf = fc.oneof(
  fc.constantFrom(...VARS),
  fc.integer({ min: -9, max: 9 }).map((n) => (n < 0 ? `(${n / 4})` : `${n / 4}`)),
);
const expr: (depth: number) => fc.Arbitrary<string> = (depth) =>
  depth <= 0
    ? leaf
    : fc.oneof(
        { weight: 2, arbitrary: leaf },
        { weight: 2, arbitrary: fc.tuple(fc.nat(UNARY.length - 1), expr(depth - 1)).map(([k, e]) => UNARY[k](e)) },
        {
          weight: 3,
          arbitrary: fc
            .tuple(fc.nat(BINARY.length - 1), expr(depth - 1), expr(depth - 1))
            .map(([k, x, y]) => BINARY[k](x, y)),
        },
        { weight: 1, arbitrary: expr(depth - 1).map((e) => `-(${e})`) },
      );
const target = fc.constantFrom('v0', 'v1', 'v2', 'a');
// bounded updates keep loops from overflowing
const stmt: (depth: number, loop: string | undefined) => fc.Arbitrary<string> = (depth, loop) => {
  const simple = fc.oneof(
    fc.tuple(target, expr(2)).map(([t, e]) => `${t} = Math.tanh(${e}) * 2;`),
    fc.tuple(target, expr(2)).map(([t, e]) => `${t} += ${e} * 0.5;`),
    fc.tuple(target, expr(1)).map(([t, e]) => `${t} *= Math.cos(${e});`),
    fc.tuple(target, expr(1)).map(([t, e]) => `${t} -= Math.sin(${e}) + ${loop ?? '1'};`),
    // closures writing captured active state, and writes into the active array the callbacks read
    expr(1).map((e) => `acc(${e});`),
    expr(1).map((e) => `xs.forEach((x, i) => { v0 += Math.sin(x * ${e}) * 0.1 * i; });`),
    fc.tuple(fc.nat(3), expr(1)).map(([k, e]) => `xs[${k}] = Math.tanh(${e});`),
  );
  if (depth <= 0) return simple;
  const block = fc.array(stmt(depth - 1, loop), { minLength: 1, maxLength: 3 }).map((ss) => ss.join(' '));
  const inLoop = loop
    ? [fc.tuple(expr(1), fc.constantFrom('break', 'continue')).map(([e, k]) => `if (${e} > 0.5) ${k};`)]
    : [];
  const next = loop ? `${loop}i` : 'i';
  return fc.oneof(
    { weight: 3, arbitrary: simple },
    {
      weight: 1,
      arbitrary: fc.tuple(expr(1), block, block).map(([c, x, y]) => `if (${c} > 0) { ${x} } else { ${y} }`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 3 }), fc.array(stmt(depth - 1, next), { minLength: 1, maxLength: 3 }))
        .map(([n, ss]) => `for (let ${next} = 0; ${next} < ${n}; ${next}++) { ${ss.join(' ')} }`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 3 }), block)
        .map(([n, b]) => `{ let w = 0; while (w < ${n}) { w++; ${b} } }`),
    },
    { weight: 1, arbitrary: expr(1).map((e) => `if (${e} > 1.2) return ${e} * 2;`) },
    ...inLoop.map((a) => ({ weight: 1, arbitrary: a })),
  );
};
const program = fc
  .record({
    body: fc.array(stmt(2, undefined), { minLength: 1, maxLength: 5 }),
    ret: expr(3),
  })
  .map(
    ({ body, ret }) => `let v0 = a * 0.5; let v1 = b; let v2 = Math.sin(c);
  const xs = [a, b * c, Math.sin(c), 0.5];
  const cl = (t: number): number => Math.tanh(t * v1) + a;
  function lf(t: number): number { return Math.sin(t) * v0; }
  const acc = (t: number): void => { v2 = Math.tanh(v2 + t * 0.5); };
  ${body.join('\n  ')}\n  return ${ret};`,
  );

test(`${PROGRAMS} random programs: JVP matches finite differences`, () => {
  const bodies = fc.sample(program, { seed: SEED, numRuns: PROGRAMS });
  const perBatch = Math.ceil(bodies.length / BATCHES);
  const sources: Record<string, string> = {};
  for (let b = 0; b < BATCHES; b++) {
    const fns = bodies
      .slice(b * perBatch, (b + 1) * perBatch)
      .map(
        (body, k) =>
          `/** @forwardGrad */\nexport function fz${b * perBatch + k}(a: number, b: number, c: number): number {\n  ${body}\n}`,
      );
    sources[`fuzz${b}.ts`] = HELPERS + fns.join('\n');
  }
  const result = compile(sources);
  expectNoDiagnostics(result);
  const failures: string[] = [];
  let checked = 0,
    kinks = 0;
  for (let b = 0; b < BATCHES; b++) {
    const mod = load(result, `fuzz${b}.ts`);
    for (let i = b * perBatch; i < Math.min(bodies.length, (b + 1) * perBatch); i++) {
      const r = rng(SEED + i);
      for (let k = 0, ok = 0; k < TRIES && ok < POINTS; k++) {
        const args = [4 * r() - 2, 4 * r() - 2, 4 * r() - 2];
        const check = checkJvp(mod[`fz${i}`], args, r, CHECK);
        if (check.kink) {
          kinks++;
          continue;
        }
        if (!check.ok) {
          failures.push(`seed ${SEED}, program fz${i}:\n  ${bodies[i]}\n  ${check.message}`);
          break;
        }
        ok++;
        checked++;
      }
    }
  }
  if (failures.length) console.warn(`fuzz: ${failures.length} mismatches\n${failures.slice(0, 5).join('\n\n')}`);
  expect(failures).toEqual([]);
  // the kink filter must stay rare (it skips points, it must not hide programs): ≥ 99% of points checked
  expect(checked).toBeGreaterThanOrEqual(Math.floor(0.99 * POINTS * PROGRAMS));
  expect(kinks).toBeLessThan(0.01 * POINTS * PROGRAMS);
});

describe('the kink filter', () => {
  const r = () => 0.75; // direction 0.5
  test("a point within h of |x|'s kink is a kink, not a mismatch", () => {
    const abs = (x: number) => Math.abs(x);
    registerJvp(abs, (x: number, dx: number) => [Math.abs(x), Math.sign(x) * dx], {
      name: 'abs',
      tangentSlots: [true],
    });
    expect(checkJvp(abs, [3e-7], r, CHECK)).toMatchObject({ ok: false, kink: true });
    expect(checkJvp(abs, [0.3], r, CHECK)).toMatchObject({ ok: true });
  });

  test('a wrong tangent on a smooth function stays a mismatch', () => {
    const sin = (x: number) => Math.sin(x);
    registerJvp(sin, (x: number, dx: number) => [Math.sin(x), 1.001 * Math.cos(x) * dx], {
      name: 'sin',
      tangentSlots: [true],
    });
    const c = checkJvp(sin, [0.4], r, CHECK);
    expect(c.ok).toBe(false);
    expect(c.kink).toBeUndefined();
  });
});
