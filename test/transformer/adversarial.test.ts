// Adversarial programs a user might write: aliasing, mutation through helpers, name collisions, tricky control flow,
// non-smooth points of Math rules, defaults. Each either gives the exact JVP (central differences in float64) or is
// a located build error; none may slip through with a wrong tangent.
import { lookupJvp } from '../../runtime/registry';
import { compile, compileAndLoad, expectNoDiagnostics, formatDiagnostics, load } from '../support/compile';
import { checkJvp } from '../support/fd';
import { rng } from '../support/random';

interface Case {
  readonly name: string;
  readonly src: string;
  readonly args: (r: () => number) => unknown[];
}

const u = (r: () => number, lo: number, hi: number): number => lo + (hi - lo) * r();
const any1 = (r: () => number): number[] => [u(r, -2, 2)];
const any2 = (r: () => number): number[] => [u(r, -2, 2), u(r, -2, 2)];
const vec =
  (n: number) =>
  (r: () => number): number[] =>
    Array.from({ length: n }, () => u(r, -2, 2));
const A = '/** @forwardGrad */\n';

const ALIASING: Case[] = [
  {
    name: 'write through an alias of a local array',
    src: `${A}export function f(x: number): number { const a = [1, 2, 3]; const b = a; b[0] = x * x; return a[0] + a[1]; }`,
    args: any1,
  },
  {
    name: 'write through an alias of a parameter',
    src: `${A}export function f(xs: number[], x: number): number { const b = xs; b[0] = x * x; return xs[0] * xs[1]; }`,
    args: (r) => [vec(3)(r), u(r, -2, 2)],
  },
  {
    name: 'write through an object alias',
    src: `${A}export function f(x: number): number { const o = { a: 1, b: 2 }; const p = o; p.a = x * x; p.b *= x; return o.a + o.b; }`,
    args: any1,
  },
  {
    name: 'row alias of an inactive matrix',
    src: `${A}export function f(x: number): number { const m = [[1, 2], [3, 4]]; const r = m[1]; r[1] = x * x; return m[1][1] * x; }`,
    args: any1,
  },
  {
    name: 'for…of row written',
    src: `${A}export function f(x: number): number { const m = [[1, 2], [3, 4]]; for (const r of m) r[0] = x * r[1]; return m[0][0] + m[1][0]; }`,
    args: any1,
  },
  {
    name: 'helper returning its argument',
    src: `function id(v: number[]): number[] { return v; }
${A}export function f(x: number): number { const buf = [1, 2]; const y = id(buf); y[0] = x * x; return buf[0] + buf[1]; }`,
    args: any1,
  },
  {
    name: 'array held by an object',
    src: `${A}export function f(x: number): number { const arr = [1, 2]; const o = { v: arr }; o.v[0] = x * x; return arr[0]; }`,
    args: any1,
  },
  {
    name: 'row pushed, then written through the matrix',
    src: `${A}export function f(x: number): number { const row = [1, 2]; const m: number[][] = []; m.push(row); m[0][1] = Math.sin(x); return row[1]; }`,
    args: any1,
  },
  {
    name: 'alias chosen by a ternary',
    src: `${A}export function f(x: number, k: number): number { const a = [1, 2]; const b = [3, 4]; const c = k > 0 ? a : b; c[0] = x * 3; return a[0] + b[0]; }`,
    args: any2,
  },
  {
    name: 'alias by reassignment',
    src: `${A}export function f(x: number): number { const a = [1, 2]; let b = [0, 0]; b = a; b[1] = x * x; return a[1]; }`,
    args: any1,
  },
  {
    name: 'Float64Array alias',
    src: `${A}export function f(x: number): number { const a = new Float64Array(2); const b = a; b[0] = Math.exp(x); return a[0]; }`,
    args: any1,
  },
  {
    name: 'accumulating through an alias in a loop',
    src: `${A}export function f(xs: number[]): number { const acc = [0]; const ref = acc; for (const v of xs) ref[0] += v * v; return acc[0]; }`,
    args: (r) => [vec(3)(r)],
  },
  {
    name: 'helper writing through a row alias',
    src: `function g(m: number[][], x: number): void { const r = m[0]; r[0] = x * x; }
${A}export function f(x: number): number { const m = [[1], [2]]; g(m, x); return m[0][0]; }`,
    args: any1,
  },
  {
    name: 'object field alias',
    src: `interface S { w: number[] }
${A}export function f(x: number): number { const s: S = { w: [1, 2] }; const w = s.w; w[0] = x * 5; return s.w[0]; }`,
    args: any1,
  },
  {
    name: 'destructured row alias',
    src: `${A}export function f(x: number): number { const m = [[1, 2], [3, 4]]; const [r0] = m; r0[0] = x * x; return m[0][0]; }`,
    args: any1,
  },
  {
    name: 'typed array returned by a mutating helper',
    src: `function g(t: Float64Array, x: number): Float64Array { t[1] = x * x; return t; }
${A}export function f(x: number): number { const t = new Float64Array(3); const v = g(t, x); return t[1] + v[1]; }`,
    args: any1,
  },
  {
    name: 'helper scaling a parameter in place',
    src: `function scale(v: number[], k: number): void { for (let i = 0; i < v.length; i++) v[i] *= k; }
${A}export function f(xs: number[], k: number): number { scale(xs, k); return xs[0] + xs[1] * xs[2]; }`,
    args: (r) => [vec(3)(r), u(r, -2, 2)],
  },
  {
    name: 'the same array passed twice',
    src: `function addInto(out: number[], a: number[]): void { for (let i = 0; i < out.length; i++) out[i] += a[i] * a[i]; }
${A}export function f(xs: number[]): number { addInto(xs, xs); return xs[0] + xs[1]; }`,
    args: (r) => [vec(2)(r)],
  },
  {
    name: 'parameter array returned and written',
    src: `function id2(v: number[]): number[] { v[0] = v[0] * v[1]; return v; }
${A}export function f(xs: number[]): number { const y = id2(xs); y[1] = y[0] * 3; return xs[1] + y[0]; }`,
    args: (r) => [vec(2)(r)],
  },
  {
    name: 'object parameter mutated by a helper',
    src: `interface P { a: number; b: number }
function bump(p: P, k: number): void { p.a *= k; p.b += p.a; }
${A}export function f(x: number): number { const o: P = { a: x, b: 1 }; bump(o, x); return o.a * o.b; }`,
    args: any1,
  },
  {
    name: 'array returned inside an object by a helper',
    src: `function wrap(v: number[]): { v: number[] } { return { v }; }
${A}export function f(x: number): number { const b = [1, 2]; const w = wrap(b); w.v[0] = x * x; return b[0]; }`,
    args: any1,
  },
  {
    name: 'object taken from an array of objects',
    src: `${A}export function f(a: number): number { const ps = [{ x: 1 }, { x: 2 }]; const p = ps[1]; p.x = a * a; let s = 0; for (const q of ps) s += q.x; return s; }`,
    args: any1,
  },
  {
    name: 'object pushed, then written through the array',
    src: `${A}export function f(a: number): number { const p = { x: 1 }; const ps: { x: number }[] = []; ps.push(p); ps[0].x = a * 3; return p.x; }`,
    args: any1,
  },
  {
    name: 'helper aliasing its object parameter and returning it',
    src: `interface Q { a: number }
function g(p: Q, x: number): Q { const q = p; q.a = x * x; return q; }
${A}export function f(x: number): number { const o: Q = { a: 1 }; const r = g(o, x); return o.a + r.a; }`,
    args: any1,
  },
  {
    name: 'ternary between an active array and a literal',
    src: `${A}export function f(xs: number[], k: number): number { const c = k > 0 ? xs : [1, 2]; c[0] = c[0] * 3; return c[0] * xs[1]; }`,
    args: (r) => [vec(2)(r), u(r, -1, 1)],
  },
  {
    name: 'inactive row stored into an active matrix, then written',
    src: `${A}export function f(x: number): number { const m = [[0], [0]]; m[1][0] = x; const row = [1]; m[0] = row; row[0] = x * x; return m[0][0] + m[1][0]; }`,
    args: any1,
  },
  {
    name: 'helper linking a row into a matrix',
    src: `function link(m: number[][], r: number[]): void { m[0] = r; }
${A}export function f(x: number): number { const m = [[0], [0]]; const row = [1]; link(m, row); m[0][0] = x * x; return row[0]; }`,
    args: any1,
  },
  {
    name: 'double buffering by swapping references',
    src: `${A}export function f(x: number): number { let cur = [1, 1]; let nxt = [0, 0]; for (let i = 0; i < 3; i++) { nxt[0] = cur[0] * cur[1] + x; nxt[1] = cur[0]; const t = cur; cur = nxt; nxt = t; } return cur[0] + nxt[0]; }`,
    args: any1,
  },
  {
    name: 'row of a matrix parameter written through an alias',
    src: `${A}export function f(m: number[][], x: number): number { const r = m[0]; r[0] = x * r[1]; return m[0][0] + m[1][1]; }`,
    args: (r) => [[vec(2)(r), vec(2)(r)], u(r, -2, 2)],
  },
  {
    name: 'array field of an object parameter written through an alias',
    src: `${A}export function f(p: { w: number[]; b: number }, x: number): number { const w = p.w; w[1] = w[0] * x + p.b; return p.w[1]; }`,
    args: (r) => [{ w: vec(2)(r), b: u(r, -2, 2) }, u(r, -2, 2)],
  },
  {
    name: 'tuple taken from an array of tuples, then written',
    src: `${A}export function f(x: number): number { const ps: [number, number][] = [[1, 2], [3, 4]]; const p = ps[0]; p[1] = x * x; return ps[0][1] * x; }`,
    args: any1,
  },
  {
    name: 'closure writing an array that later becomes active',
    src: `${A}export function f(x: number): number { const buf = [0]; const put = (v: number) => { buf[0] = v; }; put(3); const a = buf[0]; buf[0] = x * x; put(buf[0] * x); return buf[0] + a; }`,
    args: any1,
  },
  {
    name: 'closure over a reassigned active variable',
    src: `${A}export function f(x: number): number { let k = x; const g = (t: number) => t * k; const a = g(2); k = Math.sin(x); return a + g(x); }`,
    args: any1,
  },
  {
    name: 'closure pushing into a captured array',
    src: `${A}export function f(x: number): number { const out: number[] = []; const put = (v: number) => { out.push(v * x); }; put(1); put(x); return out[0] * out[1]; }`,
    args: any1,
  },
  {
    name: 'slice of an inactive array, then written',
    src: `${A}export function f(x: number): number { const a = [1, 2]; const s = a.slice(); s[0] = x * x; return s[0] + a[0]; }`,
    args: any1,
  },
];

