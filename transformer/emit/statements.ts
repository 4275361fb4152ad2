// Statements of a twin, in order, control flow kept as written: each statement touching active values
// becomes its primal line(s) plus tangent line(s); everything else is kept verbatim. `switch` → `visitX`.
import * as ts from 'typescript';
import { isAssignmentOperator, unparen } from '../activity';
import { Tan, id, num } from '../algebra';
import { CODES, fail, snippet } from '../diagnostics';
import { tangentName, twinName } from '../naming';
import { TwinInfo, localName, resolveCallee, tangentSlots } from '../callgraph';
import { COMPOUND_TO_BINARY, BINARY_RULES } from '../rules/scalar';
import { diffKind } from '../types';
import { refuse } from '../rules/unsupported';
import { countWork } from '../work';
import { ArrayLowering } from './arrays';
import { Dual, ExpressionLowering, hintFor, isCheap } from './expressions';

const f = ts.factory;

/** Statements whose child statements (and blocks' statements) `visitStatementKind` emits through `visitStatement`. */
const VISITS_CHILD_STATEMENTS = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.IfStatement,
  ts.SyntaxKind.Block,
  ts.SyntaxKind.ForStatement,
  ts.SyntaxKind.ForOfStatement,
  ts.SyntaxKind.ForInStatement,
  ts.SyntaxKind.WhileStatement,
  ts.SyntaxKind.DoStatement,
  ts.SyntaxKind.LabeledStatement,
  ts.SyntaxKind.CaseClause,
  ts.SyntaxKind.DefaultClause,
  ts.SyntaxKind.TryStatement,
  ts.SyntaxKind.CatchClause,
]);

function pairType(t: ts.TypeNode | undefined): ts.TypeNode | undefined {
  return t && ts.setEmitFlags(f.createTupleTypeNode([t, t]), ts.EmitFlags.SingleLine);
}

