// Twins across modules, class methods, custom rules, tensor ops from the manifest, the runtime module option.
import { compile, expectNoDiagnostics, formatDiagnostics, load } from '../support/compile';
import { lookupJvp } from '../../runtime/registry';
import { checkJvp } from '../support/fd';
import { rng } from '../support/random';

const checkAt = (f: (...a: any[]) => unknown, points: unknown[][]): void => {
  const r = rng(7);
  for (const p of points) {
    const c = checkJvp(f, p, r);
    if (!c.ok) throw new Error(c.message);
  }
};

test('callees imported from other modules are differentiated in their own module and called by twin', () => {
  const result = compile({
    'lib/poly.ts': `export function cube(x: number): number { return x * x * x; }\nexport default function half(x: number): number { return Math.sin(x) / 2; }`,
    'lib/alias.ts': `import { cube } from './poly';\nexport const twice = (x: number): number => 2 * cube(x);`,
    'main.ts': `import half, { cube as c3 } from './lib/poly';\nimport { twice } from './lib/alias';\n/** @forwardGrad */\nexport function f(x: number, y: number): number { return c3(x) * half(y) + twice(x * y); }`,
  });
  expectNoDiagnostics(result);
  expect(result.js['lib/poly.ts']).toMatch(/function cube_jvp/);
  expect(result.js['lib/alias.ts']).toMatch(/twice_jvp/);
  expect(result.js['main.ts']).toMatch(/poly_twins\.cube_jvp/);
  const main = load(result, 'main.ts');
  checkAt(main.f, [
    [0.3, -1.2],
    [1.5, 0.7],
  ]);
  const poly = load(result, 'lib/poly.ts');
  expect(lookupJvp(poly.cube)?.meta).toEqual({ name: 'cube', tangentSlots: [true] });
});

test('class methods: decorator and comment forms, this is constant, sibling methods call twins', () => {
  const result = compile({
    'main.ts': `import { forwardGrad } from 'forwardgrad';
export class Model {
  constructor(public w: number, public bias: number[]) {}
  @forwardGrad
  loss(x: number): number { return this.scale(x) * this.w + this.bias[0]; }
  /** @forwardGrad */
  scale(x: number): number { return Math.exp(x) * this.w; }
  static helper(x: number): number { return x * x; }
  @forwardGrad
  static st(x: number): number { return Model.helper(x) + 1; }
}`,
  });
  expectNoDiagnostics(result);
  const { Model } = load(result, 'main.ts');
  const m = new Model(1.7, [0.2]);
  const twin = lookupJvp(Model.prototype.loss)!;
  expect(twin.meta.tangentSlots).toEqual([true]);
  const x = 0.4;
  const [v, t] = twin.fn.call(m, x, 1) as [number, number];
  expect(v).toBe(m.loss(x));
  expect(t).toBeCloseTo(Math.exp(x) * 1.7 * 1.7, 10);
  const st = lookupJvp(Model.st)!;
  expect(st.fn(3, 1)).toEqual([10, 6]);
});