const NAMES_AND_FLOW: Case[] = [
  {
    name: 'default value depending on an active parameter (callee)',
    src: `function g(x: number, y: number = x * x): number { return x * y; }\n${A}export function f(a: number): number { return g(a) + g(a, 2); }`,
    args: any1,
  },
  {
    name: 'default value depending on an active parameter (annotated)',
    src: `${A}export function f(a: number, b: number = a * 3): number { return a * b; }`,
    args: any2,
  },
  {
    name: 'shadowed parameter names',
    src: `${A}export function f(x: number): number { let s = x; { const x = 3; s = s * x; } for (let x = 0; x < 2; x++) s += x; return s * x; }`,
    args: any1,
  },
  {
    name: 'shadowing with an active inner value',
    src: `${A}export function f(x: number, y: number): number { let s = 0; { const x = y * y; s += x; } return s * x; }`,
    args: any2,
  },
  {
    name: 'names like generated ones (dx, x_jvp)',
    src: `${A}export function f(x: number, dx: number): number { const x_jvp = x * dx; const dx_jvp = dx * 2; return x_jvp + dx_jvp; }`,
    args: any2,
  },
  {
    name: 'names like generated ones (fg, sin_y, dt)',
    src: `${A}export function f(x: number): number { const fg = x * 2; const sin_y = Math.sin(fg); const t = sin_y * x; const dt = t + 1; const ddt = dt * fg; return ddt; }`,
    args: any1,
  },
  {
    name: 'a user function named like a twin',
    src: `export function g_jvp(x: number): number { return x + 100; }
${A}export function g(x: number): number { return x * x + g_jvp(1); }`,
    args: any1,
  },
  {
    name: 'parameters foo and dfoo',
    src: `${A}export function f(foo: number, dfoo: number): number { let t = foo * dfoo; const dt = foo; t = t * dt; return t; }`,
    args: any2,
  },
  {
    name: 'reassigned parameters, nested loops, break/continue/return',
    src: `${A}export function f(a: number, b: number): number {
  for (let i = 0; i < 4; i++) { for (let j = 0; j < 4; j++) { if (j === 2) continue; a = a * 0.9 + b * j; if (a > 5) return a * b; if (j === 3) break; } b = b + a * 0.1; }
  return a + b; }`,
    args: any2,
  },
  {
    name: 'labelled break out of nested loops',
    src: `${A}export function f(a: number): number { let s = a; outer: for (let i = 0; i < 5; i++) { for (let j = 0; j < 5; j++) { s = s * a * 0.5 + 1; if (i * j === 6) break outer; } } return s; }`,
    args: (r) => [u(r, -1, 1)],
  },
  {
    name: 'labelled continue from a do…while',
    src: `${A}export function f(a: number, b: number): number { let i = 0; outer: while (i < 5) { i++; let j = 0; do { j++; if (j === 2) continue outer; a = a * b * 0.5 + 1; } while (j < 3); b = Math.sin(b + a); } return a * b; }`,
    args: (r) => [u(r, -1, 1), u(r, -1, 1)],
  },
  {
    name: 'switch with fall-through',
    src: `${A}export function f(a: number, k: number): number { let s = a; switch (Math.floor(k)) { case 0: s *= a; case 1: s += Math.sin(a); break; case 2: { s = s * s; break; } default: s -= a; } return s; }`,
    args: (r) => [u(r, -2, 2), u(r, 0, 4)],
  },
  {
    name: 'switch on an active value',
    src: `${A}export function f(a: number): number { switch (a) { case 1: return 0; default: return a * a; } }`,
    args: any1,
  },
  {
    name: 'switch inside a loop with continue',
    src: `${A}export function f(a: number): number { let s = a; for (let i = 0; i < 6; i++) { switch (i % 3) { case 0: s *= a; continue; case 1: s += a; break; default: s = Math.cos(s); } s -= 0.1 * a; } return s; }`,
    args: any1,
  },
  {
    name: 'active accumulators and inactive counters in one for',
    src: `${A}export function f(a: number): number { let s = 0; let n = 0; let p = 1; for (let i = 0; i < 5; i++, n += 2) { s += a * i; p *= a; } return s + p + n; }`,
    args: any1,
  },
  {
    name: 'active variable reset to a constant in a loop',
    src: `${A}export function f(a: number): number { let s = a; for (let i = 0; i < 3; i++) { if (i === 1) s = 1; s = s * a; } return s; }`,
    args: any1,
  },
  {
    name: 'parameter reassigned to a constant',
    src: `${A}export function f(a: number): number { const s = a * a; a = 3; return s * a; }`,
    args: any1,
  },
  {
    name: 'array parameter reassigned',
    src: `${A}export function f(xs: number[], a: number): number { const s = xs[0] * a; xs = [1, 2]; return s + xs[0] * a; }`,
    args: (r) => [vec(2)(r), u(r, -2, 2)],
  },
  {
    name: 'swap through a temporary',
    src: `${A}export function f(a: number, b: number): number { let x = a; let y = b * 2; const t = x; x = y; y = t; return x * x + y; }`,
    args: any2,
  },
  {
    name: 'recursion',
    src: `function fact(x: number, n: number): number { if (n <= 0) return 1; return x * fact(x + 1, n - 1); }
${A}export function f(a: number): number { return fact(a, 3); }`,
    args: any1,
  },
  {
    name: 'mutual recursion, callees after the caller',
    src: `${A}export function f(a: number): number { return ev(a, 4); }
function ev(x: number, n: number): number { return n === 0 ? x : od(x * x * 0.5, n - 1); }
function od(x: number, n: number): number { return n === 0 ? x : ev(Math.sin(x), n - 1); }`,
    args: any1,
  },
  {
    name: 'arrow callee declared after the caller',
    src: `${A}export function f(a: number): number { return later(a) * a; }
const later = (x: number): number => Math.log1p(x * x);`,
    args: any1,
  },
  {
    name: 'arrow functions with expression bodies',
    src: `const sq = (x: number) => x * x;
${A}export const f = (a: number): number => sq(a) + sq(a * 2);`,
    args: any1,
  },
  {
    name: 'helper exported by a clause and imported under another name',
    src: `import { hh } from './clause_lib';
${A}export function f(a: number): number { return hh(a) * a + dflt(a); }
import dflt from './clause_lib';`,
    args: any1,
  },
  {
    name: 'value that becomes active in a later iteration',
    src: `${A}export function f(a: number): number { let p = 1; let q = 1; for (let i = 0; i < 3; i++) { q = p; p = a * i + 1; } return q; }`,
    args: any1,
  },
  {
    name: 'continue in a do…while',
    src: `${A}export function f(a: number): number { let s = a; let i = 0; do { i++; if (i === 2) continue; s = s * a; } while (i < 4); return s; }`,
    args: any1,
  },
  {
    name: 'var declared in a loop, read after it',
    src: `${A}export function f(a: number): number { for (let i = 0; i < 3; i++) { var t = a * i; } return t! * a; }`,
    args: any1,
  },
  {
    name: 'optional parameter omitted by the caller',
    src: `function g(x: number, y?: number): number { return y === undefined ? x * x : x * y; }
${A}export function f(a: number): number { return g(a) + g(a, a); }`,
    args: any1,
  },
  {
    name: 'relu, abs and max at 0',
    src: `${A}export function f(a: number): number { const z = a * 0; return (z > 0 ? z : 0) + Math.abs(z) + Math.max(z, 0) + a; }`,
    args: any1,
  },
  {
    name: 'helper imported through export *',
    src: `import { h } from './reexport_index';
${A}export function f(a: number): number { return h(a) * a; }`,
    args: any1,
  },
  {
    name: 'method with this fields called from annotated code',
    src: `import { forwardGrad } from 'forwardgrad';
export class M { w = 2; @forwardGrad m(x: number): number { return this.w * x * x; } }
const obj = new M();
${A}export function f(x: number): number { return obj.m(x) * 2; }`,
    args: any1,
  },
  {
    name: 'getter of a constant object',
    src: `export class K { k = 2; get kk(): number { return this.k * 3; } }
const kk = new K();
${A}export function f(x: number): number { return kk.kk * x; }`,
    args: any1,
  },
  {
    name: 'constant defaults (number and array) omitted by the caller',
    src: `function g(x: number, k: number = 3, w: number[] = [1, 2]): number { return x * k * w[0] + w[1]; }
${A}export function f(a: number): number { return g(a) + g(a, a) + g(a, 2, [a, a]); }`,
    args: any1,
  },
  {
    name: 'side-effecting indices in plain and compound assignments',
    src: `${A}export function f(x: number): number { const v = [0, 0, 0]; let i = 0; v[i++] = x * x; v[i++] = x; v[++i - 1] += x; return v[0] * v[1] + v[2] + i; }`,
    args: any1,
  },
  {
    name: 'side-effecting indices in a nested write',
    src: `${A}export function f(x: number): number { const m = [[0, 0], [0, 0]]; let i = 0; m[i++][i++] = x * x; return m[0][1] + i; }`,
    args: any1,
  },
  {
    name: 'side-effecting indices in an active read',
    src: `${A}export function f(xs: number[]): number { let i = 0; const s = xs[i++] * xs[i++]; return s + i; }`,
    args: (r) => [vec(3)(r)],
  },
  {
    name: 'callee with a side effect called twice',
    src: `function g(c: number[], x: number): number { c[0]++; return x * x; }
${A}export function f(x: number): number { const c = [0]; const y = g(c, x) + g(c, x * 2); return y * c[0]; }`,
    args: any1,
  },
  {
    name: 'return from a switch inside a loop',
    src: `${A}export function f(x: number): number { let s = x; for (let i = 0; i < 5; i++) { switch (i) { case 3: return s * x; default: s = s * x + 1; } } return -s; }`,
    args: (r) => [u(r, -1, 1)],
  },
  {
    name: 'throw and catch between updates',
    src: `${A}export function f(x: number): number { let s = x; try { s = s * x; if (x > 0) throw new Error('p'); s = s + 1; } catch { s = s * 3; } return s; }`,
    args: any1,
  },
  {
    name: 'tuple element written, then destructured',
    src: `${A}export function f(x: number): number { const t: [number, number] = [1, 2]; t[1] = x * x; const [a, b] = t; return a + b * x; }`,
    args: any1,
  },
  {
    name: 'running max from -Infinity',
    src: `${A}export function f(x: number): number { let m = -Infinity; for (let i = 0; i < 3; i++) m = Math.max(m, x * i); return m; }`,
    args: any1,
  },
  {
    name: 'branded number and branded array types',
    src: `type Meters = number & { __brand: 'm' };
type Vec = number[] & { __vec: true };
${A}export function f(x: number, xs: number[]): number { const m = x as Meters; const v = xs as Vec; return m * m * v[0] + v[1]; }`,
    args: (r) => [u(r, -2, 2), vec(2)(r)],
  },
  {
    name: 'comparison passed to a boolean parameter',
    src: `function g(k: number, b: boolean): number { return b ? k : -k; }
${A}export function f(x: number): number { return g(x * x, x > 0); }`,
    args: any1,
  },
  {
    name: '@customJvp rule declared as a const arrow, with a string parameter',
    src: `/** @customJvp gJvp */
export function g(x: number, mode: string): number { return mode === 's' ? Math.sin(x) : x; }
export const gJvp = (x: number, dx: number, mode: string): [number, number] => (mode === 's' ? [Math.sin(x), Math.cos(x) * dx] : [x, dx]);
${A}export function f(a: number, b: number): number { return g(a, 's') * b + g(b, 'id'); }`,
    args: any2,
  },
  {
    name: 'tangent reset when a branch assigns a constant (variable, element, field)',
    src: `${A}export function f(x: number): number {
  let s = 0; let t = 0; const v = [0, 0]; const o = { a: 0 };
  for (let i = 0; i < 4; i++) { if (i % 2) { t = x * i; v[0] = x; o.a = x * x; } else { t = 3; v[0] = 2; o.a = 1; } s += t * t + v[0] * o.a; }
  return s; }`,
    args: any1,
  },
  {
    name: 'active array and object variables reassigned to literals',
    src: `${A}export function f(x: number): number { let v = [x, x]; let o = { a: x }; let s = v[0] + o.a; v = [1, 2]; o = { a: 2 }; s += v[0] * o.a * x; return s; }`,
    args: any1,
  },
  {
    name: 'inactive values (helper, Math.floor, constant ternary) overwrite active ones',
    src: `function k(): number { return 4; }
${A}export function f(x: number): number { let t = x * x; t = k(); let u = x; u = Math.floor(x); let w = x; for (let i = 0; i < 3; i++) w = i > 1 ? 5 : 7; return (t + u + w) * x; }`,
    args: any1,
  },
  {
    name: 'overriding methods dispatch to their own twins',
    src: `import { B0, C0 } from './override_base';
class D0 extends C0 { g(x: number): number { return Math.exp(x) + super.g(x); } }
class S0 { static h(x: number): number { return x; } }
class S1 extends S0 { static h(x: number): number { return Math.sin(x); } }
const objs: B0[] = [new B0(), new C0(), new D0()];
const K: typeof S0 = S1;
${A}export function f(x: number): number { let s = 0; for (const o of objs) s += o.g(x); return s * K.h(x); }`,
    args: any1,
  },
  {
    name: 'NaN checks choose a branch',
    src: `${A}export function f(x: number): number { const y = Math.sqrt(x); return Number.isNaN(y) ? x * 2 : y * x; }`,
    args: any1,
  },
  {
    name: 'comparisons used as numbers',
    src: `${A}export function f(a: number): number { return (a > 0 ? 1 : 0) * a + Number(a > 0) * a * a; }`,
    args: any1,
  },
];