export class StatementEmitter extends ArrayLowering {
  /** The twin's parameters (each differentiable one followed by its tangent), body and `[T, T]` return type. */
  twinSignature(fn: ts.FunctionLikeDeclaration): {
    params: ts.ParameterDeclaration[];
    body: ts.Block;
    type?: ts.TypeNode;
  } {
    const ctx = this.ctx;
    const params: ts.ParameterDeclaration[] = [];
    const prologue: ts.Statement[] = [];
    let slot = 0;
    for (const p of fn.parameters) {
      if (ts.isIdentifier(p.name) && p.name.text === 'this') {
        params.push(p);
        continue;
      }
      params.push(p);
      if (!this.info.tangentSlots[slot++]) continue;
      if (!ts.isIdentifier(p.name) || p.dotDotDotToken) refuse(p, 'restParameter', p.getText());
      const dname = this.tangentOf(p.name);
      const pname = p.name as ts.Identifier;
      if (p.initializer && this.activity.carries(p.initializer)) {
        // a default computed from other parameters: computed (with its tangent) in the body when the argument is omitted
        const saved = this.out;
        this.out = [];
        const v = this.lower(p.initializer);
        const stmts = [
          ...this.out,
          f.createExpressionStatement(f.createAssignment(id(pname.text), v.p)),
          f.createExpressionStatement(
            f.createAssignment(dname, v.t ?? this.zeroFor(this.kindOf(p.name), () => id(pname.text))),
          ),
        ];
        this.out = saved;
        prologue.push(
          f.createIfStatement(f.createStrictEquality(id(pname.text), id('undefined')), f.createBlock(stmts, true)),
        );
        params[params.length - 1] = f.updateParameterDeclaration(
          p,
          p.modifiers,
          p.dotDotDotToken,
          p.name,
          f.createToken(ts.SyntaxKind.QuestionToken),
          p.type,
          undefined,
        );
        params.push(
          f.createParameterDeclaration(undefined, undefined, dname, f.createToken(ts.SyntaxKind.QuestionToken), p.type),
        );
        continue;
      }
      // a constant default: an omitted argument's tangent arrives as undefined (or zerosLike(undefined)), so default it to zeros
      const dinit =
        p.initializer && f.createCallExpression(ctx.runtime('zerosLike'), undefined, [f.createIdentifier(p.name.text)]);
      params.push(f.createParameterDeclaration(undefined, undefined, dname, p.questionToken, p.type, dinit));
    }
    const body = fn.body!;
    const stmts = ts.isBlock(body) ? body.statements : [f.createReturnStatement(body)];
    const out = [...prologue, ...this.block(stmts)];
    // a body that can fall off its end (void functions) still returns the [value, tangent] pair
    const sig = ctx.checker.getSignatureFromDeclaration(fn);
    const ret = sig && ctx.checker.getReturnTypeOfSignature(sig);
    const mayFallOff =
      !!ret &&
      !!(
        ret.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined) ||
        (ret.isUnion() && ret.types.some((t) => t.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined)))
      );
    if (ts.isBlock(body) && mayFallOff && !(out.length && ts.isReturnStatement(out[out.length - 1]))) {
      out.push(f.createReturnStatement(f.createArrayLiteralExpression([id('undefined'), id('undefined')])));
    }
    return { params, body: f.createBlock(out, true), type: pairType(fn.type) };
  }

  /** An emitter for a local function's twin: same activity, names and tangents (captured variables keep theirs). */
  private nested(info: TwinInfo): StatementEmitter {
    return new StatementEmitter(this.ctx, this.activity, this.names, info, {
      tangents: this.tangents,
      locals: this.locals,
    });
  }

  /**
   * Local functions of a block get their twin names up front: declarations are hoisted (called before they appear,
   * recursively), and `const` helpers may be called by functions declared earlier.
   */
  private planLocals(stmts: readonly ts.Statement[]): void {
    for (const s of stmts) {
      const fn =
        ts.isFunctionDeclaration(s) && s.body ? s : ts.isVariableStatement(s) ? localInitializer(s) : undefined;
      if (!fn || this.locals.has(fn)) continue;
      const slots = tangentSlots(fn, this.checker);
      if (!slots.some(Boolean) && !this.activity.captures(fn)) continue; // a plain helper: kept as written
      const name = localName(fn) ?? 'local';
      if (fn.asteriskToken || ts.getModifiers(fn)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) {
        if (this.activity.captures(fn))
          fail(
            fn,
            `local function '${name}' is async or a generator and uses active values`,
            'make it a plain synchronous function',
          );
        continue;
      }
      this.locals.set(fn, {
        fn,
        name,
        twin: this.names.fresh(twinName(name)),
        file: this.ctx.sf,
        kind: 'local',
        exported: false,
        tangentSlots: slots,
        custom: false,
      });
    }
  }

  /** `function g_jvp(…) {…}` / `const g_jvp = (…) => {…}` for a local function, emitted right after it. */
  protected localTwin(info: TwinInfo): ts.Statement {
    const fn = info.fn as ts.FunctionLikeDeclaration;
    const { params, body, type } = this.nested(info).twinSignature(fn);
    if (ts.isFunctionDeclaration(fn))
      return f.createFunctionDeclaration(undefined, undefined, info.twin, fn.typeParameters, params, type, body);
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
    return this.constDecl(info.twin, lit);
  }

  /** Emits `stmts` into a fresh list and returns it. */
  block(stmts: readonly ts.Statement[]): ts.Statement[] {
    const saved = this.out;
    this.out = [];
    this.planLocals(stmts);
    for (const s of stmts) this.visitStatement(s);
    const res = this.out;
    this.out = saved;
    return res;
  }

  /** A loop/branch body: stays a single statement when it was one and still is. */
  private asBlock(s: ts.Statement): ts.Statement {
    const out = this.block(ts.isBlock(s) ? s.statements : [s]);
    return !ts.isBlock(s) && out.length === 1 ? out[0] : f.createBlock(out, true);
  }

  /** Does a statement/expression reference any active variable at all (even without a tangent)? */
  private touchesActive(n: ts.Node): boolean {
    if (ts.isIdentifier(n)) return this.activity.isActiveSymbol(n);
    let any = false;
    ts.forEachChild(n, (c) => {
      if (!any && this.touchesActive(c)) any = true;
    });
    return any;
  }

  /**
   * Emits the lowering of `s`; every synthesized statement maps back to `s` in source maps, and the first one carries
   * `s`'s leading comments, so the twin reads line by line like the primal.
   */
  visitStatement(s: ts.Statement): void {
    const start = this.out.length;
    this.visitStatementKind(s);
    for (let i = start; i < this.out.length; i++) {
      const n = this.out[i];
      if (n.pos < 0 && !ts.getSourceMapRange(n).pos) ts.setSourceMapRange(n, s);
    }
    keepLeadingComments(s, this.out, start);
  }

  private visitStatementKind(s: ts.Statement): void {
    const local = ts.isFunctionDeclaration(s)
      ? this.locals.get(s)
      : ts.isVariableStatement(s)
        ? this.localOf(s)
        : undefined;
    if (local) {
      this.emit(s, this.localTwin(local));
      return;
    }
    if (ts.isFunctionDeclaration(s)) {
      this.rejectClosures(s);
      this.emit(s);
      return;
    }
    this.rejectClosures(s);
    switch (s.kind) {
      case ts.SyntaxKind.VariableStatement:
        return this.visitVariableStatement(s as ts.VariableStatement);
      case ts.SyntaxKind.ExpressionStatement:
        return this.visitExpressionStatement(s as ts.ExpressionStatement);
      case ts.SyntaxKind.ReturnStatement:
        return this.visitReturn(s as ts.ReturnStatement);
      case ts.SyntaxKind.IfStatement: {
        const i = s as ts.IfStatement;
        this.emit(
          f.updateIfStatement(
            i,
            i.expression,
            this.asBlock(i.thenStatement),
            i.elseStatement && this.visitElse(i.elseStatement),
          ),
        );
        return;
      }
      case ts.SyntaxKind.Block:
        this.emit(f.updateBlock(s as ts.Block, this.block((s as ts.Block).statements)));
        return;
      case ts.SyntaxKind.ForStatement:
        return this.visitFor(s as ts.ForStatement);
      case ts.SyntaxKind.ForOfStatement:
        return this.visitForOf(s as ts.ForOfStatement);
      case ts.SyntaxKind.ForInStatement: {
        const l = s as ts.ForInStatement;
        this.emit(f.updateForInStatement(l, l.initializer, l.expression, this.asBlock(l.statement)));
        return;
      }
      case ts.SyntaxKind.WhileStatement: {
        const w = s as ts.WhileStatement;
        this.checkInactiveHeader(w.expression);
        this.emit(f.updateWhileStatement(w, w.expression, this.asBlock(w.statement)));
        return;
      }
      case ts.SyntaxKind.DoStatement: {
        const d = s as ts.DoStatement;
        this.checkInactiveHeader(d.expression);
        this.emit(f.updateDoStatement(d, this.asBlock(d.statement), d.expression));
        return;
      }
      case ts.SyntaxKind.LabeledStatement: {
        const l = s as ts.LabeledStatement;
        const inner = this.block([l.statement]);
        this.emit(...inner.slice(0, -1), f.updateLabeledStatement(l, l.label, inner[inner.length - 1]));
        return;
      }
      case ts.SyntaxKind.SwitchStatement: {
        const sw = s as ts.SwitchStatement;
        const clauses = sw.caseBlock.clauses.map((c) =>
          ts.isCaseClause(c)
            ? f.updateCaseClause(c, c.expression, this.block(c.statements))
            : f.updateDefaultClause(c, this.block(c.statements)),
        );
        this.emit(f.updateSwitchStatement(sw, sw.expression, f.updateCaseBlock(sw.caseBlock, clauses)));
        return;
      }
      case ts.SyntaxKind.TryStatement: {
        const t = s as ts.TryStatement;
        const tryBlock = f.createBlock(this.block(t.tryBlock.statements), true);
        const c =
          t.catchClause &&
          f.updateCatchClause(
            t.catchClause,
            t.catchClause.variableDeclaration,
            f.createBlock(this.block(t.catchClause.block.statements), true),
          );
        const fin = t.finallyBlock && f.createBlock(this.block(t.finallyBlock.statements), true);
        this.emit(f.updateTryStatement(t, tryBlock, c, fin));
        return;
      }
      case ts.SyntaxKind.BreakStatement:
      case ts.SyntaxKind.ContinueStatement:
      case ts.SyntaxKind.EmptyStatement:
      case ts.SyntaxKind.ThrowStatement:
        this.emit(s);
        return;
      default:
        if (this.touchesActive(s)) {
          return refuse(s, 'otherStatement', ts.SyntaxKind[s.kind]);
        }
        this.emit(s);
    }
  }

  private visitElse(s: ts.Statement): ts.Statement {
    if (ts.isIfStatement(s)) {
      const out = this.block([s]);
      return out.length === 1 ? out[0] : f.createBlock(out, true);
    }
    return this.asBlock(s);
  }

  private localOf(s: ts.VariableStatement): TwinInfo | undefined {
    const fn = localInitializer(s);
    return fn && this.locals.get(fn);
  }

  /**
   * Closures over active state that the emitter does not lower (a function literal handed to an unknown function, a
   * local function used as a value) would lose their tangents: rejected with a located error. Local functions with
   * twins and the callbacks of the array methods the emitter knows are fine.
   */
  private rejectClosures(s: ts.Statement): void {
    const visit = (n: ts.Node): void => {
      countWork();
      // a nested statement the emitter visits itself is checked then (issue 10: walking it here too was quadratic in nesting)
      if (n !== s && n.parent && VISITS_CHILD_STATEMENTS.has(n.parent.kind) && (ts.isStatement(n) || ts.isBlock(n)))
        return;
      if (ts.isFunctionLike(n)) {
        if (this.locals.has(n) || this.isHandledCallback(n)) return;
        if (this.activity.captures(n)) {
          refuse(n, 'escapingClosure');
        }
        return;
      }
      if (
        ts.isIdentifier(n) &&
        !(ts.isCallExpression(n.parent) && n.parent.expression === n) &&
        !this.isHandledCallback(n)
      ) {
        const local = this.activity.localFunction(n);
        if (local && this.locals.has(local) && this.activity.captures(local) && !isDeclarationName(n)) {
          fail(
            n,
            `local function '${n.text}' uses active (differentiated) variables and is used as a value here`,
            `call ${n.text}(…) directly, or pass it as the callback of an array method (map, forEach, reduce, …)`,
          );
        }
      }
      if (n.kind === ts.SyntaxKind.YieldExpression || n.kind === ts.SyntaxKind.AwaitExpression) {
        refuse(n, 'generatorsAndAsync');
      }
      if (
        ts.isIdentifier(n) &&
        n.text === 'arguments' &&
        !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)
      ) {
        refuse(n, 'generatorsAndAsync', 'arguments');
      }
      ts.forEachChild(n, visit);
    };
    visit(s);
  }

  private checkInactiveHeader(e: ts.Expression | undefined): void {
    if (!e) return;
    const visit = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && isAssignmentOperator(n.operatorToken.kind) && this.activity.carries(n)) {
        refuse(n, 'loopHeaderUpdate');
      }
      if (
        (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) &&
        this.touchesActive(n.operand) &&
        (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)
      ) {
        // x++ on an active value leaves its tangent unchanged: fine anywhere
        return;
      }
      if (ts.isCallExpression(n) && this.activity.carries(n)) {
        const fn = n.expression;
        if (!(ts.isPropertyAccessExpression(fn) && ts.isIdentifier(fn.expression) && fn.expression.text === 'Math')) {
          // calls with active arguments in a condition: the primal call is exact, its tangent unused
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(e);
  }

  // ---- declarations ----

  private visitVariableStatement(s: ts.VariableStatement): void {
    const list = s.declarationList;
    const flags = list.flags & (ts.NodeFlags.Const | ts.NodeFlags.Let);
    const needsSplit = list.declarations.some(
      (d) => this.activity.bindsActive(d.name) || (d.initializer && this.activity.carries(d.initializer)),
    );
    if (!needsSplit) {
      this.emit(s);
      return;
    }
    for (const d of list.declarations) {
      this.visitDeclaration(d, flags);
      this.emit(...this.release.declared(d));
    }
  }

  private decl(
    name: string | ts.BindingName,
    init: ts.Expression | undefined,
    flags: ts.NodeFlags,
    type?: ts.TypeNode,
  ): ts.Statement {
    return f.createVariableStatement(
      undefined,
      f.createVariableDeclarationList([f.createVariableDeclaration(name, undefined, type, init)], flags),
    );
  }

  private visitDeclaration(d: ts.VariableDeclaration, flags: ts.NodeFlags): void {
    if (!this.activity.bindsActive(d.name)) {
      // inactive target with an active initializer (e.g. a boolean or string built from active values)
      this.emit(this.decl(d.name, d.initializer && this.lower(d.initializer).p, flags, d.type));
      return;
    }
    if (!ts.isIdentifier(d.name)) {
      const lowered = d.initializer && this.lower(d.initializer);
      const v = lowered && (lowered.t ? lowered : this.hoistDual(lowered, 'tuple'));
      if (!v) return fail(d, 'destructuring without an initializer', 'add an initializer');
      this.emit(this.decl(d.name, v.p, flags));
      const pattern = this.tangentPattern(d.name);
      this.emit(this.decl(pattern, v.t ?? this.zeroFor(this.kindOf(d.name), () => v.p), flags));
      return;
    }
    const kind = this.kindOf(d.name);
    const dname = this.tangentOf(d.name);
    if (!d.initializer) {
      this.emit(this.decl(d.name, undefined, flags, d.type));
      this.emit(this.decl(dname, kind === 'number' ? num(0) : undefined, flags, d.type));
      return;
    }
    const init = unparen(d.initializer);
    this.declTarget = { node: init, name: d.name, tangent: () => dname, flags };
    const v = this.lower(d.initializer);
    const claimed = this.declTarget.done;
    this.declTarget = undefined;
    if (claimed && ts.isIdentifier(v.p) && v.p.text === d.name.text) {
      // the output was declared under the user's name; a twin call declared the tangent too
      if (!(ts.isIdentifier(v.t ?? id('')) && (v.t as ts.Identifier).text === dname.text))
        this.emit(this.decl(dname, v.t ?? this.zeroOfInitializer(d.initializer, kind, d.name), flags, d.type));
      return;
    }
    this.emit(this.decl(d.name, v.p, flags, d.type));
    this.emit(this.decl(dname, v.t ?? this.zeroOfInitializer(d.initializer, kind, d.name), flags, d.type));
  }

  /** A zero tangent mirroring an inactive initializer: literals and `new Float64Array(n)` are copied as zeros. */
  private zeroOfInitializer(
    init: ts.Expression,
    kind: ReturnType<ExpressionLowering['kindOf']>,
    name: ts.Identifier,
  ): ts.Expression {
    if (kind === 'number' || kind === 'tensor') return this.zeroFor(kind, () => name);
    if (
      ts.isArrayLiteralExpression(init) &&
      init.elements.every(
        (e) => ts.isNumericLiteral(e) || (ts.isPrefixUnaryExpression(e) && ts.isNumericLiteral(e.operand)),
      )
    ) {
      return f.createArrayLiteralExpression(init.elements.map(() => num(0)));
    }
    if (
      ts.isObjectLiteralExpression(init) &&
      init.properties.every((p) => ts.isPropertyAssignment(p) && ts.isNumericLiteral(p.initializer))
    ) {
      return f.createObjectLiteralExpression(
        init.properties.map((p) => f.createPropertyAssignment((p as ts.PropertyAssignment).name, num(0))),
      );
    }
    if (
      ts.isNewExpression(init) &&
      ts.isIdentifier(init.expression) &&
      /^Float(32|64)Array$/.test(init.expression.text) &&
      init.arguments?.length === 1 &&
      this.kindOf(init.arguments[0]) === 'number'
    ) {
      return f.createNewExpression(id(init.expression.text), undefined, [this.hoist(init.arguments[0], 'n')]);
    }
    return this.zeroFor(kind, () => name);
  }

  /** `[a, {x}]` → `[da, {x: dx}]`, skipping names without tangents. */
  private tangentPattern(name: ts.BindingName): ts.BindingName {
    if (ts.isIdentifier(name)) return this.tangentOf(name);
    if (ts.isArrayBindingPattern(name)) {
      return f.createArrayBindingPattern(
        name.elements.map((e) => {
          if (ts.isOmittedExpression(e) || !this.activity.bindsActive(e.name)) return f.createOmittedExpression();
          if (e.initializer || e.dotDotDotToken) refuse(e, 'destructuringDefault');
          return f.createBindingElement(undefined, undefined, this.tangentPattern(e.name));
        }),
      );
    }
    return f.createObjectBindingPattern(
      name.elements
        .filter((e) => this.activity.bindsActive(e.name))
        .map((e) => {
          if (e.initializer || e.dotDotDotToken) refuse(e, 'destructuringDefault');
          const key = e.propertyName ?? (ts.isIdentifier(e.name) ? e.name : undefined);
          if (!key) return fail(e, 'unsupported destructuring', 'destructure plainly');
          return f.createBindingElement(
            undefined,
            ts.isIdentifier(key) ? key.text : (key as ts.PropertyName),
            this.tangentPattern(e.name),
          );
        }),
    );
  }

  // ---- expression statements ----

  private visitExpressionStatement(s: ts.ExpressionStatement): void {
    const e = unparen(s.expression);
    if (ts.isBinaryExpression(e) && isAssignmentOperator(e.operatorToken.kind)) {
      const root = this.activity.rootOf(e.left);
      const targetActive = ts.isIdentifier(root)
        ? this.activity.isActiveSymbol(root)
        : ts.isArrayLiteralExpression(e.left) || ts.isObjectLiteralExpression(e.left)
          ? this.touchesActive(e.left)
          : false;
      if (targetActive) return this.visitAssignment(e);
      if (!this.activity.carries(e.right)) {
        this.emit(s);
        return;
      }
      const v = this.lower(e.right);
      this.emit(f.createExpressionStatement(f.createBinaryExpression(e.left, e.operatorToken, v.p)));
      return;
    }
    if (
      (ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e)) &&
      (e.operator === ts.SyntaxKind.PlusPlusToken || e.operator === ts.SyntaxKind.MinusMinusToken)
    ) {
      this.emit(s); // d(x ± 1) = dx: the tangent is unchanged
      return;
    }
    if (
      ts.isCallExpression(e) &&
      ts.isPropertyAccessExpression(e.expression) &&
      e.expression.name.text === 'push' &&
      this.activity.carries(e.expression.expression)
    ) {
      return this.visitPush(e, e.expression);
    }
    // statement-level call of a differentiated function (it may write active values into its arguments)
    // (a local function's twin also keeps the tangents of the variables it captures up to date)
    if (ts.isCallExpression(e)) {
      const callee = resolveCallee(e.expression, this.checker);
      if (
        callee &&
        ((this.locals.get(callee) && this.activity.carries(e)) ||
          (e.arguments.some((a) => this.activity.carries(a)) && this.ctx.plan.twins.get(callee)))
      ) {
        this.lowerUserCall(e, true);
        return;
      }
    }
    if (!this.activity.carries(e)) {
      this.emit(s);
      return;
    }
    // xs.pop(), xs.forEach(…) as statements: the result is dropped, the tangent's update is not
    const v = ts.isCallExpression(e) ? this.lowerCall(e, true) : this.lower(e);
    if (!isCheap(v.p)) this.emit(f.createExpressionStatement(v.p));
  }

  private visitPush(call: ts.CallExpression, access: ts.PropertyAccessExpression): void {
    const arr = this.hoistDual(this.lower(access.expression), hintFor(access.expression));
    const vals = call.arguments.map((a) => this.hoistDual(this.lower(a), hintFor(a)));
    this.emit(
      f.createExpressionStatement(
        f.createCallExpression(
          f.createPropertyAccessExpression(arr.p, 'push'),
          undefined,
          vals.map((v) => v.p),
        ),
      ),
    );
    this.emit(
      f.createExpressionStatement(
        f.createCallExpression(
          f.createPropertyAccessExpression(arr.t!, 'push'),
          undefined,
          vals.map((v, i) => v.t ?? this.zeroFor(this.kindOf(call.arguments[i]), () => v.p)),
        ),
      ),
    );
  }

  /** The tangent place of an assignment target: `x` → `dx`, `a[i]` → `da[i]`, `o.f` → `do.f`. */
  private targetPair(target: ts.Expression): { p: ts.Expression; t: ts.Expression } {
    if (ts.isIdentifier(target)) return { p: target, t: this.tangentOf(target) };
    if (ts.isParenthesizedExpression(target) || ts.isNonNullExpression(target))
      return this.targetPair(target.expression);
    if (ts.isElementAccessExpression(target)) {
      const o = this.targetPair(target.expression);
      const i = this.hoist(target.argumentExpression, 'i');
      return { p: f.createElementAccessExpression(o.p, i), t: f.createElementAccessExpression(o.t, i) };
    }
    if (ts.isPropertyAccessExpression(target)) {
      const o = this.targetPair(target.expression);
      return {
        p: f.createPropertyAccessExpression(o.p, target.name),
        t: f.createPropertyAccessExpression(o.t, target.name.text),
      };
    }
    return fail(
      target,
      `assignment to '${snippet(target)}' is not supported`,
      'assign to a variable, an array element or an object field',
    );
  }

  private visitAssignment(e: ts.BinaryExpression): void {
    const op = e.operatorToken.kind;
    const l = e.left;
    if (
      ts.isPropertyAccessExpression(l) &&
      l.name.text === 'length' &&
      op === ts.SyntaxKind.EqualsToken &&
      this.activity.isReference(l.expression)
    ) {
      // xs.length = n truncates (or extends with holes) the tangent array the same way
      const arr = this.hoistDual(this.lower(l.expression), hintFor(l.expression));
      const n = this.hoist(this.lower(e.right).p, 'n');
      if (arr.t)
        this.emit(
          f.createExpressionStatement(f.createAssignment(f.createPropertyAccessExpression(arr.t, 'length'), n)),
        );
      this.emit(f.createExpressionStatement(f.createAssignment(f.createPropertyAccessExpression(arr.p, 'length'), n)));
      return;
    }
    if (ts.isArrayLiteralExpression(e.left) || ts.isObjectLiteralExpression(e.left)) {
      if (op !== ts.SyntaxKind.EqualsToken) return fail(e, 'compound destructuring assignment', 'use =');
      // [a, b] = [b, a * x]: the right side is evaluated once, then each target takes its part and the part's tangent
      const v = this.hoistDual(this.lower(e.right), 'parts');
      const src = v.t && !isCheap(v.t) ? { p: v.p, t: this.hoist(v.t, tangentName('parts')) } : v;
      return this.destructure(e.left, src);
    }
    const target = this.targetPair(e.left);
    const kind = this.kindOf(e.left);
    let tangent: Tan;
    let primalOp: ts.BinaryOperator = op as ts.BinaryOperator;
    let rhs: ts.Expression;
    let freed: ts.Statement[] = [];
    if (op === ts.SyntaxKind.EqualsToken) {
      const v = this.lower(e.right);
      rhs = v.p;
      // the new value exists: an owned previous value of a `let` Tensor nobody else sees is dead (emit/release.ts);
      // a primal still to evaluate (e.g. reading `h.shape`) is hoisted first so it sees the old value alive
      const release = this.release.reassigned(e);
      if (release.before.length) rhs = this.hoist(v.p, hintFor(e.right));
      this.emit(...release.before);
      freed = release.after;
      tangent = v.t ?? this.zeroFor(kind, () => target.p);
      this.emit(f.createExpressionStatement(f.createAssignment(target.t, tangent)));
    } else if (op === ts.SyntaxKind.PlusEqualsToken || op === ts.SyntaxKind.MinusEqualsToken) {
      const v = this.lower(e.right);
      rhs = v.p;
      if (v.t) this.emit(f.createExpressionStatement(f.createBinaryExpression(target.t, op, v.t)));
    } else {
      const bop = COMPOUND_TO_BINARY[op];
      const rule = bop !== undefined ? BINARY_RULES[bop] : undefined;
      if (!rule || bop === undefined) return refuse(e, 'logicalAssignment', e.operatorToken.getText());
      const v = this.hoistDual(this.lower(e.right), hintFor(e.right));
      const cur: Dual = { p: target.p, t: target.t };
      const res = this.applyRule(rule, [cur, v], e, ([a, b]) => f.createBinaryExpression(a, bop, b));
      rhs = v.p;
      // res.p may have been hoisted (the rule needed the result): then assign it directly
      if (ts.isIdentifier(res.p)) {
        primalOp = ts.SyntaxKind.EqualsToken;
        rhs = res.p;
      }
      this.emit(f.createExpressionStatement(f.createAssignment(target.t, res.t ?? num(0))));
    }
    this.emit(f.createExpressionStatement(f.createBinaryExpression(target.p, primalOp, rhs)), ...freed);
  }

  /** Assigns the parts of `v` to the targets of a destructuring pattern (primal and, for active targets, tangent). */
  private destructure(pattern: ts.Expression, v: Dual): void {
    const part = (key: ts.Expression | string, x: ts.Expression) =>
      typeof key === 'string' ? f.createPropertyAccessExpression(x, key) : f.createElementAccessExpression(x, key);
    const leaf = (target: ts.Expression, key: ts.Expression | string): void => {
      if (ts.isBinaryExpression(target) || ts.isSpreadElement(target) || ts.isSpreadAssignment(target)) {
        refuse(target, 'destructuringDefault');
      }
      const p = part(key, v.p);
      const t = v.t && part(key, v.t);
      if (ts.isArrayLiteralExpression(target) || ts.isObjectLiteralExpression(target))
        return this.destructure(target, { p, t });
      const root = this.activity.rootOf(target);
      if (ts.isIdentifier(root) && this.activity.isActiveSymbol(root)) {
        const pair = this.targetPair(target);
        this.emit(
          f.createExpressionStatement(f.createAssignment(pair.t, t ?? this.zeroFor(this.kindOf(target), () => p))),
        );
        this.emit(f.createExpressionStatement(f.createAssignment(pair.p, p)));
      } else this.emit(f.createExpressionStatement(f.createAssignment(target, p)));
    };
    if (ts.isArrayLiteralExpression(pattern)) {
      pattern.elements.forEach((el, k) => {
        if (!ts.isOmittedExpression(el)) leaf(el, num(k));
      });
      return;
    }
    for (const prop of (pattern as ts.ObjectLiteralExpression).properties) {
      if (ts.isShorthandPropertyAssignment(prop) && !prop.objectAssignmentInitializer) leaf(prop.name, prop.name.text);
      else if (ts.isPropertyAssignment(prop) && (ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name)))
        leaf(prop.initializer, prop.name.text);
      else fail(prop, 'this destructuring assignment of active values is not supported', 'assign the parts one by one');
    }
  }

  // ---- control flow ----

  private visitReturn(s: ts.ReturnStatement): void {
    const ret = this.returnKind();
    if (!s.expression) {
      this.emit(f.updateReturnStatement(s, f.createArrayLiteralExpression([id('undefined'), id('undefined')])));
      return;
    }
    const v = this.lower(s.expression);
    const p = v.t || ret === 'number' || ret === 'tensor' || ret === 'none' ? v : this.hoistDual(v, 'result');
    const t = p.t ?? this.zeroFor(ret, () => p.p);
    // `const [y, dy] = g_jvp(…); return [y, dy];` → `return g_jvp(…);`
    const last = this.out[this.out.length - 1];
    if (last && ts.isVariableStatement(last) && ts.isIdentifier(p.p) && ts.isIdentifier(t)) {
      const d = last.declarationList.declarations[0];
      if (
        d.initializer &&
        ts.isArrayBindingPattern(d.name) &&
        d.name.elements.length === 2 &&
        d.name.elements.every(ts.isBindingElement) &&
        [p.p.text, t.text].every(
          (n, i) => bindingText((d.name as ts.ArrayBindingPattern).elements[i] as ts.BindingElement) === n,
        )
      ) {
        this.out.pop();
        this.emit(f.updateReturnStatement(s, d.initializer));
        return;
      }
    }
    this.emit(f.updateReturnStatement(s, f.createArrayLiteralExpression([p.p, t])));
  }

  private returnKind(): ReturnType<ExpressionLowering['kindOf']> {
    const sig = this.checker.getSignatureFromDeclaration(this.info.fn as ts.SignatureDeclaration);
    if (!sig) return 'none';
    return diffKind(this.checker.getReturnTypeOfSignature(sig), this.checker);
  }

  private visitFor(s: ts.ForStatement): void {
    const init = s.initializer;
    if (
      init &&
      (ts.isVariableDeclarationList(init)
        ? init.declarations.some((d) => this.activity.bindsActive(d.name))
        : this.activity.carries(init))
    ) {
      // for (let s = x, i = 0; …): the declarations (and their tangents) go before the loop, in a block of their own
      if (
        s.incrementor &&
        ts.isBinaryExpression(s.incrementor) &&
        isAssignmentOperator(s.incrementor.operatorToken.kind) &&
        this.touchesActive(this.activity.rootOf(s.incrementor.left))
      ) {
        return refuse(s.incrementor, 'loopHeaderUpdate');
      }
      const head = ts.isVariableDeclarationList(init)
        ? f.createVariableStatement(undefined, init)
        : f.createExpressionStatement(init);
      const saved = this.out;
      this.out = [];
      if (ts.isVariableDeclarationList(init)) this.visitVariableStatement(head as ts.VariableStatement);
      else this.visitExpressionStatement(head as ts.ExpressionStatement);
      this.checkInactiveHeader(s.condition);
      const loop = f.updateForStatement(s, undefined, s.condition, s.incrementor, this.asBlock(s.statement));
      const stmts = [...this.out, loop];
      this.out = saved;
      this.emit(f.createBlock(stmts, true));
      return;
    }
    if (
      s.incrementor &&
      ts.isBinaryExpression(s.incrementor) &&
      isAssignmentOperator(s.incrementor.operatorToken.kind) &&
      this.touchesActive(this.activity.rootOf(s.incrementor.left))
    ) {
      return refuse(s.incrementor, 'loopHeaderUpdate');
    }
    this.checkInactiveHeader(s.condition);
    this.emit(f.updateForStatement(s, init, s.condition, s.incrementor, this.asBlock(s.statement)));
  }

  /** for (const v of arr) over an active array: a counter walks the tangent array alongside. */
  private visitForOf(s: ts.ForOfStatement): void {
    const init = s.initializer;
    const names = ts.isVariableDeclarationList(init) ? init.declarations.map((d) => d.name) : [];
    const active = names.some((n) => this.activity.bindsActive(n));
    if (!active) {
      if (!ts.isVariableDeclarationList(init) && this.activity.carries(s.expression)) {
        return refuse(init, 'forOfWithoutDeclaration');
      }
      this.emit(f.updateForOfStatement(s, s.awaitModifier, init, s.expression, this.asBlock(s.statement)));
      return;
    }
    const arr = this.hoistDual(this.lower(s.expression), hintFor(s.expression));
    const counter = this.names.fresh(`${hintFor(s.expression)}_index`);
    this.emit(this.decl(counter, num(0), ts.NodeFlags.Let));
    const flags = (init as ts.VariableDeclarationList).flags & (ts.NodeFlags.Const | ts.NodeFlags.Let);
    const name = names[0];
    const elemTangent = f.createElementAccessExpression(arr.t!, f.createPostfixIncrement(id(counter)));
    const head = [this.decl(this.tangentPattern(name), elemTangent, flags)];
    const body = this.block(ts.isBlock(s.statement) ? s.statement.statements : [s.statement]);
    this.emit(f.updateForOfStatement(s, undefined, init, arr.p, f.createBlock([...head, ...body], true)));
    void tangentName;
    void CODES;
  }
}

