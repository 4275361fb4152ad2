// Building blocks for tangent expressions. `undefined` is a tangent known to be zero: every builder folds it
// away, so known-zero tangents never reach the emitted code.
import * as ts from 'typescript';

const f = ts.factory;
export type Tan = ts.Expression | undefined;

export function num(v: number): ts.Expression {
  return v < 0
    ? f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, f.createNumericLiteral(-v))
    : f.createNumericLiteral(v);
}
export const id = (name: string): ts.Identifier => f.createIdentifier(name);
export const isOne = (e: ts.Expression): boolean => ts.isNumericLiteral(e) && e.text === '1';

function bin(a: ts.Expression, op: ts.BinaryOperator, b: ts.Expression): ts.Expression {
  // the factory parenthesizes by precedence, except a unary left operand of `**`, which is a syntax error
  const left =
    op === ts.SyntaxKind.AsteriskAsteriskToken && ts.isPrefixUnaryExpression(a)
      ? f.createParenthesizedExpression(a)
      : a;
  return f.createBinaryExpression(left, op, b);
}

export function add(a: Tan, b: Tan): Tan {
  if (!a) return b;
  if (!b) return a;
  if (ts.isPrefixUnaryExpression(b) && b.operator === ts.SyntaxKind.MinusToken)
    return bin(a, ts.SyntaxKind.MinusToken, b.operand);
  return bin(a, ts.SyntaxKind.PlusToken, b);
}
export function sub(a: Tan, b: Tan): Tan {
  if (!b) return a;
  if (!a) return neg(b);
  return bin(a, ts.SyntaxKind.MinusToken, b);
}
export function neg(a: Tan): Tan {
  if (!a) return undefined;
  if (ts.isPrefixUnaryExpression(a) && a.operator === ts.SyntaxKind.MinusToken) return a.operand;
  return f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, a);
}
/** coefficient × tangent (zero when the tangent is). */
export function scale(c: ts.Expression, t: Tan): Tan {
  if (!t) return undefined;
  if (isOne(c)) return t;
  return bin(c, ts.SyntaxKind.AsteriskToken, t);
}
/** tangent ÷ primal divisor. */
export function over(t: Tan, d: ts.Expression): Tan {
  if (!t) return undefined;
  if (isOne(d)) return t;
  return bin(t, ts.SyntaxKind.SlashToken, d);
}
/** Sum of several tangents. */
export function sum(ts_: Tan[]): Tan {
  return ts_.reduce<Tan>((acc, t) => add(acc, t), undefined);
}

// Primal arithmetic for rule templates.
export const mul = (a: ts.Expression, b: ts.Expression): ts.Expression =>
  isOne(a) ? b : isOne(b) ? a : bin(a, ts.SyntaxKind.AsteriskToken, b);
export const div = (a: ts.Expression, b: ts.Expression): ts.Expression => bin(a, ts.SyntaxKind.SlashToken, b);
export const plus = (a: ts.Expression, b: ts.Expression): ts.Expression => bin(a, ts.SyntaxKind.PlusToken, b);
export const minus = (a: ts.Expression, b: ts.Expression): ts.Expression => bin(a, ts.SyntaxKind.MinusToken, b);
export const pow = (a: ts.Expression, b: ts.Expression): ts.Expression =>
  bin(a, ts.SyntaxKind.AsteriskAsteriskToken, b);
export const negate = (a: ts.Expression): ts.Expression => f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, a);
export const math = (name: string, ...args: ts.Expression[]): ts.Expression =>
  f.createCallExpression(f.createPropertyAccessExpression(id('Math'), name), undefined, args);
export const cond = (c: ts.Expression, a: ts.Expression, b: ts.Expression): ts.Expression =>
  f.createConditionalExpression(
    c,
    f.createToken(ts.SyntaxKind.QuestionToken),
    a,
    f.createToken(ts.SyntaxKind.ColonToken),
    b,
  );
export const cmp = (a: ts.Expression, op: ts.BinaryOperator, b: ts.Expression): ts.Expression => bin(a, op, b);

/** Cheap to evaluate twice: names, literals, and element/property reads of them. */
export function isCheap(e: ts.Expression): boolean {
  if (ts.isIdentifier(e) || ts.isLiteralExpression(e) || e.kind === ts.SyntaxKind.ThisKeyword) return true;
  if (ts.isPrefixUnaryExpression(e)) return e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand);
  if (ts.isParenthesizedExpression(e)) return isCheap(e.expression);
  if (ts.isPropertyAccessExpression(e)) return isCheap(e.expression);
  if (ts.isElementAccessExpression(e)) return isCheap(e.expression) && isCheap(e.argumentExpression);
  return false;
}

/** Structural equality of cheap expressions (so `a[i] * a[i]` is recognised as a square). */
export function sameCheap(a: ts.Expression, b: ts.Expression): boolean {
  if (!isCheap(a) || !isCheap(b) || a.kind !== b.kind) return false;
  if (ts.isIdentifier(a)) return a.text === (b as ts.Identifier).text;
  if (ts.isNumericLiteral(a)) return a.text === (b as ts.NumericLiteral).text;
  if (a.kind === ts.SyntaxKind.ThisKeyword) return true;
  if (ts.isPropertyAccessExpression(a)) {
    const q = b as ts.PropertyAccessExpression;
    return a.name.text === q.name.text && sameCheap(a.expression, q.expression);
  }
  if (ts.isElementAccessExpression(a)) {
    const q = b as ts.ElementAccessExpression;
    return sameCheap(a.argumentExpression, q.argumentExpression) && sameCheap(a.expression, q.expression);
  }
  if (ts.isParenthesizedExpression(a)) return sameCheap(a.expression, (b as ts.ParenthesizedExpression).expression);
  return false;
}
