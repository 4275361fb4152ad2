// JVP rules for scalar operators and Math.*, one tiny template per rule (JAX defjvp style).
// A rule sees its arguments as `Arg`s (primal atom on demand, tangent or undefined = zero) and the output
// `y()` (hoisted on demand) and returns the output tangent.
// Conventions at non-smooth points: abs'(0) = 0 (via Math.sign), hypot'(0…) = 0, d/db 0^b = 0, min/max ties follow the FIRST argument,
// sign/floor/ceil/round/trunc (and bitwise ops) have derivative 0.
import * as ts from 'typescript';
import {
  Tan,
  sameCheap,
  add,
  cmp,
  cond,
  div,
  isOne,
  math,
  minus,
  mul,
  negate,
  num,
  over,
  plus,
  pow,
  scale,
  sub,
  sum,
} from '../algebra';

/** An operand: `p()` its value (hoisted on first use), `t` its tangent for presence tests, `d()` the tangent to use. */
export interface Arg {
  readonly p: () => ts.Expression;
  readonly t: Tan;
  readonly d: () => Tan;
}
/** `outputOnly`: the tangent uses the output but never the arguments' values (exp, tanh, sqrt, …). */
export type Rule = ((args: readonly Arg[], y: () => ts.Expression) => Tan) & { outputOnly?: boolean };

const outputOnly = (r: Rule): Rule => Object.assign(r, { outputOnly: true });

/** d/dx f(x) · dx for a one-argument function, given f'(x) as a template. */
const d1 =
  (deriv: (x: () => ts.Expression, y: () => ts.Expression) => ts.Expression): Rule =>
  ([x], y) =>
    x.t ? scale(deriv(x.p, y), x.d()) : undefined;
/** dx / g(x) — rules whose derivative is a reciprocal read better as a division. */
const per =
  (den: (x: () => ts.Expression, y: () => ts.Expression) => ts.Expression): Rule =>
  ([x], y) =>
    x.t ? over(x.d(), den(x.p, y)) : undefined;

const LN2 = (): ts.Expression => ts.factory.createPropertyAccessExpression(ts.factory.createIdentifier('Math'), 'LN2');
const LN10 = (): ts.Expression =>
  ts.factory.createPropertyAccessExpression(ts.factory.createIdentifier('Math'), 'LN10');
const sq = (x: ts.Expression): ts.Expression => mul(x, x);

/** a ** b, also used by Math.pow. A literal exponent n gives n·a^(n−1)·da (2·a·da for squares). */
const powRule: Rule = ([a, b], y) => {
  const exponent = b.p();
  let da: Tan;
  if (a.t) {
    if (ts.isNumericLiteral(exponent) && !b.t) {
      const n = Number(exponent.text);
      // a ** 0 is constant: no 0·a^(−1) term (NaN at a = 0)
      if (n !== 0) da = scale(n === 2 ? mul(num(2), a.p()) : mul(exponent, pow(a.p(), num(n - 1))), a.d());
    } else {
      da = scale(mul(exponent, pow(a.p(), minus(exponent, num(1)))), a.d());
    }
  }
  // d/db a^b = a^b·ln a; where a^b = 0 (a = 0, b > 0) the limit is 0, not 0·(−∞) = NaN
  const db = b.t
    ? cond(cmp(y(), ts.SyntaxKind.EqualsEqualsEqualsToken, num(0)), num(0), scale(mul(y(), math('log', a.p())), b.d())!)
    : undefined;
  return add(da, db);
};

/** Selects the tangent of the first argument equal to the result: min/max ties go to the first argument. */
const select: Rule = (args, y) => {
  if (args.every((a) => !a.t)) return undefined;
  const zero = num(0);
  let out: ts.Expression = args[args.length - 1].d() ?? zero;
  for (let i = args.length - 2; i >= 0; i--)
    out = cond(cmp(args[i].p(), ts.SyntaxKind.EqualsEqualsEqualsToken, y()), args[i].d() ?? zero, out);
  return out;
};

/** Math functions with derivative zero almost everywhere: their calls are inactive. */
export const ZERO_DERIVATIVE_MATH = new Set(['sign', 'floor', 'ceil', 'round', 'trunc', 'random', 'clz32', 'imul']);