/** Annotations stay on the primal: a copy in the twin would read as a second annotated function. */
const ANNOTATION_COMMENT = /@(forwardGrad|customJvp)\b/;

/**
 * Moves `s`'s leading comments to the first statement of its lowering `out[start…]`. They print where a node keeps
 * `s`'s position: an updated `if`/`return`, or the original expression inside a synthesized `s += …` line. When tangent
 * lines come before that one, the comments move to the first line (the primal line is told its leading comments
 * were printed). Only nodes synthesized for the twin change: a node shared with the primal keeps its comments.
 */
function keepLeadingComments(s: ts.Statement, out: readonly ts.Statement[], start: number): void {
  if (start >= out.length || s.pos < 0 || !s.parent) return;
  const text = s.getSourceFile().text;
  const ranges = (ts.getLeadingCommentRanges(text, s.pos) ?? []).filter(
    (r) => !ANNOTATION_COMMENT.test(text.slice(r.pos, r.end)),
  );
  if (ranges.length === 0) return;
  const first = out[start];
  if (first.pos >= 0 || holdsNodeAt(first, s.pos)) return; // an original node, or one that prints them already
  // every later line holding an original node at s's position would print them (a tangent line may reuse `acc`)
  const carriers = out.slice(start + 1).filter((n) => holdsNodeAt(n, s.pos));
  if (carriers.includes(s)) return; // the primal's own node prints them; stripping them would strip the primal's too
  for (const c of carriers) {
    // NoLeadingComments at s's position: the emitter then skips comments at that position inside it too
    ts.setCommentRange(c, { pos: s.pos, end: -1 });
    ts.setEmitFlags(c, ts.EmitFlags.NoLeadingComments); // (the emitter sets no other flags on statements)
  }
  for (const r of ranges) {
    const body =
      r.kind === ts.SyntaxKind.SingleLineCommentTrivia
        ? text.slice(r.pos + 2, r.end)
        : text.slice(r.pos + 2, r.end - 2);
    ts.addSyntheticLeadingComment(first, r.kind, body, r.hasTrailingNewLine ?? false);
  }
}

