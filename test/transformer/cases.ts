// The table of small functions the FD test runs (Google-Tangent style): every scalar rule and every
// supported construct. Each case: TypeScript source of one exported function and an input generator.
export interface Case {
  readonly name: string;
  readonly src: string;
  readonly args: (r: () => number) => unknown[];
  /** finite-difference step and tolerance when the defaults do not fit (float32 rounding) */
  readonly h?: number;
  readonly tol?: number;
}

const u = (r: () => number, lo: number, hi: number): number => lo + (hi - lo) * r();
const any2 = (r: () => number): number[] => [u(r, -2, 2), u(r, -2, 2)];
const pos2 = (r: () => number): number[] => [u(r, 0.2, 3), u(r, 0.2, 3)];
const vec =
  (n: number) =>
  (r: () => number): number[] =>
    Array.from({ length: n }, () => u(r, -2, 2));

const unary = (fn: string, lo: number, hi: number): Case => ({
  name: `Math.${fn}`,
  src: `export function m_${fn}(x: number): number { return 2 * Math.${fn}(x * 1.0); }`,
  args: (r) => [u(r, lo, hi)],
});

export const MATH_CASES: Case[] = [
  ...[
    ['sin', -3, 3],
    ['cos', -3, 3],
    ['tan', -1.2, 1.2],
    ['asin', -0.9, 0.9],
    ['acos', -0.9, 0.9],
    ['atan', -3, 3],
    ['sinh', -2, 2],
    ['cosh', -2, 2],
    ['tanh', -2, 2],
    ['asinh', -3, 3],
    ['acosh', 1.2, 4],
    ['atanh', -0.9, 0.9],
    ['exp', -2, 2],
    ['expm1', -2, 2],
    ['log', 0.1, 4],
    ['log1p', -0.8, 3],
    ['log2', 0.1, 4],
    ['log10', 0.1, 4],
    ['sqrt', 0.1, 4],
    ['cbrt', 0.1, 4],
    ['abs', -2, 2],
  ].map(([f, lo, hi]) => unary(f as string, lo as number, hi as number)),
  { ...unary('fround', -2, 2), h: 1e-2, tol: 1e-4 },
  {
    name: 'Math.cbrt negative',
    src: 'export function cbrtNeg(x: number): number { return Math.cbrt(x); }',
    args: (r) => [u(r, -4, -0.2)],
  },
  {
    name: 'Math.atan2',
    src: 'export function mAtan2(y: number, x: number): number { return Math.atan2(y, x); }',
    args: any2,
  },
  {
    name: 'Math.pow both',
    src: 'export function mPow(a: number, b: number): number { return Math.pow(a, b); }',
    args: pos2,
  },
  {
    name: 'Math.pow const exp',
    src: 'export function mPow3(a: number): number { return Math.pow(a, 3); }',
    args: (r) => [u(r, -2, 2)],
  },
  {
    name: 'Math.pow const base',
    src: 'export function mPowB(b: number): number { return Math.pow(1.7, b); }',
    args: (r) => [u(r, -2, 2)],
  },
  {
    name: 'Math.hypot',
    src: 'export function mHypot(a: number, b: number): number { return Math.hypot(a, b, 0.5); }',
    args: any2,
  },
  {
    name: 'Math.min n-ary',
    src: 'export function mMin(a: number, b: number): number { return Math.min(a, b, 0.3, a * b); }',
    args: any2,
  },
  {
    name: 'Math.max n-ary',
    src: 'export function mMax(a: number, b: number): number { return Math.max(a, 2 * b, -0.1); }',
    args: any2,
  },
  {
    name: 'zero-derivative Math',
    src: 'export function mZero(x: number): number { return x * Math.floor(x) + Math.sign(x) + Math.ceil(x) + Math.round(x) + Math.trunc(x); }',
    args: (r) => [u(r, -3, 3)],
  },
  {
    name: 'Math constants',
    src: 'export function mConst(x: number): number { return Math.PI * x + Math.E * Math.SQRT2 * x * x; }',
    args: (r) => [u(r, -3, 3)],
  },
];

