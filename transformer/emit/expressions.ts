// Lowering of active expressions to (primal, tangent) pairs. Subexpressions a tangent needs again are
// hoisted into `const` temporaries (and their tangents beside them), so nothing is computed twice; inactive
// expressions are kept exactly as written. `switch (node.kind)` → `lowerX`.
import * as ts from 'typescript';
import { Activity, isMathCall, unparen } from '../activity';
import { Tan, id, isCheap, num } from '../algebra';
export { isCheap, sameCheap } from '../algebra';
import { TwinInfo, resolveCallee } from '../callgraph';
import { CODES, ForwardGradError, fail, snippet } from '../diagnostics';
import { NameScope } from '../naming';
import { arrayMethod, isArrayFrom } from '../rules/arrays';
import { refuse } from '../rules/unsupported';
import { Arg, BINARY_RULES, MATH_RULES, Rule } from '../rules/scalar';
import { isInactiveProperty } from '../rules/tensor';
import { DiffKind, diffKind, isNeverNumeric } from '../types';
import { countWork } from '../work';
import { FileContext } from './context';
import { Releases } from './release';

const f = ts.factory;

export interface Dual {
  readonly p: ts.Expression;
  readonly t: Tan;
}

function unsupportedArrayMethod(e: ts.CallExpression, method: string): never {
  return refuse(e, 'arrayMethod', method);
}

/** A readable base name for a temporary holding `e`. */
export function hintFor(e: ts.Node | undefined): string {
  if (!e) return 't';
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isParenthesizedExpression(e)) return hintFor(e.expression);
  if (ts.isCallExpression(e)) {
    const c = e.expression;
    const name = ts.isIdentifier(c) ? c.text : ts.isPropertyAccessExpression(c) ? c.name.text : 'call';
    const a = e.arguments[0];
    return a && ts.isIdentifier(a) && e.arguments.length === 1 ? `${name}_${a.text}` : name;
  }
  if (ts.isElementAccessExpression(e)) {
    const i = e.argumentExpression;
    return `${hintFor(e.expression)}_${ts.isIdentifier(i) || ts.isNumericLiteral(i) ? i.text : 'i'}`;
  }
  if (ts.isPropertyAccessExpression(e)) return `${hintFor(e.expression)}_${e.name.text}`;
  return 't';
}

export abstract class ExpressionLowering {
  /** Statements of the block being emitted; temporaries go here, before the statement that needs them. */
  protected out: ts.Statement[] = [];
  /** Tangent names per symbol and the twins of local functions: shared with the emitters of local twins (closures see both). */
  protected readonly tangents: Map<ts.Symbol, string>;
  protected readonly locals: Map<ts.Node, TwinInfo>;

  constructor(
    readonly ctx: FileContext,
    readonly activity: Activity,
    readonly names: NameScope,
    readonly info: TwinInfo,
    shared?: { tangents: Map<ts.Symbol, string>; locals: Map<ts.Node, TwinInfo> },
  ) {
    this.tangents = shared?.tangents ?? new Map();
    this.locals = shared?.locals ?? new Map();
  }

  protected get checker(): ts.TypeChecker {
    return this.ctx.checker;
  }
  protected kindOf(node: ts.Node): DiffKind {
    let k = this.kinds.get(node);
    if (k === undefined) {
      k = this.kindNow(node);
      this.kinds.set(node, k);
    }
    return k;
  }

  // Issue 10 (build time linear in an expression's size): the checker re-checks a whole subexpression to type it, so
  // asking at every level of nested `c ? … : …` was quadratic. Memoised per node; a conditional whose branches have
  // one differentiable kind has that kind (its type is their union), otherwise the checker decides.
  private readonly kinds = new Map<ts.Node, DiffKind>();
  private kindNow(node: ts.Node): DiffKind {
    countWork();
    if (ts.isParenthesizedExpression(node)) return this.kindOf(node.expression);
    if (ts.isConditionalExpression(node)) {
      const k = this.kindOf(node.whenTrue);
      if (k !== 'none' && k === this.kindOf(node.whenFalse)) return k;
    }
    return diffKind(this.checker.getTypeAtLocation(node), this.checker);
  }

