// The twin of one function: `f_jvp(p1, dp1, p2, …): [value, tangent]`, a sibling of `f` (never a rename),
// and its registration `registerJvp(f, f_jvp, { name, tangentSlots })`.
import * as ts from 'typescript';
import { Activity } from '../activity';
import { TwinInfo } from '../callgraph';
import { FileContext } from './context';
import { StatementEmitter } from './statements';
import { id } from '../algebra';

const f = ts.factory;

/** Parameters with their tangent slots interleaved, and the body emitted by the statement emitter. */
function twinParts(
  info: TwinInfo,
  ctx: FileContext,
): { params: ts.ParameterDeclaration[]; body: ts.Block; type?: ts.TypeNode } {
  const fn = info.fn as ts.FunctionLikeDeclaration;
  const activity = new Activity(fn, ctx.checker, ctx.tensorRules);
  return new StatementEmitter(ctx, activity, ctx.scope.child(), info).twinSignature(fn);
}

export function registration(
  ctx: FileContext,
  info: TwinInfo,
  original: ts.Expression,
  twin: ts.Expression,
): ts.Statement {
  const meta = f.createObjectLiteralExpression([
    f.createPropertyAssignment('name', f.createStringLiteral(info.name)),
    f.createPropertyAssignment(
      'tangentSlots',
      f.createArrayLiteralExpression(info.tangentSlots.map((s) => (s ? f.createTrue() : f.createFalse()))),
    ),
  ]);
  return f.createExpressionStatement(
    f.createCallExpression(ctx.runtime('registerJvp'), undefined, [original, twin, meta]),
  );
}

/** Source-map the twin to its original, without copying the original's comments (the annotation). */
function quiet<T extends ts.Node>(node: T, original: ts.Node): T {
  ts.setSourceMapRange(node, original);
  ts.setCommentRange(node, { pos: -1, end: -1 });
  return node;
}

const exportMods = (exported: boolean): ts.ModifierLike[] | undefined =>
  exported ? [f.createModifier(ts.SyntaxKind.ExportKeyword)] : undefined;

/** Statements replacing a top-level function declaration: the original, its twin, the registration. */
export function functionTwin(ctx: FileContext, info: TwinInfo, fn: ts.FunctionDeclaration): ts.Statement[] {
  const { params, body, type } = twinParts(info, ctx);
  const twin = f.createFunctionDeclaration(
    exportMods(info.exported),
    undefined,
    info.twin,
    fn.typeParameters,
    params,
    type,
    body,
  );
  return [fn, quiet(twin, fn), registration(ctx, info, id(info.name), id(info.twin))];
}

/** `const f_jvp = (x, dx) => {…}` after `const f = (x) => …`. */
export function variableTwin(
  ctx: FileContext,
  info: TwinInfo,
  fn: ts.ArrowFunction | ts.FunctionExpression,
): ts.Statement[] {
  const { params, body, type } = twinParts(info, ctx);
  const lit = ts.isArrowFunction(fn)
    ? f.createArrowFunction(
        undefined,
        fn.typeParameters,
        params,
        type,
        f.createToken(ts.SyntaxKind.EqualsGreaterThanToken),
        body,
      )
    : f.createFunctionExpression(undefined, undefined, undefined, fn.typeParameters, params, type, body);
  ts.setSourceMapRange(lit, fn);
  const decl = f.createVariableStatement(
    exportMods(info.exported),
    f.createVariableDeclarationList(
      [f.createVariableDeclaration(info.twin, undefined, undefined, lit)],
      ts.NodeFlags.Const,
    ),
  );
  return [quiet(decl, fn), registration(ctx, info, id(info.name), id(info.twin))];
}

/** The sibling method `m_jvp` (same static-ness), and its registration on the class or its prototype. */
export function methodTwin(
  ctx: FileContext,
  info: TwinInfo,
  m: ts.MethodDeclaration,
  className: string,
): { member: ts.ClassElement; register: ts.Statement } {
  const parts = twinParts(info, ctx);
  const isStatic = !!ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
  const mods = isStatic ? [f.createModifier(ts.SyntaxKind.StaticKeyword)] : undefined;
  const holder = isStatic ? id(className) : f.createPropertyAccessExpression(id(className), 'prototype');
  // obj.m_jvp(…) may reach this twin while obj.m is another method: an override without its own twin (a subclass the
  // transform never saw, a patched method) must not borrow it. `super.m_jvp` from an override with a twin is fine.
  const member_ = (o: ts.Expression, name: string) => f.createPropertyAccessExpression(o, name);
  const guard = f.createIfStatement(
    f.createLogicalAnd(
      f.createLogicalAnd(
        f.createBinaryExpression(f.createThis(), ts.SyntaxKind.ExclamationEqualsToken, f.createNull()),
        f.createBinaryExpression(
          member_(f.createThis(), info.name),
          ts.SyntaxKind.ExclamationEqualsEqualsToken,
          member_(holder, info.name),
        ),
      ),
      f.createBinaryExpression(
        member_(f.createThis(), info.twin),
        ts.SyntaxKind.EqualsEqualsEqualsToken,
        member_(holder, info.twin),
      ),
    ),
    f.createThrowStatement(
      f.createNewExpression(id('Error'), undefined, [
        f.createStringLiteral(
          `forwardgrad: ${className}.${info.name} is overridden here by a method without a derivative; differentiate the override too (annotate it or call it from annotated code)`,
        ),
      ]),
    ),
  );
  const body = f.createBlock([guard, ...parts.body.statements], true);
  const member = quiet(
    f.createMethodDeclaration(mods, undefined, info.twin, undefined, m.typeParameters, parts.params, parts.type, body),
    m,
  );
  const register = registration(
    ctx,
    info,
    f.createPropertyAccessExpression(holder, info.name),
    f.createPropertyAccessExpression(holder, info.twin),
  );
  return { member, register };
}

/** `fg.withTwin(<literal>, <twin literal>, meta)`: a function literal passed to jvp/forwardGradient, registered inline. */
export function literalTwin(
  ctx: FileContext,
  info: TwinInfo,
  fn: ts.ArrowFunction | ts.FunctionExpression,
  original: ts.Expression,
): ts.Expression {
  const { params, body, type } = twinParts(info, ctx);
  const lit = ts.isArrowFunction(fn)
    ? f.createArrowFunction(
        undefined,
        fn.typeParameters,
        params,
        type,
        f.createToken(ts.SyntaxKind.EqualsGreaterThanToken),
        body,
      )
    : f.createFunctionExpression(undefined, undefined, undefined, fn.typeParameters, params, type, body);
  ts.setSourceMapRange(lit, fn);
  const reg = registration(ctx, info, original, lit) as ts.ExpressionStatement;
  const call = reg.expression as ts.CallExpression;
  return f.createCallExpression(ctx.runtime('withTwin'), undefined, call.arguments);
}