export const OPERATOR_CASES: Case[] = [
  {
    name: '+ - * /',
    src: 'export function arith(a: number, b: number): number { return (a + b) * (a - b) / (b * b + 1) - a / 3; }',
    args: any2,
  },
  {
    name: '** operator',
    src: 'export function powOp(a: number, b: number): number { return a ** b + a ** 2 + 2 ** b; }',
    args: pos2,
  },
  {
    name: '% operator',
    src: 'export function modOp(a: number, b: number): number { return (a * 3.1) % (b + 3); }',
    args: any2,
  },
  {
    name: 'unary minus/plus',
    src: 'export function unaryOps(a: number): number { return -a * +a - -(a * 2); }',
    args: (r) => [u(r, -2, 2)],
  },
  {
    name: 'compound assignments',
    src: `export function compound(a: number, b: number): number {
  let s = a; s += b * a; s -= b; s *= a + 1; s /= b * b + 1; s **= 2; return s; }`,
    args: any2,
  },
  {
    name: '++/-- on counters and active values',
    src: `export function incr(a: number): number {
  let k = 0; let s = a; for (let i = 0; i < 3; i++) { k++; s++; } --s; s--; return s * a + k; }`,
    args: (r) => [u(r, -2, 2)],
  },
  {
    name: 'ternary',
    src: 'export function tern(a: number, b: number): number { return a > b ? a * a : Math.sin(b) * a; }',
    args: any2,
  },
  {
    name: 'ternary with temporaries',
    src: 'export function tern2(a: number, b: number): number { const c = a > 0 ? Math.exp(a) * Math.cos(b) : b * b * b; return c * a; }',
    args: any2,
  },
  {
    name: 'reassigned parameter',
    src: 'export function reassign(a: number, b: number): number { a = a * b; b = a + b; a = Math.sin(a); return a * b; }',
    args: any2,
  },
  {
    name: 'self-referencing assignment',
    src: 'export function selfRef(x: number): number { x = x * x + x; x = Math.exp(x / 10); return x; }',
    args: (r) => [u(r, -1, 1)],
  },
];

export const CONTROL_CASES: Case[] = [
  {
    name: 'if/else',
    src: `export function ifElse(a: number, b: number): number {
  let r: number;
  if (a > 0) { r = a * b; } else if (b > 0) { r = Math.exp(b); } else r = a - b;
  return r; }`,
    args: any2,
  },
  {
    name: 'for loop',
    src: `export function forLoop(a: number, n: number): number {
  let s = 1; for (let i = 0; i < 5; i++) { s = s * a + i; } return s + n; }`,
    args: any2,
  },
  {
    name: 'while with break/continue',
    src: `export function whileLoop(a: number): number {
  let s = a; let i = 0;
  while (true) { i++; if (i % 2 === 0) continue; s = Math.sin(s) + a; if (i > 7) break; }
  return s; }`,
    args: (r) => [u(r, -2, 2)],
  },
  {
    name: 'do-while',
    src: `export function doWhile(a: number): number { let s = 0; let i = 0; do { s += a * i; i++; } while (i < 4); return s * s; }`,
    args: (r) => [u(r, -2, 2)],
  },
  {
    name: 'early return in loop',
    src: `export function earlyReturn(a: number, b: number): number {
  let s = a;
  for (let i = 0; i < 10; i++) { s = s * 0.9 + b; if (i === 3) return s * a; }
  return -s; }`,
    args: any2,
  },
  {
    name: 'switch',
    src: `export function sw(a: number, k: number): number {
  switch (Math.floor(k)) { case 0: return a * a; case 1: { const t = a * 3; return t * a; } default: return Math.sin(a); } }`,
    args: (r) => [u(r, -2, 2), u(r, 0, 3)],
  },
  {
    name: 'labeled continue',
    src: `export function labeled(a: number): number {
  let s = 0; outer: for (let i = 0; i < 3; i++) { for (let j = 0; j < 3; j++) { if (j > i) continue outer; s += a * (i + j); } } return s * a; }`,
    args: (r) => [u(r, -2, 2)],
  },
  {
    name: 'try/finally',
    src: `export function tryFin(a: number): number { let s = a; try { s = s * s; } finally { s += a; } return s; }`,
    args: (r) => [u(r, -2, 2)],
  },
];