  /** The tangent variable of an active variable (named once per symbol). */
  tangentOf(node: ts.Node): ts.Identifier {
    const sym = this.activity.symbolOf(node);
    if (!sym)
      throw new ForwardGradError(
        node,
        `no symbol for '${snippet(node)}'`,
        'report this as a forwardgrad bug',
        CODES.internal,
      );
    let name = this.tangents.get(sym);
    if (!name) {
      name = this.names.freshTangent(sym.name);
      this.tangents.set(sym, name);
    }
    return id(name);
  }

  /** Frees dead tensors of this twin (emit/release.ts): op temporaries once consumed, reassigned owned variables. */
  private releases?: Releases;
  protected get release(): Releases {
    return (this.releases ??= new Releases(
      this.ctx,
      this.activity,
      this.info.fn,
      (c) => !!this.runtimeOp(c),
      (hint) => this.names.fresh(hint),
      (n) => this.tangentOf(n),
      this.ctx.releaseDead,
    ));
  }

  protected emit(...s: ts.Statement[]): void {
    this.out.push(...s);
  }

  protected constDecl(name: string | ts.BindingName, init: ts.Expression, flags = ts.NodeFlags.Const): ts.Statement {
    return f.createVariableStatement(
      undefined,
      f.createVariableDeclarationList([f.createVariableDeclaration(name, undefined, undefined, init)], flags),
    );
  }

  /** Hoists `e` into `const <hint> = e` unless it is cheap; returns what to use instead. */
  protected hoist(e: ts.Expression, hint: string): ts.Expression {
    if (isCheap(e)) return e;
    const name = this.names.fresh(hint);
    this.emit(this.constDecl(name, unparen(e)));
    return id(name);
  }

  /** A hoisted pair: `const v = p; const dv = t;` (the tangent line only when nonzero and wanted). */
  protected hoistDual(d: Dual, hint: string, withTangent = true): Dual {
    if (isCheap(d.p)) return d;
    const name = this.names.fresh(hint);
    this.emit(this.constDecl(name, unparen(d.p)));
    let t = d.t;
    if (withTangent && t && !isCheap(t)) {
      const dn = this.names.freshTangent(name);
      this.emit(this.constDecl(dn, unparen(t)));
      t = id(dn);
    }
    return { p: id(name), t };
  }

  /**
   * The declaration being lowered (`const k = <init>`): the output of its top expression is declared under
   * the user's own name instead of a temporary (`const k = Math.exp(a); const dk = k * da;`).
   */
  protected declTarget:
    | { node: ts.Node; name: ts.Identifier; tangent: () => ts.Identifier; flags: ts.NodeFlags; done?: boolean }
    | undefined;

  protected claimTarget(
    src: ts.Node,
  ): { name: ts.Identifier; tangent: () => ts.Identifier; flags: ts.NodeFlags } | undefined {
    const t = this.declTarget;
    if (!t || t.done || t.node !== src) return undefined;
    t.done = true;
    return t;
  }

  /** The zero tangent for a value of `kind`; `atom` is the (cheap) primal it mirrors. */
  protected zeroFor(kind: DiffKind, atom: () => ts.Expression): ts.Expression {
    if (kind === 'number') return num(0);
    if (kind === 'tensor' || kind === 'none') return id('undefined');
    return f.createCallExpression(this.ctx.runtime('zerosLike'), undefined, [atom()]);
  }

  /** Applies a rule: operands are hoisted only when the rule's tangent needs them again. */
  protected applyRule(
    rule: Rule,
    operands: readonly (Dual & { src?: ts.Node })[],
    src: ts.Node,
    build: (ps: ts.Expression[]) => ts.Expression,
  ): Dual {
    const state = operands.map((d) => ({ d, hoisted: undefined as Dual | undefined, tUsed: false }));
    const args: Arg[] = state.map((s) => ({
      // a tangent already used raw is not hoisted afterwards (no dead tangent lines)
      p: () => (s.hoisted ??= this.hoistDual(s.d, hintFor(s.d.src), !s.tUsed)).p,
      t: s.d.t,
      d: () => {
        if (!s.hoisted) s.tUsed = true;
        return (s.hoisted ?? s.d).t;
      },
    }));
    const value = (): ts.Expression[] => state.map((s) => (s.hoisted ?? s.d).p);
    let y: ts.Expression | undefined;
    const out = (): ts.Expression => {
      if (y) return y;
      // operands first, so the output reuses them instead of computing them again
      if (!rule.outputOnly)
        args.forEach((a, i) => {
          if (!state[i].hoisted && !isCheap(state[i].d.p)) a.p();
        });
      const target = this.claimTarget(src);
      if (!target) return (y = this.hoist(build(value()), hintFor(src)));
      this.emit(this.constDecl(target.name.text, build(value()), target.flags));
      return (y = target.name);
    };
    const t = rule(args, out);
    return { p: y ?? build(value()), t };
  }