const ARITHMETIC: Case[] = [
  {
    name: 'compound assignment on array elements',
    src: `${A}export function f(a: number, b: number): number { const v = [a, b, 1]; for (let i = 0; i < 3; i++) { v[i] += a; v[i] *= b; v[i] /= (a * a + 1); v[i] -= b; v[i] **= 2; } return v[0] + v[1] + v[2]; }`,
    args: any2,
  },
  {
    name: 'compound assignment on object fields',
    src: `${A}export function f(a: number, b: number): number { const o = { f: a, g: 2 }; o.f *= b; o.g += o.f; o.f **= 2; o.g /= b; return o.f + o.g; }`,
    args: (r) => [u(r, -2, 2), u(r, 0.5, 2)],
  },
  {
    name: 'compound assignment on parameter elements',
    src: `${A}export function f(v: number[], b: number): number { v[1] += v[0] * b; v[0] *= v[1]; return v[0] + v[1]; }`,
    args: (r) => [vec(2)(r), u(r, -2, 2)],
  },
  {
    name: 'compound assignment with a side-effecting index',
    src: `${A}export function f(v: number[], b: number): number { let i = 0; v[i++] += b * b; v[i++] *= b; return v[0] + v[1] + i; }`,
    args: (r) => [vec(3)(r), u(r, -2, 2)],
  },
  {
    name: '**= and %= on nested fields',
    src: `${A}export function f(a: number): number { const o = { v: [a, 1] }; o.v[0] **= 3; o.v[1] %= a + 3; return o.v[0] + o.v[1]; }`,
    args: (r) => [u(r, 0.5, 2)],
  },
  {
    name: '++/-- on array elements',
    src: `${A}export function f(a: number): number { const v = [a, 2]; v[0]++; v[1]--; ++v[0]; return v[0] * v[1] * a; }`,
    args: any1,
  },
  {
    name: 'number[][] written through a row',
    src: `${A}export function f(a: number): number { const m: number[][] = [[1, 2], [3, 4]]; m[1][0] = a * a; const r = m[1]; r[1] *= a; return m[1][0] + m[1][1]; }`,
    args: any1,
  },
  {
    name: 'negative base with a constant exponent',
    src: `${A}export function f(a: number): number { return (a - 3) ** 3 + Math.pow(a - 3, 2); }`,
    args: any1,
  },
  {
    name: 'zero exponent with an active base at 0',
    src: `${A}export function f(x: number): number { const z = x * 0; return Math.pow(z, 0) + z ** 0 + Math.pow(x, 0) + x; }`,
    args: any1,
  },
  {
    name: 'zero base with an active exponent',
    src: `${A}export function f(x: number): number { return Math.pow(0, x * x + 1) + 0 ** (2 + x * x) + x; }`,
    args: any1,
  },
  {
    name: 'Math.hypot with 0 and 1 arguments',
    src: `${A}export function f(a: number): number { return Math.hypot() + Math.hypot(a) * 2; }`,
    args: any1,
  },
  {
    name: 'Math.hypot at the origin',
    src: `${A}export function f(x: number): number { return Math.hypot(x - x) + Math.hypot(x * 0, 0) + x; }`,
    args: any1,
  },
  {
    name: 'Math.max/min with one argument, Math.max()',
    src: `${A}export function f(a: number): number { return Math.max(a * a) + Math.min(a) + (Math.max() === -Infinity ? a : 0); }`,
    args: any1,
  },
  {
    name: '% with active operands',
    src: `${A}export function f(a: number, b: number): number { return (a * 5) % b + a % 1.5; }`,
    args: (r) => [u(r, -2, 2), u(r, 0.5, 2)],
  },
  {
    name: 'integer-valued ops inside active expressions',
    src: `${A}export function f(a: number): number { return a * Math.floor(a * 3) + Math.round(a) * a - (a | 0) * a; }`,
    args: any1,
  },
];