export const DATA_CASES: Case[] = [
  {
    name: 'number[] literal, index read/write, length, push',
    src: `export function arr(a: number, b: number): number {
  const xs = [a, b, 2, a * b];
  xs[2] = xs[0] * xs[1];
  const ys: number[] = [];
  for (let i = 0; i < xs.length; i++) ys.push(xs[i] * i);
  ys.push(3);
  let s = 0;
  for (const y of ys) s += y * y;
  return s; }`,
    args: any2,
  },
  {
    name: 'number[] parameter',
    src: `export function dot(xs: number[], ws: number[]): number { let s = 0; for (let i = 0; i < xs.length; i++) s += xs[i] * ws[i]; return Math.tanh(s); }`,
    args: (r) => [vec(5)(r), vec(5)(r)],
  },
  {
    name: 'array of arrays',
    src: `export function mat(m: number[][], v: number[]): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) { const row = m[i]; for (let j = 0; j < row.length; j++) s += row[j] * v[j]; }
  return s * s; }`,
    args: (r) => [[vec(3)(r), vec(3)(r)], vec(3)(r)],
  },
  {
    name: 'Float64Array',
    src: `export function f64(xs: Float64Array): number {
  const out = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = Math.exp(xs[i]) * (i + 1);
  let s = 0; for (const v of out) s += v; return Math.log(s); }`,
    args: (r) => [Float64Array.from(vec(4)(r))],
  },
  {
    name: 'Float32Array (float32 storage: coarse step)',
    h: 1e-2,
    tol: 1e-3,
    src: `export function f32(xs: Float32Array, k: number): number {
  const out = new Float32Array(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = xs[i] * k;
  let s = 0; for (let i = 0; i < out.length; i++) s += out[i] * out[i]; return s; }`,
    args: (r) => [Float32Array.from(vec(3)(r)), u(r, 0.5, 2)],
  },
  {
    name: 'array return',
    src: `export function arrOut(a: number, b: number): number[] { return [a * b, Math.sin(a), 3]; }`,
    args: any2,
  },
  {
    name: 'objects: literal, read, write, nested',
    src: `export interface P { x: number; y: number }
export function obj(a: number, b: number): number {
  const p: P = { x: a, y: 2 };
  p.y = p.x * b;
  const q = { inner: { v: p.y }, w: [p.x, 1] };
  q.inner.v += a;
  return q.inner.v * q.w[0] + p.y; }`,
    args: any2,
  },
  {
    name: 'object parameter',
    src: `export function objParam(p: { x: number; y: number; label: string }): number { return p.x * p.y + Math.sin(p.x); }`,
    args: (r) => [{ x: u(r, -2, 2), y: u(r, -2, 2), label: 'a' }],
  },
  {
    name: 'tuples and destructuring',
    src: `export function tup(a: number, b: number): number {
  const t: [number, number] = [a * b, a + b];
  const [p, q] = t;
  const { x, y: z } = { x: p, y: q * 2 };
  return p * q + x * z; }`,
    args: any2,
  },
];

export const CALL_CASES: Case[] = [
  {
    name: 'calls between functions, recursion',
    src: `function sq(x: number): number { return x * x; }
function powi(x: number, n: number): number { return n === 0 ? 1 : x * powi(x, n - 1); }
export function calls(a: number, b: number): number { return sq(a) * powi(b, 3) + sq(2); }`,
    args: any2,
  },
  {
    name: 'tuple-returning callee',
    src: `function both(x: number): [number, number] { return [Math.sin(x), Math.cos(x)]; }
export function useTuple(a: number): number { const [s, c] = both(a); return s * c + both(a * 2)[0]; }`,
    args: (r) => [u(r, -2, 2)],
  },
  {
    name: 'callee mutating an array argument',
    src: `function fill(out: number[], v: number): void { for (let i = 0; i < out.length; i++) out[i] = v * i; }
export function mutates(a: number): number { const buf = [0, 0, 0]; fill(buf, a); return buf[1] * buf[2]; }`,
    args: (r) => [u(r, -2, 2)],
  },
  {
    name: 'const arrow function',
    src: `export const arrow = (a: number, b: number): number => Math.exp(a) * b;`,
    args: any2,
  },
  {
    name: 'inactive argument (zero tangent passed)',
    src: `function lin(x: number, k: number): number { return x * k; }
export function inact(a: number): number { return lin(a, 3) + lin(2, a); }`,
    args: (r) => [u(r, -2, 2)],
  },
  {
    name: 'string and boolean parameters',
    src: `export function mixed(a: number, mode: string, flag: boolean): number { return mode === 'sq' && flag ? a * a : a; }`,
    args: (r) => [u(r, -2, 2), 'sq', true],
  },
];