  lower(e: ts.Expression): Dual & { src?: ts.Node } {
    countWork();
    if (!this.activity.carries(e)) return { p: e, t: undefined, src: e };
    return { ...this.lowerActive(e), src: e };
  }

  private lowerActive(e: ts.Expression): Dual {
    switch (e.kind) {
      case ts.SyntaxKind.Identifier:
        return { p: e, t: this.tangentOf(e) };
      case ts.SyntaxKind.ParenthesizedExpression: {
        const d = this.lower((e as ts.ParenthesizedExpression).expression);
        return { p: f.createParenthesizedExpression(d.p), t: d.t };
      }
      case ts.SyntaxKind.AsExpression:
      case ts.SyntaxKind.NonNullExpression:
      case ts.SyntaxKind.SatisfiesExpression:
      case ts.SyntaxKind.TypeAssertionExpression:
        return this.lower((e as ts.AsExpression).expression);
      case ts.SyntaxKind.PrefixUnaryExpression:
        return this.lowerPrefix(e as ts.PrefixUnaryExpression);
      case ts.SyntaxKind.BinaryExpression:
        return this.lowerBinary(e as ts.BinaryExpression);
      case ts.SyntaxKind.ConditionalExpression:
        return this.lowerConditional(e as ts.ConditionalExpression);
      case ts.SyntaxKind.CallExpression:
        return this.lowerCall(e as ts.CallExpression);
      case ts.SyntaxKind.ElementAccessExpression:
        return this.lowerElement(e as ts.ElementAccessExpression);
      case ts.SyntaxKind.PropertyAccessExpression:
        return this.lowerProperty(e as ts.PropertyAccessExpression);
      case ts.SyntaxKind.ArrayLiteralExpression:
        return this.lowerArray(e as ts.ArrayLiteralExpression);
      case ts.SyntaxKind.ObjectLiteralExpression:
        return this.lowerObject(e as ts.ObjectLiteralExpression);
      case ts.SyntaxKind.NewExpression:
        return this.lowerNew(e as ts.NewExpression);
      case ts.SyntaxKind.TemplateExpression:
        return this.lowerTemplate(e as ts.TemplateExpression);
      case ts.SyntaxKind.PostfixUnaryExpression:
        return refuse(e, 'incrementInExpression');
      default:
        return refuse(e, 'otherExpression', `${ts.SyntaxKind[e.kind]} '${snippet(e)}'`);
    }
  }

  /**
   * A template string is inactive: fine where text is only shown (console.*, an Error's message, a comparison), but
   * a number parsed back from a stored one would silently have derivative 0, so storing one is refused.
   */
  private lowerTemplate(e: ts.TemplateExpression): Dual {
    let n: ts.Node = e;
    while (
      ts.isParenthesizedExpression(n.parent) ||
      ts.isTemplateSpan(n.parent) ||
      ts.isTemplateExpression(n.parent) ||
      (ts.isBinaryExpression(n.parent) && n.parent.operatorToken.kind === ts.SyntaxKind.PlusToken)
    )
      n = n.parent;
    const p = n.parent;
    const shown =
      (ts.isCallExpression(p) && isConsoleCall(p)) ||
      (ts.isNewExpression(p) && ts.isIdentifier(p.expression) && /Error$/.test(p.expression.text)) ||
      (ts.isBinaryExpression(p) &&
        [
          ts.SyntaxKind.EqualsEqualsEqualsToken,
          ts.SyntaxKind.ExclamationEqualsEqualsToken,
          ts.SyntaxKind.EqualsEqualsToken,
          ts.SyntaxKind.ExclamationEqualsToken,
        ].includes(p.operatorToken.kind));
    if (!shown) {
      return refuse(e, 'storedTemplate');
    }
    return { p: e, t: undefined };
  }