// prettier-ignore
export const MATH_RULES: Readonly<Record<string, Rule>> = {
  sin: d1((x) => math('cos', x())),
  cos: d1((x) => negate(math('sin', x()))),
  tan: outputOnly(d1((_x, y) => plus(num(1), sq(y())))),
  asin: per((x) => math('sqrt', minus(num(1), sq(x())))),
  acos: ([x]) => (x.t ? negate(over(x.d(), math('sqrt', minus(num(1), sq(x.p()))))!) : undefined),
  atan: per((x) => plus(num(1), sq(x()))),
  sinh: d1((x) => math('cosh', x())),
  cosh: d1((x) => math('sinh', x())),
  tanh: outputOnly(d1((_x, y) => minus(num(1), sq(y())))),
  asinh: per((x) => math('sqrt', plus(sq(x()), num(1)))),
  acosh: per((x) => math('sqrt', minus(sq(x()), num(1)))),
  atanh: per((x) => minus(num(1), sq(x()))),
  exp: outputOnly(d1((_x, y) => y())),
  expm1: outputOnly(d1((_x, y) => plus(y(), num(1)))),
  log: per((x) => x()),
  log1p: per((x) => plus(num(1), x())),
  log2: per((x) => mul(x(), LN2())),
  log10: per((x) => mul(x(), LN10())),
  sqrt: outputOnly(per((_x, y) => mul(num(2), y()))),
  cbrt: outputOnly(per((_x, y) => mul(num(3), sq(y())))),
  abs: d1((x) => math('sign', x())),
  fround: ([x]) => x.d(),
  pow: powRule,
  atan2: ([a, b]) => {
    // d atan2(a, b) = (b·da − a·db) / (a² + b²)
    if (!a.t && !b.t) return undefined;
    const num_ = sub(scale(b.p(), a.d()), scale(a.p(), b.d()))!;
    return div(num_, plus(sq(a.p()), sq(b.p())));
  },
  hypot: (args, y) => {
    // d hypot(x…) = Σ xᵢ·dxᵢ / hypot(x…)
    const s = sum(args.map((a) => (a.t ? scale(a.p(), a.d()) : undefined)));
    // at the origin every direction has slope ≥ 0; take 0 like abs'(0) = 0 (not 0/0 = NaN)
    return s ? cond(cmp(y(), ts.SyntaxKind.EqualsEqualsEqualsToken, num(0)), num(0), div(s, y())) : undefined;
  },
  min: select,
  max: select,
};

/** Arithmetic binary operators. */
// prettier-ignore
export const BINARY_RULES: Readonly<Partial<Record<ts.BinaryOperator, Rule>>> = {
  [ts.SyntaxKind.PlusToken]: ([a, b]) => add(a.d(), b.d()),
  [ts.SyntaxKind.MinusToken]: ([a, b]) => sub(a.d(), b.d()),
  [ts.SyntaxKind.AsteriskToken]: ([a, b]) => {
    if (a.t && b.t && sameCheap(a.p(), b.p())) return scale(mul(num(2), a.p()), a.d()); // x * x
    return add(a.t ? scale(b.p(), a.d()) : undefined, b.t ? scale(a.p(), b.d()) : undefined);
  },
  // d(a/b) = (da − y·db) / b
  [ts.SyntaxKind.SlashToken]: ([a, b], y) => (b.t ? over(sub(a.d(), scale(y(), b.d())), b.p()) : over(a.d(), b.p())),
  [ts.SyntaxKind.AsteriskAsteriskToken]: powRule,
  // a % b = a − trunc(a/b)·b, so d = da − trunc(a/b)·db
  [ts.SyntaxKind.PercentToken]: ([a, b]) => sub(a.d(), b.t ? scale(math('trunc', div(a.p(), b.p())), b.d()) : undefined),
};

/** Compound assignment operator → its binary operator. */
export const COMPOUND_TO_BINARY: Readonly<Partial<Record<ts.SyntaxKind, ts.BinaryOperator>>> = {
  [ts.SyntaxKind.PlusEqualsToken]: ts.SyntaxKind.PlusToken,
  [ts.SyntaxKind.MinusEqualsToken]: ts.SyntaxKind.MinusToken,
  [ts.SyntaxKind.AsteriskEqualsToken]: ts.SyntaxKind.AsteriskToken,
  [ts.SyntaxKind.SlashEqualsToken]: ts.SyntaxKind.SlashToken,
  [ts.SyntaxKind.AsteriskAsteriskEqualsToken]: ts.SyntaxKind.AsteriskAsteriskToken,
  [ts.SyntaxKind.PercentEqualsToken]: ts.SyntaxKind.PercentToken,
};

/** Operators whose result has derivative zero (bitwise: integer results). */
export const ZERO_DERIVATIVE_BINARY = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.BarToken,
  ts.SyntaxKind.AmpersandToken,
  ts.SyntaxKind.CaretToken,
  ts.SyntaxKind.LessThanLessThanToken,
  ts.SyntaxKind.GreaterThanGreaterThanToken,
  ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken,
]);

void isOne;