// local functions and closures: each gets a twin beside it inside the enclosing twin; captured active variables
// carry their tangents in (and out) by closure, as the primal's values do
export const CLOSURE_CASES: Case[] = [
  {
    name: 'local function declaration',
    src: `export function localDecl(a: number, b: number): number {
  function sq(x: number): number { return x * x; }
  return sq(a) * b + sq(b * 2); }`,
    args: any2,
  },
  {
    name: 'local arrow capturing an active value',
    src: `export function localArrow(a: number, b: number): number {
  const scaleB = (x: number) => x * b + Math.sin(a);
  return scaleB(a) + scaleB(3); }`,
    args: any2,
  },
  {
    name: 'closure without parameters',
    src: `export function noParams(a: number): number { const k = a * a; const g = () => Math.exp(k) * a; return g() * g(); }`,
    args: any2,
  },
  {
    name: 'closure writing a captured accumulator',
    src: `export function accum(a: number, b: number): number {
  let s = 0;
  const add = (v: number): void => { s += v * a; };
  add(b); add(2); add(a * b);
  return s * s; }`,
    args: any2,
  },
  {
    name: 'recursive local function',
    src: `export function localRec(a: number): number {
  function pw(x: number, n: number): number { return n === 0 ? 1 : x * pw(x, n - 1); }
  return pw(a, 4) + pw(Math.cos(a), 2); }`,
    args: any2,
  },
  {
    name: 'local function called before its declaration',
    src: `export function hoisted(a: number): number { return h(a) * 2; function h(t: number): number { return Math.tanh(t) * a; } }`,
    args: any2,
  },
  {
    name: 'nested local functions and a local function calling another',
    src: `export function nestedLocals(a: number, b: number): number {
  const inner = (t: number) => t * a;
  function outer(t: number): number { const twice = (u: number) => inner(u) * 2; return twice(t) + b; }
  return outer(b) * outer(1); }`,
    args: any2,
  },
  {
    name: 'local function expression and array argument',
    src: `export function localExpr(xs: number[], w: number): number {
  const dot = function (v: number[]): number { let s = 0; for (let i = 0; i < v.length; i++) s += v[i] * w; return s; };
  return dot(xs) * dot([1, w]); }`,
    args: (r) => [vec(3)(r), u(r, -2, 2)],
  },
];