const FD_CASES = [...ALIASING, ...NAMES_AND_FLOW, ...ARITHMETIC];
const sources: Record<string, string> = {
  'reexport_lib.ts': 'export function h(x: number): number { return Math.exp(x) * x; }',
  'reexport_index.ts': "export * from './reexport_lib';",
  'override_base.ts':
    'export class B0 { g(x: number): number { return x; } }\nexport class C0 extends B0 { g(x: number): number { return x * x; } }',
  'clause_lib.ts':
    'function h(x: number): number { return Math.cos(x) * x; }\nconst g = (x: number): number => x * x * x;\nexport { h as hh };\nexport default g;',
};
FD_CASES.forEach((c, i) => {
  sources[`adv${i}.ts`] = c.src;
});
const result = compile(sources);

test('no diagnostics for the accepted programs', () => expectNoDiagnostics(result));

describe.each(FD_CASES.map((c, i) => [c.name, c, i] as const))('%s', (_n, c, i) => {
  test('JVP matches central differences; primal exact', () => {
    const names = [...c.src.matchAll(/export (?:function|const) (\w+)/g)].map((m) => m[1]);
    const f = load(result, `adv${i}.ts`)[names[names.length - 1]];
    const r = rng(5000 + i);
    for (let k = 0; k < 5; k++) {
      const check = checkJvp(f, c.args(r), r);
      if (!check.ok) throw new Error(check.message);
    }
  });
});