test('@customJvp: the rule is called wherever the function is used and registered for jvp', () => {
  const result = compile({
    'rules.ts': `/** @customJvp softplusJvp */
export function softplus(x: number): number { return Math.log(1 + Math.exp(x)); }
export function softplusJvp(x: number, dx: number): [number, number] { return [softplus(x), dx / (1 + Math.exp(-x))]; }
/** @customJvp magicJvp */
export declare function magic(x: number): number;
export function magicJvp(x: number, dx: number): [number, number] { return [3 * x, 3 * dx]; }`,
    'main.ts': `import { softplus } from './rules';
/** @forwardGrad */
export function f(x: number): number { return softplus(x * x) * 2; }
/** @forwardGrad */
function local(x: number): number { return soft(x) + 1; }
/** @customJvp softJvp */
function soft(x: number): number { return x > 0 ? x : 0; }
function softJvp(x: number, dx: number): [number, number] { return [x > 0 ? x : 0, 7 * dx]; }
export const localTwin = local;`,
  });
  expectNoDiagnostics(result);
  expect(result.js['main.ts']).toMatch(/rules_twins\.softplusJvp\(/);
  const main = load(result, 'main.ts');
  checkAt(main.f, [[0.3], [-1.1]]);
  // the user's rule is used even where it disagrees with the code: 7·dx
  expect(lookupJvp(main.localTwin)!.fn(2, 1)).toEqual([3, 7]);
  const rules = load(result, 'rules.ts');
  expect(lookupJvp(rules.softplus)!.fn).toBe(rules.softplusJvp);
});

// Issue 7: the rule's export status comes from the checker's module exports, once; every form of export counts.
describe('@customJvp rule called from another module', () => {
  const body = '(x: number, dx: number): [number, number] { return [x * x * x, 3 * x * x * dx]; }';
  const forms: [string, string, string][] = [
    ['export function', `export function cubeJvp${body}`, 'cubeJvp'],
    ['export const', `export const cubeJvp = ${body.replace(' {', ' => {')};`, 'cubeJvp'],
    ['export { cubeJvp }', `function cubeJvp${body}\nexport { cubeJvp };`, 'cubeJvp'],
    ['export { cubeJvp as rule }', `function cubeJvp${body}\nexport { cubeJvp as rule };`, 'rule'],
    ['export default cubeJvp', `function cubeJvp${body}\nexport default cubeJvp;`, 'default'],
    ['export default function cubeJvp', `export default function cubeJvp${body}`, 'default'],
  ];
  const sources: Record<string, string> = {};
  forms.forEach(([, rule], i) => {
    sources[`lib${i}.ts`] =
      `/** @customJvp cubeJvp */\nexport function cube(x: number): number { return x * x * x; }\n${rule}`;
    sources[`main${i}.ts`] =
      `import { cube } from './lib${i}';\n/** @forwardGrad */\nexport function f(x: number): number { return cube(x) * 2; }`;
  });
  const result = compile(sources);
  test('no diagnostics', () => expectNoDiagnostics(result));
  test.each(forms.map(([name, , as], i) => [name, as, i] as const))(
    '%s: callers call the rule under its exported name',
    (_name, as, i) => {
      expect(result.js[`main${i}.ts`]).toMatch(new RegExp(`lib${i}_twins\\.${as}\\(`));
      checkAt(load(result, `main${i}.ts`).f, [[0.3], [-1.1]]);
    },
  );
  test('a rule that is not exported is a located error at the call', () => {
    const r = compile({
      'lib.ts': `/** @customJvp cubeJvp */\nexport function cube(x: number): number { return x * x * x; }\nfunction cubeJvp${body}\nexport const used = cubeJvp;`,
      'main.ts': `import { cube } from './lib';\n/** @forwardGrad */\nexport function f(x: number): number { return cube(x) * 2; }`,
    });
    expect(r.diagnostics.map((d) => d.code)).toEqual([94002]);
    expect(formatDiagnostics(r.diagnostics)).toMatch(
      /^main\.ts:3:47: .*custom rule 'cubeJvp' of 'cube' is not exported from lib\.ts.*Fix: export cubeJvp/,
    );
  });
});

describe('a differentiated function called from another module: every form of export exports its twin', () => {
  const fn = 'cube(x: number): number { return x * x * x; }';
  const forms: [string, string, string][] = [
    ['export function', `export function ${fn}`, '{ cube }'],
    ['export const', `export const cube = (x: number): number => x * x * x;`, '{ cube }'],
    ['export { cube }', `function ${fn}\nexport { cube };`, '{ cube }'],
    ['export { cube as c3 }', `function ${fn}\nexport { cube as c3 };`, '{ c3 as cube }'],
    ['export default cube', `function ${fn}\nexport default cube;`, 'cube'],
    ['export default function cube', `export default function ${fn}`, 'cube'],
  ];
  const sources: Record<string, string> = {};
  forms.forEach(([, lib, imported], i) => {
    sources[`lib${i}.ts`] = lib;
    sources[`main${i}.ts`] =
      `import ${imported} from './lib${i}';\n/** @forwardGrad */\nexport function f(x: number): number { return cube(x) * 2; }`;
  });
  const result = compile(sources);
  test('no diagnostics', () => expectNoDiagnostics(result));
  test.each(forms.map(([name], i) => [name, i] as const))('%s', (_name, i) => {
    expect(result.js[`main${i}.ts`]).toMatch(new RegExp(`lib${i}_twins\\.cube_jvp\\(`));
    expect(typeof load(result, `lib${i}.ts`).cube_jvp).toBe('function');
    checkAt(load(result, `main${i}.ts`).f, [[0.3], [-1.1]]);
  });
});

test('@customJvp on a declared function is used by callers', () => {
  const result = compile({
    'main.ts': `/** @customJvp magicJvp */
declare function magic(x: number): number;
function magicJvp(x: number, dx: number): [number, number] { return [3 * x, 3 * dx]; }
(globalThis as any).magic = (x: number) => 3 * x;
/** @forwardGrad */
export function g(x: number): number { return magic(x) * x; }`,
  });
  expectNoDiagnostics(result);
  const { g } = load(result, 'main.ts');
  checkAt(g, [[0.5], [-2]]);
});

test('tensor ops in the manifest become calls of their JVP; t.shape is inactive; item() carries its tangent', () => {
  const fakeRuntime = `export class Tensor { constructor(public data: number[], public shape: number[]) {} item(): number { return this.data[0]; } }
export function scaleT(a: Tensor, k: number): Tensor { return new Tensor(a.data.map((v) => v * k), a.shape); }
export function scaleTJvp(a: Tensor, da: Tensor | undefined, k: number, dk: number | undefined): [Tensor, Tensor | undefined] {
  const y = scaleT(a, k);
  const d = a.data.map((v, i) => (da ? da.data[i] * k : 0) + (dk ? v * dk : 0));
  return [y, new Tensor(d, a.shape)];
}
export function itemJvp(t: Tensor, dt: Tensor | undefined): [number, number] { return [t.item(), dt ? dt.item() : 0]; }
// twins free dead op results through the runtime module (transformer/emit/release.ts); these tensors are GC'd
export function releaseTemp(y: unknown, dy: unknown): void { void y; void dy; }
export { registerJvp, lookupJvp } from '${require.resolve('../../runtime/registry').replace(/\.ts$/, '')}';`;
  const tensorRules = {
    ops: { scaleT: { jvp: 'scaleTJvp', vjp: 'scaleTVjp', args: ['diff', 'diff'] as const } },
    methods: { item: { jvp: 'itemJvp', vjp: 'itemVjp', args: [] as const } },
    inactiveProperties: ['shape'],
  };
  const result = compile(
    {
      'fakert/index.ts': fakeRuntime,
      'main.ts': `import { Tensor, scaleT } from './fakert/index';
/** @forwardGrad */
export function f(t: Tensor, k: number): number { const n = t.shape[0]; return scaleT(t, k * n).item() * k; }`,
    },
    { runtimeModule: '/virtual/src/fakert/index.ts', tensorRules },
  );
  expectNoDiagnostics(result);
  expect(result.js['main.ts']).toMatch(/require\("\.\/fakert\/index"\)/);
  expect(result.js['main.ts']).toMatch(/scaleTJvp\(t, dt, k \* n, n \* dk\)/);
  const main = load(result, 'main.ts');
  const rt = load(result, 'fakert/index.ts');
  const twin = rt.lookupJvp(main.f);
  const t = new rt.Tensor([1.5], [1]);
  const [v, d] = twin.fn(t, new rt.Tensor([1], [1]), 2, 1);
  expect(v).toBe(main.f(t, 2));
  // f = t·k²·n (n = 1): df = k²·dt + 2·t·k·dk
  expect(d).toBeCloseTo(4 + 2 * 1.5 * 2, 12);
});

test('a call of an unknown runtime function with active arguments is a located error', () => {
  const result = compile({
    'main.ts': `import { lookupJvp } from 'forwardgrad';\n/** @forwardGrad */\nexport function f(x: number): number { return lookupJvp(f) ? x : 0; }`,
  });
  expectNoDiagnostics(result); // lookupJvp(f) has no active argument: inactive, kept as is
  const bad = compile({
    'main.ts': `import { isTensor } from 'forwardgrad';\n/** @forwardGrad */\nexport function f(x: number): number { return isTensor(x) ? x : 0; }`,
  });
  expectNoDiagnostics(bad); // boolean result: no tangent needed
});

test('names never collide with user declarations', () => {
  const result = compile({
    'main.ts': `const f_jvp = 1; const dx = 2;\n/** @forwardGrad */\nexport function f(x: number): number { return x * dx + f_jvp; }`,
  });
  expectNoDiagnostics(result);
  expect(result.js['main.ts']).toMatch(/function f_jvp_1\(x, x_dot\)/);
  checkAt(load(result, 'main.ts').f, [[0.7]]);
  void formatDiagnostics;
});

/** Decodes a source map's mappings into [generatedLine, sourceLine] pairs (0-based). */
function mappedLines(mappings: string): [number, number][] {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const out: [number, number][] = [];
  let srcLine = 0;
  mappings.split(';').forEach((line, gen) => {
    for (const seg of line.split(',').filter(Boolean)) {
      const vals: number[] = [];
      let shift = 0;
      let v = 0;
      for (const ch of seg) {
        const d = B64.indexOf(ch);
        v += (d & 31) << shift;
        if (d & 32) shift += 5;
        else {
          vals.push(v & 1 ? -(v >> 1) : v >> 1);
          v = 0;
          shift = 0;
        }
      }
      if (vals.length >= 4) {
        srcLine += vals[2];
        out.push([gen, srcLine]);
      }
    }
  });
  return out;
}

test('emitted twins carry source maps back to the annotated source lines', () => {
  const src = `/** @forwardGrad */\nexport function f(x: number): number {\n  const y = Math.sin(x) * x;\n  return y * y;\n}\n`;
  const result = compile({ 'main.ts': src }, { sourceMap: true });
  expectNoDiagnostics(result);
  const js = result.js['main.ts'].split('\n');
  const lines = mappedLines(JSON.parse(result.maps['main.ts']).mappings);
  const sourceOf = (needle: string): number[] => {
    const gen = js.findIndex((l) => l.includes(needle));
    expect(gen).toBeGreaterThanOrEqual(0);
    return lines.filter(([g]) => g === gen).map(([, s]) => s);
  };
  expect(sourceOf('const dy =')).toContain(2); // the tangent line of `const y = …` (0-based line 2)
  expect(sourceOf('return [y * y')).toContain(3);
});

test('a function literal passed straight to jvp is differentiated (captured values are constants)', () => {
  const result = compile({
    'main.ts': `import { jvp } from 'forwardgrad';
function helper(x: number): number { return x * x; }
export function run(a: number): [number, number] {
  const k = 3;
  return jvp((x: number) => Math.sin(x) * k * a + helper(x), [0.5], [1]) as [number, number];
}`,
  });
  expectNoDiagnostics(result);
  expect(result.js['main.ts']).toMatch(/fg\.withTwin\(/);
  const { run } = load(result, 'main.ts');
  const [v, t] = run(2);
  expect(v).toBe(Math.sin(0.5) * 3 * 2 + 0.25);
  expect(t).toBeCloseTo(Math.cos(0.5) * 6 + 1, 12);
});