// array higher-order methods: callbacks (literals, local and module functions) run through their twins
export const HOF_CASES: Case[] = [
  {
    name: 'map then reduce (functional dot product)',
    src: `export function mapReduce(xs: number[], w: number): number {
  return xs.map((x) => x * w).reduce((a, b) => a + b, 0); }`,
    args: (r) => [vec(4)(r), u(r, -2, 2)],
  },
  {
    name: 'map with index and a module function',
    src: `function sq(v: number): number { return v * v; }
export function mapIdx(xs: number[], w: number): number { const ys = xs.map((x, i) => x * i + w); const zs = ys.map(sq); return zs[1] + zs[2] * ys[3]; }`,
    args: (r) => [vec(4)(r), u(r, -2, 2)],
  },
  {
    name: 'forEach writing a captured accumulator',
    src: `export function forEachAcc(xs: number[], w: number): number {
  let s = 0; xs.forEach((x, i) => { s += Math.sin(x * w) * (i + 1); }); return s * w; }`,
    args: (r) => [vec(4)(r), u(r, -2, 2)],
  },
  {
    name: 'reduce without an initial value, reduceRight',
    src: `export function reduces(xs: number[]): number {
  return xs.reduce((a, b) => a * b) + xs.reduceRight((a, b) => a * 0.5 + Math.exp(b), 1) + xs.reduceRight((a, b) => a - b); }`,
    args: (r) => [vec(4)(r)],
  },
  {
    name: 'reduce into an object accumulator',
    src: `interface Acc { s: number; q: number }
export function reduceObj(xs: number[], w: number): number {
  const r = xs.reduce((acc: Acc, x) => ({ s: acc.s + x, q: acc.q + x * x * w }), { s: 0, q: 0 });
  return r.s * r.q; }`,
    args: (r) => [vec(3)(r), u(r, -2, 2)],
  },
  {
    name: 'filter, find, some, every, findIndex',
    src: `export function preds(xs: number[], w: number): number {
  const pos = xs.filter((x) => x > 0);
  const k = xs.findIndex((x) => x < 0);
  const first = xs.find((x) => x * w > 0.1) ?? w;
  const last = xs.find((x) => x < 0.5) ?? 1;
  const flag = xs.some((x) => x > w) && xs.every((x) => x > -5);
  let s = 0; for (const p of pos) s += p * p * w;
  return s + first * last + (flag ? w : 0) + k; }`,
    args: (r) => [vec(5)(r), u(r, -1, 1)],
  },
  {
    name: 'flatMap',
    src: `export function flat(xs: number[], w: number): number {
  const ys = xs.flatMap((x) => (x > 0 ? [x, x * w] : [x * x]));
  const zs = xs.flatMap((x) => x * w);
  let s = 0; for (let i = 0; i < ys.length; i++) s += ys[i] * (i + 1);
  return s + zs[0] * zs[1]; }`,
    args: (r) => [vec(4)(r), u(r, -2, 2)],
  },
  {
    name: 'Array.from: copy, length and map',
    src: `export function froms(xs: number[], w: number): number {
  const c = Array.from(xs); c[0] = w * w;
  const g = Array.from({ length: 4 }, (_, i) => Math.cos(i * w));
  const h = Array.from(xs, (x, i) => x * g[i]);
  return c[0] + c[1] * xs[0] + h[2] + h[3] * g[1]; }`,
    args: (r) => [vec(4)(r), u(r, -2, 2)],
  },
  {
    name: 'new Array(n).fill(x) and Float64Array.from',
    src: `export function fills(x: number, t: Float64Array): number {
  const a: number[] = new Array(3).fill(x * x);
  a[1] = a[0] * x;
  const b = Float64Array.from(t);
  b[0] *= x;
  return a[0] + a[1] + a[2] * b[0] + b[1]; }`,
    args: (r) => [u(r, -2, 2), Float64Array.from(vec(3)(r))],
  },
  {
    name: 'map and filter on Float64Array',
    src: `export function typedHof(t: Float64Array, w: number): number {
  const u = t.map((x) => Math.exp(x * w));
  const v = u.filter((x) => x > 1);
  let s = 0; for (const x of v) s += x;
  return s + u[0] * t.reduce((a, b) => a + b * b, 0); }`,
    args: (r) => [Float64Array.from(vec(4)(r)), u(r, -1, 1)],
  },
  {
    name: 'callbacks capturing a local function and an inactive array of weights',
    src: `export function capt(xs: number[], w: number): number {
  const ks = [1, 2, 3, 4];
  const act = (v: number) => Math.tanh(v * w);
  return ks.map((k, i) => act(xs[i] * k)).reduce((a, b) => a + b * b, 0); }`,
    args: (r) => [vec(4)(r), u(r, -2, 2)],
  },
];

// copying, shrinking and reordering arrays: the tangent array gets the same operation (a sort's permutation too)
export const COPY_CASES: Case[] = [
  {
    name: 'slice, concat, at',
    src: `export function copies(xs: number[], a: number): number {
  const s = xs.slice(1); const c = xs.concat([a * a], a, s);
  return s[0] * s[1] + c[4] * c[5] + (xs.at(-1) ?? 0) * c[c.length - 1]; }`,
    args: (r) => [vec(4)(r), u(r, -2, 2)],
  },
  {
    name: 'pop, shift, unshift, splice',
    src: `export function shrink(xs: number[], a: number): number {
  const last = xs.pop()!; xs.shift(); xs.unshift(a * a, last);
  const removed = xs.splice(1, 2, a, Math.sin(a));
  return xs[0] * xs[1] + xs[2] * removed[0] + removed[1] * last + xs.length; }`,
    args: (r) => [vec(5)(r), u(r, -2, 2)],
  },
  {
    name: 'reverse, fill, length = n',
    src: `export function reorder(xs: number[], a: number): number {
  const r = xs.reverse(); r[0] *= a;
  xs.fill(a * 2, 2, 3);
  xs.length = 3;
  xs.push(a);
  return xs[0] * xs[1] + xs[2] * xs[3] + r.length; }`,
    args: (r) => [vec(5)(r), u(r, -2, 2)],
  },
  {
    name: 'sort with a comparator (the tangent follows the permutation)',
    src: `export function sorted(xs: number[], a: number): number {
  const ys = xs.map((x) => x * a);
  ys.sort((p, q) => p - q);
  return ys[0] * 3 + ys[1] * ys[2] + ys[3] * 0.5; }`,
    args: (r) => [vec(4)(r), u(r, 0.5, 2)],
  },
  {
    name: 'typed arrays: set, subarray views, fill',
    src: `export function typed(xs: Float64Array, a: number): number {
  const t = new Float64Array(5); t.set(xs, 1); t.fill(a, 0, 1);
  const v = t.subarray(2); v[0] = v[0] * a;
  return t[0] * t[1] + t[2] * t[3] + v[2]; }`,
    args: (r) => [Float64Array.from(vec(3)(r)), u(r, -2, 2)],
  },
  {
    name: 'spread in array literals and Math.max/min',
    src: `export function spreads(xs: number[], a: number): number {
  const ys = [...xs, a * a, ...[1, 2]];
  const zs = [a, ...ys];
  return Math.max(...xs) * Math.min(...ys) + zs[1] * zs[zs.length - 3] + ys[ys.length - 1]; }`,
    args: (r) => [vec(3)(r), u(r, -2, 2)],
  },
  {
    name: 'spread tuple arguments',
    src: `function g(x: number, y: number, k: number): number { return x * Math.exp(y) + k; }
export function spreadArgs(a: number, b: number): number { const args: [number, number, number] = [a, b * b, 2]; return g(...args) * g(...([b, a, 1] as [number, number, number])); }`,
    args: any2,
  },
];