/** Does `n` (or a node inside it) sit at source position `pos` (an original node, which prints the comments there)? */
function holdsNodeAt(n: ts.Node, pos: number): boolean {
  if (n.pos === pos) return true;
  if (n.pos >= 0 && (n.pos > pos || n.end <= pos)) return false; // an original subtree elsewhere
  let found = false;
  ts.forEachChild(n, (c) => {
    if (!found && holdsNodeAt(c, pos)) found = true;
  });
  return found;
}

/** The function literal of `const g = (…) => …` (one declaration), a local function candidate. */
function localInitializer(s: ts.VariableStatement): ts.ArrowFunction | ts.FunctionExpression | undefined {
  const d = s.declarationList.declarations;
  if (d.length !== 1 || !ts.isIdentifier(d[0].name)) return undefined;
  let e = d[0].initializer;
  while (e && ts.isParenthesizedExpression(e)) e = e.expression;
  return e && (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) ? e : undefined;
}

function isDeclarationName(n: ts.Identifier): boolean {
  const p = n.parent;
  return (
    (ts.isVariableDeclaration(p) || ts.isFunctionDeclaration(p) || ts.isParameter(p) || ts.isBindingElement(p)) &&
    p.name === n
  );
}

function bindingText(e: ts.BindingElement): string | undefined {
  return ts.isIdentifier(e.name) ? e.name.text : undefined;
}