  private lowerPrefix(e: ts.PrefixUnaryExpression): Dual {
    if (e.operator === ts.SyntaxKind.MinusToken || e.operator === ts.SyntaxKind.PlusToken) {
      const d = this.lower(e.operand);
      return {
        p: f.createPrefixUnaryExpression(e.operator, d.p),
        t:
          e.operator === ts.SyntaxKind.MinusToken
            ? d.t && f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, d.t)
            : d.t,
      };
    }
    return refuse(e, 'incrementInExpression');
  }

  private lowerBinary(e: ts.BinaryExpression): Dual {
    const op = e.operatorToken.kind;
    const rule = BINARY_RULES[op as ts.BinaryOperator];
    if (rule) {
      const a = this.lower(e.left);
      const b = this.lower(e.right);
      return this.applyRule(rule, [a, b], e, ([x, y]) => f.createBinaryExpression(x, op as ts.BinaryOperator, y));
    }
    if (
      op === ts.SyntaxKind.QuestionQuestionToken ||
      op === ts.SyntaxKind.BarBarToken ||
      op === ts.SyntaxKind.AmpersandAmpersandToken
    ) {
      return this.lowerLogical(e, op);
    }
    if (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment) {
      return refuse(e, 'assignmentInExpression');
    }
    return refuse(e, 'otherOperator', e.operatorToken.getText());
  }

  /**
   * `a ?? b`, `a || b`, `a && b`: the value and its tangent come from the operand the operator picks (the left one is
   * evaluated once, the right one only when picked), like `c ? a : b` with c = a != null, a, !a.
   */
  private lowerLogical(e: ts.BinaryExpression, op: ts.SyntaxKind): Dual {
    const left = this.hoistDual(this.lower(e.left), hintFor(e.left));
    const kind = this.kindOf(e);
    const cond =
      op === ts.SyntaxKind.QuestionQuestionToken
        ? f.createBinaryExpression(left.p, ts.SyntaxKind.ExclamationEqualsToken, f.createNull())
        : op === ts.SyntaxKind.BarBarToken
          ? left.p
          : f.createLogicalNot(left.p);
    return this.select(kind, this.hoist(cond, 'cond'), { d: left, stmts: [] }, this.branch(e.right));
  }

  private branch(x: ts.Expression): { d: Dual; stmts: ts.Statement[] } {
    const saved = this.out;
    this.out = [];
    const d = this.lower(x);
    const stmts = this.out;
    this.out = saved;
    return { d, stmts };
  }

  /** `c ? a : b`: branches stay lazy; when a branch needs temporaries it becomes an if/else. */
  private lowerConditional(e: ts.ConditionalExpression): Dual {
    const kind = this.kindOf(e);
    const a = this.branch(e.whenTrue);
    const b = this.branch(e.whenFalse);
    return this.select(kind, this.hoist(e.condition, 'cond'), a, b, e);
  }

  /** The value and tangent of the branch `c` picks. */
  private select(
    kind: DiffKind,
    c: ts.Expression,
    a: { d: Dual; stmts: ts.Statement[] },
    b: { d: Dual; stmts: ts.Statement[] },
    e?: ts.ConditionalExpression,
  ): Dual {
    if (!a.stmts.length && !b.stmts.length && kind === 'number') {
      const zero = num(0);
      const q = (x: ts.Expression, y: ts.Expression) =>
        f.createConditionalExpression(
          c,
          f.createToken(ts.SyntaxKind.QuestionToken),
          x,
          f.createToken(ts.SyntaxKind.ColonToken),
          y,
        );
      return { p: q(a.d.p, b.d.p), t: q(a.d.t ?? zero, b.d.t ?? zero) };
    }
    const v = this.names.fresh(e && hintFor(e.whenTrue) === hintFor(e.whenFalse) ? hintFor(e.whenTrue) : 'sel');
    const dv = this.names.freshTangent(v);
    const assign = (x: { d: Dual; stmts: ts.Statement[] }): ts.Block =>
      f.createBlock(
        [
          ...x.stmts,
          f.createExpressionStatement(f.createAssignment(id(v), x.d.p)),
          f.createExpressionStatement(f.createAssignment(id(dv), x.d.t ?? this.zeroFor(kind, () => id(v)))),
        ],
        true,
      );
    const type = kind === 'number' ? f.createKeywordTypeNode(ts.SyntaxKind.NumberKeyword) : undefined;
    this.emit(
      f.createVariableStatement(
        undefined,
        f.createVariableDeclarationList(
          [f.createVariableDeclaration(v, undefined, type), f.createVariableDeclaration(dv, undefined, type)],
          ts.NodeFlags.Let,
        ),
      ),
    );
    this.emit(f.createIfStatement(c, assign(a), assign(b)));
    return { p: id(v), t: id(dv) };
  }

  private lowerElement(e: ts.ElementAccessExpression): Dual {
    const o = this.lower(e.expression);
    if (!o.t) return { p: f.createElementAccessExpression(o.p, e.argumentExpression), t: undefined };
    // an active index has derivative zero (indexing is piecewise constant): only its value is used
    const i = this.hoist(e.argumentExpression, 'i');
    const obj = this.hoistDual(o, hintFor(e.expression));
    return { p: f.createElementAccessExpression(obj.p, i), t: f.createElementAccessExpression(obj.t!, i) };
  }

  private lowerProperty(e: ts.PropertyAccessExpression): Dual {
    if (isInactiveProperty(e.name.text, this.ctx.tensorRules)) return { p: e, t: undefined };
    // o?.x: the tangent object is absent exactly when the object is (an omitted optional argument's tangent is too)
    const access = (o: ts.Expression, name: string | ts.MemberName) =>
      e.questionDotToken || ts.isOptionalChain(e)
        ? f.createPropertyAccessChain(o, f.createToken(ts.SyntaxKind.QuestionDotToken), name)
        : f.createPropertyAccessExpression(o, name);
    const o = this.lower(e.expression);
    if (!o.t) return { p: access(o.p, e.name), t: undefined };
    const obj = this.hoistDual(o, hintFor(e.expression));
    return { p: access(obj.p, e.name), t: access(obj.t!, e.name.text) };
  }

  private lowerArray(e: ts.ArrayLiteralExpression): Dual {
    const els = e.elements.map((x) => {
      if (ts.isOmittedExpression(x)) {
        return refuse(x, 'arrayHole');
      }
      if (ts.isSpreadElement(x)) {
        // [...xs, y]: the tangent spreads the tangent array (zeros for an inactive source) in the same place
        const d = this.hoistDual(this.lower(x.expression), hintFor(x.expression));
        return {
          p: f.createSpreadElement(d.p),
          t: f.createSpreadElement(d.t ?? f.createCallExpression(this.ctx.runtime('zerosLike'), undefined, [d.p])),
          active: !!d.t,
        };
      }
      const d = this.lower(x);
      const k = this.kindOf(x);
      return { ...(d.t || k === 'number' || k === 'tensor' ? d : this.hoistDual(d, hintFor(x))), active: !!d.t };
    });
    const t = els.some((d) => d.active)
      ? f.createArrayLiteralExpression(els.map((d, i) => d.t ?? this.zeroFor(this.kindOf(e.elements[i]), () => d.p)))
      : undefined;
    return { p: f.createArrayLiteralExpression(els.map((d) => d.p)), t };
  }

  private lowerObject(e: ts.ObjectLiteralExpression): Dual {
    const props: ts.ObjectLiteralElementLike[] = [];
    const tprops: ts.ObjectLiteralElementLike[] = [];
    for (const p of e.properties) {
      if (ts.isShorthandPropertyAssignment(p)) {
        props.push(p);
        const k = this.kindOf(p.name);
        if (k !== 'none')
          tprops.push(
            f.createPropertyAssignment(
              p.name.text,
              this.activity.isActiveSymbol(p) ? this.tangentOf(p) : this.zeroFor(k, () => p.name),
            ),
          );
      } else if (ts.isPropertyAssignment(p) && !ts.isComputedPropertyName(p.name)) {
        const raw = this.lower(p.initializer);
        const k0 = this.kindOf(p.initializer);
        const d = raw.t || k0 === 'number' || k0 === 'tensor' ? raw : this.hoistDual(raw, hintFor(p.name));
        props.push(f.createPropertyAssignment(p.name, d.p));
        const k = this.kindOf(p.initializer);
        if (k !== 'none') tprops.push(f.createPropertyAssignment(p.name, d.t ?? this.zeroFor(k, () => d.p)));
      } else {
        return refuse(p, 'objectLiteralMember');
      }
    }
    return { p: f.createObjectLiteralExpression(props, false), t: f.createObjectLiteralExpression(tprops, false) };
  }

  private lowerNew(e: ts.NewExpression): Dual {
    const ctor = ts.isIdentifier(e.expression) ? e.expression.text : '';
    const args = e.arguments ?? [];
    if ((ctor === 'Float64Array' || ctor === 'Float32Array' || ctor === 'Array') && args.length === 1) {
      const a = this.hoistDual(this.lower(args[0]), hintFor(args[0]));
      if (a.t && this.kindOf(args[0]) !== 'number') {
        return {
          p: f.createNewExpression(e.expression, e.typeArguments, [a.p]),
          t: f.createNewExpression(id(ctor), undefined, [a.t]),
        };
      }
      return { p: f.createNewExpression(e.expression, e.typeArguments, [a.p]), t: undefined };
    }
    return refuse(e, 'newWithActive', snippet(e.expression));
  }

  // ---- calls ----

  protected abstract isArrayValue(e: ts.Expression): boolean;
  protected abstract arrayCall(e: ts.CallExpression, c: ts.PropertyAccessExpression, discard: boolean): Dual;
  protected abstract arrayFrom(e: ts.CallExpression): Dual;

  protected lowerCall(e: ts.CallExpression, discard = false): Dual {
    const m = isMathCall(e);
    if (m !== undefined && e.arguments.some(ts.isSpreadElement)) return this.mathSpread(e, m);
    if (m !== undefined) {
      const rule = MATH_RULES[m];
      if (!rule)
        return fail(
          e,
          `Math.${m} has no derivative rule`,
          'use a differentiable Math function or give your own function a rule with /** @customJvp rule */',
          CODES.underivableCall,
        );
      const args = e.arguments.map((a) => this.lower(a));
      return this.applyRule(rule, args, e, (ps) => f.createCallExpression(e.expression, undefined, ps));
    }
    const c = e.expression;
    if (isArrayFrom(e)) return this.arrayFrom(e);
    if (ts.isPropertyAccessExpression(c)) {
      const kind = this.kindOf(c.expression);
      const method = c.name.text;
      if (kind === 'tensor' && this.activity.carries(c.expression) && this.ctx.tensorRules.methods[method])
        return this.tensorMethod(e, c, method);
      if (this.isArrayValue(c.expression)) {
        if (arrayMethod(method)) return this.arrayCall(e, c, discard);
        if (this.activity.carries(c.expression)) return unsupportedArrayMethod(e, method);
      }
    }
    return this.lowerUserCall(e);
  }

  /** Math.max(...xs), Math.min(...xs): the tangent of the element picked (ties: the first, as for separate arguments). */
  private mathSpread(e: ts.CallExpression, m: string): Dual {
    const [a] = e.arguments;
    if ((m !== 'max' && m !== 'min') || e.arguments.length !== 1 || !ts.isSpreadElement(a)) {
      return refuse(e, 'mathSpread');
    }
    const xs = this.hoistDual(this.lower(a.expression), hintFor(a.expression));
    const y = this.hoist(
      f.createCallExpression(e.expression, undefined, [f.createSpreadElement(xs.p)]),
      `${m}_${hintFor(a.expression)}`,
    );
    if (!xs.t) return { p: y, t: undefined };
    const k = this.hoist(
      f.createCallExpression(f.createPropertyAccessExpression(xs.p, 'indexOf'), undefined, [y]),
      `${m}_index`,
    );
    // no element equals a NaN result: its tangent is NaN too
    return {
      p: y,
      t: f.createBinaryExpression(
        f.createElementAccessExpression(xs.t, k),
        ts.SyntaxKind.QuestionQuestionToken,
        id('NaN'),
      ),
    };
  }

  /** Arguments as (primal, tangent) pairs; a spread tuple (`f(...args)`) gives one pair per element. */
  private callArguments(e: ts.CallExpression): (Dual & { src: ts.Node; kind?: DiffKind })[] {
    const out: (Dual & { src: ts.Node; kind?: DiffKind })[] = [];
    for (const a of e.arguments) {
      if (!ts.isSpreadElement(a)) {
        out.push({ ...this.lower(a), src: a });
        continue;
      }
      const type = this.checker.getTypeAtLocation(a.expression);
      if (!this.checker.isTupleType(type) || (type as ts.TupleTypeReference).target.hasRestElement) {
        refuse(a, 'spreadNotTuple');
      }
      const elems = this.checker.getTypeArguments(type as ts.TypeReference);
      const t = this.hoistDual(this.lower(a.expression), hintFor(a.expression));
      elems.forEach((el, k) =>
        out.push({
          p: f.createElementAccessExpression(t.p, k),
          t: t.t && f.createElementAccessExpression(t.t, k),
          src: a,
          kind: diffKind(el, this.checker),
        }),
      );
    }
    return out;
  }

  private hoistCall(call: ts.Expression, hint: string, src?: ts.Node): Dual {
    const target = src && this.claimTarget(src);
    const v = target ? target.name.text : this.names.fresh(hint);
    const dv = target ? target.tangent().text : this.names.freshTangent(v);
    const pattern = f.createArrayBindingPattern([
      f.createBindingElement(undefined, undefined, v),
      f.createBindingElement(undefined, undefined, dv),
    ]);
    this.emit(this.constDecl(pattern, call, target ? target.flags : ts.NodeFlags.Const));
    return { p: id(v), t: id(dv) };
  }

  private tensorMethod(e: ts.CallExpression, c: ts.PropertyAccessExpression, method: string): Dual {
    const entry = this.ctx.tensorRules.methods[method];
    const recv = this.hoistDual(this.lower(c.expression), hintFor(c.expression));
    const args: ts.Expression[] = [recv.p, recv.t ?? id('undefined')];
    e.arguments.forEach((a, i) => {
      const d = this.lower(a);
      args.push(d.p);
      if (entry.args[i] === 'diff') args.push(d.t ?? id('undefined'));
    });
    const y = this.hoistCall(
      f.createCallExpression(this.ctx.runtime(entry.jvp), undefined, args),
      `${hintFor(c.expression)}_${method}`,
      e,
    );
    this.emit(...this.release.consumed([c.expression]));
    return y;
  }

  /** The runtime op a callee names, when it is a tensor op imported from the runtime module. */
  private runtimeOp(callee: ts.Expression): string | undefined {
    let sym = this.checker.getSymbolAtLocation(callee);
    if (!sym) return undefined;
    if (sym.flags & ts.SymbolFlags.Alias) sym = this.checker.getAliasedSymbol(sym);
    const decl = sym.declarations?.[0];
    if (!decl || !this.ctx.plan.isRuntimeFile(decl.getSourceFile())) return undefined;
    return this.ctx.tensorRules.ops[sym.name] ? sym.name : undefined;
  }

  protected lowerUserCall(e: ts.CallExpression, discard = false): Dual {
    const op = this.runtimeOp(e.expression);
    if (op) {
      const entry = this.ctx.tensorRules.ops[op];
      const args: ts.Expression[] = [];
      e.arguments.forEach((a, i) => {
        const d = this.lower(a);
        args.push(d.p);
        if (entry.args[i] === 'diff') args.push(d.t ?? id('undefined'));
      });
      const y = this.hoistCall(f.createCallExpression(this.ctx.runtime(entry.jvp), undefined, args), hintFor(e), e);
      this.release.produced(e, y);
      this.emit(...this.release.consumed(e.arguments));
      return y;
    }
    const callee = resolveCallee(e.expression, this.checker);
    const info = callee && (this.locals.get(callee) ?? this.ctx.plan.twins.get(callee));
    if (!info) return this.underivable(e, callee);
    const params = (info.fn as ts.SignatureDeclaration).parameters.filter(
      (p) => !(ts.isIdentifier(p.name) && p.name.text === 'this'),
    );
    if (params.some((p) => p.dotDotDotToken))
      return fail(
        e,
        `cannot differentiate the call of '${info.name}': rest parameters are not supported`,
        'pass an array instead',
      );
    const args: ts.Expression[] = [];
    const given = this.callArguments(e);
    params.forEach((param, i) => {
      const a = given[i]?.src;
      const d = given[i] ?? { p: id('undefined'), t: undefined };
      if (!info.tangentSlots[i]) {
        // an active value into `any`, a generic or `number | string` would silently lose its tangent
        if (d.t && !isNeverNumeric(this.checker.getTypeAtLocation(param))) {
          return fail(
            a,
            `an active (differentiated) value is passed to parameter '${param.name.getText()}' of '${info.name}', whose type '${this.checker.typeToString(this.checker.getTypeAtLocation(param))}' carries no tangent`,
            'declare that parameter as number, number[], Float64Array, a numeric object or Tensor',
            CODES.nonNumericSink,
          );
        }
        args.push(d.p);
        return;
      }
      const kind = this.kindOf(param);
      const h =
        d.t || kind === 'number' || kind === 'tensor'
          ? d
          : this.hoistDual(d, hintFor(a && !ts.isSpreadElement(a) ? a : undefined));
      args.push(h.p, h.t ?? this.zeroFor(kind, () => h.p));
    });
    const call = f.createCallExpression(this.twinRef(e, info), undefined, args);
    if (discard) {
      this.emit(f.createExpressionStatement(call));
      return { p: id('undefined'), t: undefined };
    }
    return this.hoistCall(call, hintFor(e), e);
  }

  /** How a call site refers to a twin (or a custom rule): same module, other module, or sibling method. */
  protected twinRef(e: ts.CallExpression, info: TwinInfo): ts.Expression {
    if (info.kind === 'method') {
      const c = e.expression;
      if (!ts.isPropertyAccessExpression(c))
        return fail(e, `cannot call method '${info.name}' this way`, 'call it as obj.method(...)');
      if (this.activity.carries(c.expression)) return refuse(c.expression, 'activeReceiverMethod', info.name);
      return f.createPropertyAccessExpression(c.expression, info.twin);
    }
    if (info.file === this.ctx.sf || info.kind === 'local') return id(info.twin);
    if (!info.custom) return this.ctx.fromModule(info.file, info.twin);
    // export status comes from the plan (issue 7: `export { ruleJvp as r }` and `export default ruleJvp` count too)
    if (info.ruleExport === undefined) {
      return fail(
        e,
        `the custom rule '${info.twin}' of '${info.name}' is not exported from ${info.file.fileName.replace(/^.*[\\/]/, '')}`,
        `export ${info.twin} so other modules can call it`,
        CODES.underivableCall,
      );
    }
    return this.ctx.fromModule(info.file, info.ruleExport);
  }

  private underivable(e: ts.CallExpression, callee: ts.Node | undefined): never {
    const name = snippet(e.expression);
    if (callee && ts.isParameter(callee)) {
      return fail(
        e,
        `cannot differentiate the call of '${name}': it is a callback parameter with no forward-mode version`,
        'call a named function declared in the program instead of a function passed as an argument',
        CODES.underivableCall,
      );
    }
    if (callee && callee.getSourceFile().isDeclarationFile) {
      return fail(
        e,
        `cannot differentiate the call of '${name}': it is a library function and no derivative is known for it`,
        `wrap it in your own function with a rule: /** @customJvp ruleName */ (or use Math.* / arithmetic)`,
        CODES.underivableCall,
      );
    }
    if (callee && ts.isFunctionLike(callee) && !(callee as ts.FunctionLikeDeclaration).body) {
      return fail(
        e,
        `cannot differentiate the call of '${name}': it is declared without a body, so its derivative is unknown`,
        `give it a rule: /** @customJvp ${name}Jvp */ before its declaration, with ${name}Jvp(x, dx) returning [value, tangent]`,
        CODES.underivableCall,
      );
    }
    if (callee && this.ctx.plan.isRuntimeFile(callee.getSourceFile())) {
      return fail(
        e,
        `cannot differentiate the call of '${name}': it is a forwardgrad runtime function or method with no derivative rule`,
        'use the differentiable tensor ops and t.item() on active values, or call it outside the differentiated function',
        CODES.underivableCall,
      );
    }
    const topLevel =
      callee &&
      (ts.isSourceFile(callee.parent) ||
        (ts.isVariableDeclaration(callee.parent) && ts.isSourceFile(callee.parent.parent.parent.parent)));
    if (callee && ts.isFunctionLike(callee) && topLevel) {
      // no twin for a module-level function: none of its parameters has a type that carries a tangent
      return fail(
        e,
        `cannot differentiate the call of '${name}': none of its parameters has a differentiable type (a generic, any or union parameter carries no tangent)`,
        'declare the parameters that receive active values as number, number[], Float64Array, a numeric object or Tensor',
        CODES.underivableCall,
      );
    }
    if (callee && ts.isFunctionLike(callee)) {
      return fail(
        e,
        `cannot differentiate the call of '${name}': local functions and closures are not differentiated`,
        'move the function to module level',
        CODES.underivableCall,
      );
    }
    return fail(
      e,
      `cannot differentiate the call of '${name}': no derivative is known for it (library function or unknown callee)`,
      `call a function defined in the program, or give it a rule with /** @customJvp ${name.replace(/\W/g, '_')}Jvp */`,
      CODES.underivableCall,
    );
  }
}

/** console.log(…) and friends: shows values, returns nothing differentiable. */
function isConsoleCall(e: ts.CallExpression): boolean {
  const c = e.expression;
  return ts.isPropertyAccessExpression(c) && ts.isIdentifier(c.expression) && c.expression.text === 'console';
}