// logical operators pick an operand: the tangent follows the one picked; optional values, defaults, destructuring
export const LOGIC_CASES: Case[] = [
  {
    name: '?? || && on active numbers',
    src: `export function logical(a: number, b: number): number {
  const m: number | undefined = a > 0 ? a * b : undefined;
  const x = m ?? b * 3;
  const y = (a > 1 ? 0 : a * a) || Math.sin(b);
  const z = (b > 0 ? b * a : 0) && a + b;
  return x * y + z; }`,
    args: any2,
  },
  {
    name: 'optional chaining and non-null assertion',
    src: `interface N { v?: { w: number } }
export function optional(o: N, a: number): number { return (o.v?.w ?? 1) * a + o.v!.w * a; }`,
    args: (r) => [{ v: { w: u(r, -2, 2) } }, u(r, -2, 2)],
  },
];

// assignments and declarations in every position
export const BINDING_CASES: Case[] = [
  {
    name: 'destructuring assignment (swap, nested, object)',
    src: `export function destr(a: number, b: number): number {
  let x = a; let y = b * b; let z = 0;
  [x, y] = [y, x * a];
  const o = { p: a * b, q: [Math.sin(a), b] as [number, number] };
  let w = 0;
  ({ p: z, q: [w] } = o);
  const v = [0, 0];
  [v[1], v[0]] = [z, w * w];
  return x * y + z * w + v[0] * v[1]; }`,
    args: any2,
  },
  {
    name: 'active values declared in a for header',
    src: `export function forHead(a: number, n: number): number {
  let t = 0;
  for (let s = a, i = 0; i < 4; i++) { s = s * a + i; t += s; }
  return t + n; }`,
    args: any2,
  },
  {
    name: 'defaults computed from other parameters',
    src: `function g(x: number, y: number = x * 2, z: number = Math.exp(y)): number { return x * y + z; }
export function defaults(a: number, b: number): number { return g(a) + g(a, b) + g(b, a, a * b); }`,
    args: any2,
  },
  {
    name: 'number | undefined parameters',
    src: `function h(x: number, scale: number | undefined): number { return x * (scale ?? x); }
export function maybe(a: number, b: number): number { return h(a, undefined) + h(a, b) + h(b, a > 0 ? undefined : a); }`,
    args: any2,
  },
];

export const ALL_CASES: Case[] = [
  ...MATH_CASES,
  ...OPERATOR_CASES,
  ...CONTROL_CASES,
  ...DATA_CASES,
  ...CALL_CASES,
  ...CLOSURE_CASES,
  ...HOF_CASES,
  ...COPY_CASES,
  ...LOGIC_CASES,
  ...BINDING_CASES,
];

/** The exported function a case defines (the last `export function`/`export const` in its source). */
export function exportedName(c: Case): string {
  const names = [...c.src.matchAll(/export (?:function|const) (\w+)/g)].map((m) => m[1]);
  return names[names.length - 1];
}