test('a method replaced at run time by one without a twin is a run-time error naming it, not a borrowed twin', () => {
  const mod = compileAndLoad(`class B { g(x: number): number { return x * x; } }
const o = new B();
export function patch(): void { o.g = (x: number) => x * 3; }
${A}export function f(x: number): number { return o.g(x); }`);
  const twin = lookupJvp(mod.f)!;
  expect(twin.fn(2, 1)).toEqual([4, 4]);
  mod.patch();
  expect(() => twin.fn(2, 1)).toThrow(/B\.g is overridden here by a method without a derivative/);
});

const ERRORS: { name: string; src: string; at: string; code: number; message: RegExp }[] = [
  {
    name: 'alias of a this field written',
    code: 94003,
    at: '4:45',
    message: /'this' is a constant/,
    src: `import { forwardGrad } from 'forwardgrad';\nexport class M {\n  w = [1, 2];\n  @forwardGrad m(x: number): number { const w = this.w; w[0] = x * x; return this.w[0]; }\n}`,
  },
  {
    name: 'class instance holding an active value',
    code: 94003,
    at: '3:46',
    message: /flows into 'c', whose type 'C' carries no tangent/,
    src: `class C { constructor(public k: number) {} get kk(): number { return this.k * this.k; } }\n${A}export function f(a: number): number { const c = new C(a); return c.kk; }`,
  },
  {
    name: 'template literal of an active value, stored',
    code: 94001,
    at: '2:50',
    message: /a template string built from active.*stored or passed on/,
    src: `${A}export function f(a: number): number { const s = \`\${a}\`; return parseFloat(s) * a; }`,
  },
  {
    name: 'Number(x) of an active value',
    code: 94002,
    at: '2:47',
    message: /call of 'Number'/,
    src: `${A}export function f(a: number): number { return Number(a) * a; }`,
  },
  {
    name: '+String(x) round trip',
    code: 94002,
    at: '2:48',
    message: /call of 'String'/,
    src: `${A}export function f(a: number): number { return +String(a) * a; }`,
  },
  {
    name: 'writing through a buffer view',
    code: 94001,
    at: '2:81',
    message: /'new Float64Array\(…\)' with active arguments/,
    src: `${A}export function f(a: number): number { const t = new Float64Array(4); const v = new Float64Array(t.buffer, 8, 2); v[0] = a * a; return t[1]; }`,
  },
  {
    name: 'Object.assign into an active object',
    code: 94002,
    at: '2:66',
    message: /call of 'Object\.assign'/,
    src: `${A}export function f(a: number): number { const o = { x: 1, y: 2 }; Object.assign(o, { x: a * a }); return o.x; }`,
  },
  {
    name: 'module-level array written through a local alias',
    code: 94003,
    at: '3:46',
    message: /stored in 'W', which is declared outside the function/,
    src: `const W = [1, 2];\n${A}export function f(x: number): number { const w = W; w[0] = x * x; return W[0]; }`,
  },
  {
    name: 'Math function through an alias',
    code: 94002,
    at: '3:47',
    message: /call of 'g'/,
    src: `const g = Math.sin;\n${A}export function f(a: number): number { return g(a) * a; }`,
  },
  {
    name: 'active value in an index-signature object',
    code: 94003,
    at: '2:106',
    message: /flows into 'o', whose type '\{ \[k: string\]: number; \}' carries no tangent/,
    src: `${A}export function f(x: number): number { const o: { [k: string]: number } = { a: 1, b: 2 }; const k = 'a'; o[k] = x * x; return o.a + o['b']; }`,
  },
  {
    name: 'comma operator on active values',
    code: 94001,
    at: '2:70',
    message: /operator ','/,
    src: `${A}export function f(x: number): number { let i = 0; const y = x > 0 ? (i++, x * x) : (i += 2, Math.sin(x)); return y * i; }`,
  },
  {
    name: 'active value into a number | string variable',
    code: 94003,
    at: '2:44',
    message: /flows into 'v', whose type 'string \| number' carries no tangent/,
    src: `${A}export function f(x: number): number { let v: number | string = x * x; return (v as number) * 2; }`,
  },
  {
    name: 'active value into an any variable',
    code: 94003,
    at: '2:46',
    message: /flows into 't', whose type 'any' carries no tangent/,
    src: `${A}export function f(x: number): number { const t: any = x; return t * t; }`,
  },
  {
    name: 'active argument for an any parameter',
    code: 94003,
    at: '3:52',
    message: /passed to parameter 'v' of 'g', whose type 'any' carries no tangent/,
    src: `function g(k: number, v: any): number { return k * 2 + (v ? 1 : 0); }\n${A}export function f(x: number): number { return g(2, x); }`,
  },
  {
    name: 'active argument for a generic parameter',
    code: 94003,
    at: '3:52',
    message: /passed to parameter 'v' of 'g', whose type 'T' carries no tangent/,
    src: `function g<T>(k: number, v: T): number { return k * (v as unknown as number); }\n${A}export function f(x: number): number { return g(2, x); }`,
  },
  {
    name: 'active argument for a union parameter',
    code: 94003,
    at: '3:52',
    message: /passed to parameter 'v' of 'g', whose type 'string \| number' carries no tangent/,
    src: `function g(k: number, v: number | string): number { return typeof v === 'number' ? k * v : k; }\n${A}export function f(x: number): number { return g(2, x); }`,
  },
  {
    name: 'active array for an any[] parameter',
    code: 94003,
    at: '3:52',
    message: /passed to parameter 'v' of 'g', whose type 'any\[\]' carries no tangent/,
    src: `function g(k: number, v: any[]): number { return k * v.length; }\n${A}export function f(x: number): number { return g(2, [x]); }`,
  },
  {
    name: 'callee whose only parameter is generic',
    code: 94002,
    at: '3:47',
    message: /call of 'idf': none of its parameters has a differentiable type/,
    src: `function idf<T>(x: T): T { return x; }\n${A}export function f(a: number): number { return idf(a) * a; }`,
  },
  {
    name: '@customJvp rule that does not exist',
    code: 94004,
    at: '2:1',
    message: /the @customJvp rule 'gJvp' of 'g' is not declared in this module/,
    src: `/** @customJvp gJvp */\nexport function g(x: number, y: number): number { return x * y; }\n${A}export function f(a: number, b: number): number { return g(a, b) * a; }`,
  },
  {
    name: '@customJvp rule with too few parameters',
    code: 94004,
    at: '2:1',
    message: /takes 2 parameter\(s\), but g's rule gets 4.*Fix: declare gJvp\(x, dx, y, dy\)/,
    src: `/** @customJvp gJvp */\nexport function g(x: number, y: number): number { return x * y; }\nexport function gJvp(x: number, dx: number): [number, number] { return [x * 0, dx]; }\n${A}export function f(a: number, b: number): number { return g(a, b); }`,
  },
  {
    name: '@customJvp rule imported from another module',
    code: 94004,
    at: '3:1',
    message: /the @customJvp rule 'gJvp' of 'g' is imported/,
    src: `import { gJvp } from './rules';\n/** @customJvp gJvp */\nexport function g(x: number, y: number): number { return x * y; }\n${A}export function f(a: number, b: number): number { return g(a, b) * a; }`,
  },
  {
    name: 'toArray() of an active tensor',
    code: 94002,
    at: '3:95',
    message: /call of 't\.toArray': it is a forwardgrad runtime function or method with no derivative rule/,
    src: `import { mul, full } from 'forwardgrad';\n${A}export function f(a: number, b: number): number { const t = mul(full([2], 1), a); const arr = t.toArray(); return arr[0] * b; }`,
  },
  {
    name: 'tensor(...) built from active numbers',
    code: 94002,
    at: '3:61',
    message: /call of 'tensor': it is a forwardgrad runtime function/,
    src: `import { tensor, sum } from 'forwardgrad';\n${A}export function f(a: number, b: number): number { const t = tensor([a, b], [2]); return sum(t).item(); }`,
  },
  {
    name: 'closure returned from a differentiated function',
    code: 94001,
    at: '2:78',
    message: /a function that uses active \(differentiated\) values is stored in 'h'/,
    src: `${A}export function f(x: number): number { const g = (t: number) => t * x; const h = g; return h(2); }`,
  },
  {
    name: 'closure handed to an unknown function',
    code: 94001,
    at: '3:53',
    message:
      /uses active \(differentiated\) variables of its enclosing function is passed where the transform cannot follow it/,
    src: `declare function later(cb: () => number): number;\n${A}export function f(x: number): number { return later(() => x * x) * x; }`,
  },
  {
    name: 'assignment inside an expression',
    code: 94001,
    at: '2:67',
    message: /assignment inside an expression/,
    src: `${A}export function f(a: number): number { let b = 0; let c = 0; c = (b = a * a); return b + c; }`,
  },
];

const RULES =
  'export function gJvp(x: number, dx: number, y: number, dy: number): [number, number] { return [x * y, y * dx + x * dy]; }';

describe.each(ERRORS.map((c) => [c.name, c] as const))('%s', (_n, c) => {
  test('is a located build error', () => {
    const r = compile({ 'main.ts': c.src, 'rules.ts': RULES });
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0].code).toBe(c.code);
    const text = formatDiagnostics(r.diagnostics);
    expect(text).toMatch(c.message);
    expect(text).toMatch(/Fix: /);
    expect(text.split(' ')[0]).toBe(`main.ts:${c.at}:`);
  });
});

test("tangent names never look like the user's dt/dx: a taken d<name> becomes <name>_dot", () => {
  const r = compile({
    'main.ts': `${A}export function f(x: number, t: number, dt: number, dx: number): number { return x * t + dt * dx; }`,
  });
  expectNoDiagnostics(r);
  const js = r.js['main.ts'];
  expect(js).toMatch(/function f_jvp\(x, x_dot, t, t_dot, dt, ddt, dx, ddx\)/);
  expect(js).not.toMatch(/\bd[tx]_\d/);
});
