// Statements of a twin, in order, control flow kept as written: each statement touching active values
// becomes its primal line(s) plus tangent line(s); everything else is kept verbatim. `switch` → `visitX`.
import * as ts from 'typescript';
import { isAssignmentOperator } from '../activity';
import { Tan, id, num } from '../algebra';
import { CODES, fail, snippet } from '../diagnostics';
import { tangentName } from '../naming';
import { resolveCallee } from '../callgraph';
import { COMPOUND_TO_BINARY, BINARY_RULES } from '../rules/scalar';
import { diffKind } from '../types';
import { countWork } from '../work';
import { Dual, ExpressionLowering, hintFor, isCheap } from './expressions';

const f = ts.factory;

/** Statements whose child statements (and blocks' statements) `visitStatementKind` emits through `visitStatement`. */
const VISITS_CHILD_STATEMENTS = new Set<ts.SyntaxKind>([ts.SyntaxKind.IfStatement, ts.SyntaxKind.Block, ts.SyntaxKind.ForStatement,
  ts.SyntaxKind.ForOfStatement, ts.SyntaxKind.ForInStatement, ts.SyntaxKind.WhileStatement, ts.SyntaxKind.DoStatement,
  ts.SyntaxKind.LabeledStatement, ts.SyntaxKind.CaseClause, ts.SyntaxKind.DefaultClause, ts.SyntaxKind.TryStatement,
  ts.SyntaxKind.CatchClause]);

export class StatementEmitter extends ExpressionLowering {
  /** Emits `stmts` into a fresh list and returns it. */
  block(stmts: readonly ts.Statement[]): ts.Statement[] {
    const saved = this.out;
    this.out = [];
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
    ts.forEachChild(n, (c) => { if (!any && this.touchesActive(c)) any = true; });
    return any;
  }

  /** Emits the lowering of `s`; every synthesized statement maps back to `s` in source maps. */
  visitStatement(s: ts.Statement): void {
    const start = this.out.length;
    this.visitStatementKind(s);
    for (let i = start; i < this.out.length; i++) {
      const n = this.out[i];
      if (n.pos < 0 && !ts.getSourceMapRange(n).pos) ts.setSourceMapRange(n, s);
    }
  }

  private visitStatementKind(s: ts.Statement): void {
    this.rejectClosures(s);
    switch (s.kind) {
      case ts.SyntaxKind.VariableStatement: return this.visitVariableStatement(s as ts.VariableStatement);
      case ts.SyntaxKind.ExpressionStatement: return this.visitExpressionStatement(s as ts.ExpressionStatement);
      case ts.SyntaxKind.ReturnStatement: return this.visitReturn(s as ts.ReturnStatement);
      case ts.SyntaxKind.IfStatement: {
        const i = s as ts.IfStatement;
        this.emit(f.updateIfStatement(i, i.expression, this.asBlock(i.thenStatement), i.elseStatement && this.visitElse(i.elseStatement)));
        return;
      }
      case ts.SyntaxKind.Block: this.emit(f.updateBlock(s as ts.Block, this.block((s as ts.Block).statements))); return;
      case ts.SyntaxKind.ForStatement: return this.visitFor(s as ts.ForStatement);
      case ts.SyntaxKind.ForOfStatement: return this.visitForOf(s as ts.ForOfStatement);
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
        const clauses = sw.caseBlock.clauses.map((c) => ts.isCaseClause(c)
          ? f.updateCaseClause(c, c.expression, this.block(c.statements)) : f.updateDefaultClause(c, this.block(c.statements)));
        this.emit(f.updateSwitchStatement(sw, sw.expression, f.updateCaseBlock(sw.caseBlock, clauses)));
        return;
      }
      case ts.SyntaxKind.TryStatement: {
        const t = s as ts.TryStatement;
        const tryBlock = f.createBlock(this.block(t.tryBlock.statements), true);
        const c = t.catchClause && f.updateCatchClause(t.catchClause, t.catchClause.variableDeclaration, f.createBlock(this.block(t.catchClause.block.statements), true));
        const fin = t.finallyBlock && f.createBlock(this.block(t.finallyBlock.statements), true);
        this.emit(f.updateTryStatement(t, tryBlock, c, fin));
        return;
      }
      case ts.SyntaxKind.BreakStatement: case ts.SyntaxKind.ContinueStatement: case ts.SyntaxKind.EmptyStatement:
      case ts.SyntaxKind.ThrowStatement:
        this.emit(s); return;
      default:
        if (this.touchesActive(s)) {
          return fail(s, `${ts.SyntaxKind[s.kind]} using active (differentiated) values is not supported`, 'move it out of the differentiated function');
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

  /** Closures over active variables would need their own tangents: rejected with a located error. */
  private rejectClosures(s: ts.Statement): void {
    const visit = (n: ts.Node): void => {
      countWork();
      // a nested statement the emitter visits itself is checked then (issue 10: walking it here too was quadratic in nesting)
      if (n !== s && n.parent && VISITS_CHILD_STATEMENTS.has(n.parent.kind) && (ts.isStatement(n) || ts.isBlock(n))) return;
      if (ts.isFunctionLike(n)) {
        if (this.touchesActive(n)) {
          fail(n, 'a closure that uses active (differentiated) variables is not supported', 'move the function to module level and pass the values as arguments');
        }
        return;
      }
      if (n.kind === ts.SyntaxKind.YieldExpression || n.kind === ts.SyntaxKind.AwaitExpression) {
        fail(n, `'${snippet(n)}' cannot appear in a differentiated function`, 'differentiate a synchronous, non-generator function');
      }
      if (ts.isIdentifier(n) && n.text === 'arguments' && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) {
        fail(n, "'arguments' cannot be used in a differentiated function", 'declare the parameters explicitly');
      }
      ts.forEachChild(n, visit);
    };
    visit(s);
  }

  private checkInactiveHeader(e: ts.Expression | undefined): void {
    if (!e) return;
    const visit = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && isAssignmentOperator(n.operatorToken.kind) && this.activity.carries(n)) {
        fail(n, `assignment to an active value in a loop header ('${snippet(n)}') is not supported`, 'move the update into the loop body');
      }
      if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && this.touchesActive(n.operand)
        && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) {
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
    const needsSplit = list.declarations.some((d) => this.isActiveBinding(d.name) || (d.initializer && this.activity.carries(d.initializer)));
    if (!needsSplit) { this.emit(s); return; }
    for (const d of list.declarations) this.visitDeclaration(d, flags);
  }

  private isActiveBinding(name: ts.BindingName): boolean {
    if (ts.isIdentifier(name)) return this.activity.isActiveSymbol(name);
    return name.elements.some((e) => !ts.isOmittedExpression(e) && this.isActiveBinding(e.name));
  }

  private decl(name: string | ts.BindingName, init: ts.Expression | undefined, flags: ts.NodeFlags, type?: ts.TypeNode): ts.Statement {
    return f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(name, undefined, type, init)], flags));
  }

  private visitDeclaration(d: ts.VariableDeclaration, flags: ts.NodeFlags): void {
    if (!this.isActiveBinding(d.name)) {
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
    let init = d.initializer;
    while (ts.isParenthesizedExpression(init)) init = init.expression;
    this.declTarget = { node: init, name: d.name, tangent: () => dname, flags };
    const v = this.lower(d.initializer);
    const claimed = this.declTarget.done;
    this.declTarget = undefined;
    if (claimed && ts.isIdentifier(v.p) && v.p.text === d.name.text) {
      // the output was declared under the user's name; a twin call declared the tangent too
      if (!(ts.isIdentifier(v.t ?? id('')) && (v.t as ts.Identifier).text === dname.text)) this.emit(this.decl(dname, v.t ?? this.zeroOfInitializer(d.initializer, kind, d.name), flags, d.type));
      return;
    }
    this.emit(this.decl(d.name, v.p, flags, d.type));
    this.emit(this.decl(dname, v.t ?? this.zeroOfInitializer(d.initializer, kind, d.name), flags, d.type));
  }

  /** A zero tangent mirroring an inactive initializer: literals and `new Float64Array(n)` are copied as zeros. */
  private zeroOfInitializer(init: ts.Expression, kind: ReturnType<ExpressionLowering['kindOf']>, name: ts.Identifier): ts.Expression {
    if (kind === 'number' || kind === 'tensor') return this.zeroFor(kind, () => name);
    if (ts.isArrayLiteralExpression(init) && init.elements.every((e) => ts.isNumericLiteral(e) || (ts.isPrefixUnaryExpression(e) && ts.isNumericLiteral(e.operand)))) {
      return f.createArrayLiteralExpression(init.elements.map(() => num(0)));
    }
    if (ts.isObjectLiteralExpression(init) && init.properties.every((p) => ts.isPropertyAssignment(p) && ts.isNumericLiteral(p.initializer))) {
      return f.createObjectLiteralExpression(init.properties.map((p) => f.createPropertyAssignment((p as ts.PropertyAssignment).name, num(0))));
    }
    if (ts.isNewExpression(init) && ts.isIdentifier(init.expression) && /^Float(32|64)Array$/.test(init.expression.text)
      && init.arguments?.length === 1 && this.kindOf(init.arguments[0]) === 'number') {
      return f.createNewExpression(id(init.expression.text), undefined, [this.hoist(init.arguments[0], 'n')]);
    }
    return this.zeroFor(kind, () => name);
  }

  /** `[a, {x}]` → `[da, {x: dx}]`, skipping names without tangents. */
  private tangentPattern(name: ts.BindingName): ts.BindingName {
    if (ts.isIdentifier(name)) return this.tangentOf(name);
    if (ts.isArrayBindingPattern(name)) {
      return f.createArrayBindingPattern(name.elements.map((e) => {
        if (ts.isOmittedExpression(e) || !this.hasTangent(e.name)) return f.createOmittedExpression();
        if (e.initializer || e.dotDotDotToken) fail(e, 'defaults and rest elements in an active destructuring are not supported', 'destructure plainly and assign defaults after');
        return f.createBindingElement(undefined, undefined, this.tangentPattern(e.name));
      }));
    }
    return f.createObjectBindingPattern(name.elements.filter((e) => this.hasTangent(e.name)).map((e) => {
      if (e.initializer || e.dotDotDotToken) fail(e, 'defaults and rest elements in an active destructuring are not supported', 'destructure plainly and assign defaults after');
      const key = e.propertyName ?? (ts.isIdentifier(e.name) ? e.name : undefined);
      if (!key) return fail(e, 'unsupported destructuring', 'destructure plainly');
      return f.createBindingElement(undefined, ts.isIdentifier(key) ? key.text : key as ts.PropertyName, this.tangentPattern(e.name));
    }));
  }

  private hasTangent(name: ts.BindingName): boolean {
    if (ts.isIdentifier(name)) return this.activity.isActiveSymbol(name);
    return name.elements.some((e) => !ts.isOmittedExpression(e) && this.hasTangent(e.name));
  }

  // ---- expression statements ----

  private visitExpressionStatement(s: ts.ExpressionStatement): void {
    let e = s.expression;
    while (ts.isParenthesizedExpression(e)) e = e.expression;
    if (ts.isBinaryExpression(e) && isAssignmentOperator(e.operatorToken.kind)) {
      const root = this.activity.rootOf(e.left);
      const targetActive = ts.isIdentifier(root) ? this.activity.isActiveSymbol(root)
        : ts.isArrayLiteralExpression(e.left) || ts.isObjectLiteralExpression(e.left) ? this.touchesActive(e.left) : false;
      if (targetActive) return this.visitAssignment(e);
      if (!this.activity.carries(e.right)) { this.emit(s); return; }
      const v = this.lower(e.right);
      this.emit(f.createExpressionStatement(f.createBinaryExpression(e.left, e.operatorToken, v.p)));
      return;
    }
    if ((ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e))
      && (e.operator === ts.SyntaxKind.PlusPlusToken || e.operator === ts.SyntaxKind.MinusMinusToken)) {
      this.emit(s); // d(x ± 1) = dx: the tangent is unchanged
      return;
    }
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'push'
      && this.activity.carries(e.expression.expression)) {
      return this.visitPush(e, e.expression);
    }
    // statement-level call of a differentiated function (it may write active values into its arguments)
    if (ts.isCallExpression(e) && e.arguments.some((a) => this.activity.carries(a))) {
      const callee = resolveCallee(e.expression, this.checker);
      if (callee && this.ctx.plan.twins.get(callee)) { this.lowerUserCall(e, true); return; }
    }
    if (!this.activity.carries(e)) { this.emit(s); return; }
    const v = this.lower(e);
    if (!isCheap(v.p)) this.emit(f.createExpressionStatement(v.p));
  }

  private visitPush(call: ts.CallExpression, access: ts.PropertyAccessExpression): void {
    const arr = this.hoistDual(this.lower(access.expression), hintFor(access.expression));
    const vals = call.arguments.map((a) => this.hoistDual(this.lower(a), hintFor(a)));
    this.emit(f.createExpressionStatement(f.createCallExpression(f.createPropertyAccessExpression(arr.p, 'push'), undefined, vals.map((v) => v.p))));
    this.emit(f.createExpressionStatement(f.createCallExpression(f.createPropertyAccessExpression(arr.t!, 'push'), undefined,
      vals.map((v, i) => v.t ?? this.zeroFor(this.kindOf(call.arguments[i]), () => v.p)))));
  }

  /** The tangent place of an assignment target: `x` → `dx`, `a[i]` → `da[i]`, `o.f` → `do.f`. */
  private targetPair(target: ts.Expression): { p: ts.Expression; t: ts.Expression } {
    if (ts.isIdentifier(target)) return { p: target, t: this.tangentOf(target) };
    if (ts.isParenthesizedExpression(target) || ts.isNonNullExpression(target)) return this.targetPair(target.expression);
    if (ts.isElementAccessExpression(target)) {
      const o = this.targetPair(target.expression);
      const i = this.hoist(target.argumentExpression, 'i');
      return { p: f.createElementAccessExpression(o.p, i), t: f.createElementAccessExpression(o.t, i) };
    }
    if (ts.isPropertyAccessExpression(target)) {
      const o = this.targetPair(target.expression);
      return { p: f.createPropertyAccessExpression(o.p, target.name), t: f.createPropertyAccessExpression(o.t, target.name.text) };
    }
    return fail(target, `assignment to '${snippet(target)}' is not supported`, 'assign to a variable, an array element or an object field');
  }

  private visitAssignment(e: ts.BinaryExpression): void {
    const op = e.operatorToken.kind;
    if (ts.isArrayLiteralExpression(e.left) || ts.isObjectLiteralExpression(e.left)) {
      return fail(e.left, 'destructuring assignment to active variables is not supported', 'assign each variable on its own (use a temporary)');
    }
    const target = this.targetPair(e.left);
    const kind = this.kindOf(e.left);
    let tangent: Tan;
    let primalOp: ts.BinaryOperator = op as ts.BinaryOperator;
    let rhs: ts.Expression;
    if (op === ts.SyntaxKind.EqualsToken) {
      const v = this.lower(e.right);
      rhs = v.p;
      tangent = v.t ?? this.zeroFor(kind, () => target.p);
      this.emit(f.createExpressionStatement(f.createAssignment(target.t, tangent)));
    } else if (op === ts.SyntaxKind.PlusEqualsToken || op === ts.SyntaxKind.MinusEqualsToken) {
      const v = this.lower(e.right);
      rhs = v.p;
      if (v.t) this.emit(f.createExpressionStatement(f.createBinaryExpression(target.t, op, v.t)));
    } else {
      const bop = COMPOUND_TO_BINARY[op];
      const rule = bop !== undefined ? BINARY_RULES[bop] : undefined;
      if (!rule || bop === undefined) return fail(e, `operator '${e.operatorToken.getText()}' on an active value is not supported`, 'use +=, -=, *=, /=, **= or an explicit assignment');
      const v = this.hoistDual(this.lower(e.right), hintFor(e.right));
      const cur: Dual = { p: target.p, t: target.t };
      const res = this.applyRule(rule, [cur, v], e, ([a, b]) => f.createBinaryExpression(a, bop, b));
      rhs = v.p;
      // res.p may have been hoisted (the rule needed the result): then assign it directly
      if (ts.isIdentifier(res.p)) { primalOp = ts.SyntaxKind.EqualsToken; rhs = res.p; }
      this.emit(f.createExpressionStatement(f.createAssignment(target.t, res.t ?? num(0))));
    }
    this.emit(f.createExpressionStatement(f.createBinaryExpression(target.p, primalOp, rhs)));
  }

  // ---- control flow ----

  private visitReturn(s: ts.ReturnStatement): void {
    const ret = this.returnKind();
    if (!s.expression) { this.emit(f.updateReturnStatement(s, f.createArrayLiteralExpression([id('undefined'), id('undefined')]))); return; }
    const v = this.lower(s.expression);
    const p = v.t || ret === 'number' || ret === 'tensor' || ret === 'none' ? v : this.hoistDual(v, 'result');
    const t = p.t ?? this.zeroFor(ret, () => p.p);
    // `const [y, dy] = g_jvp(…); return [y, dy];` → `return g_jvp(…);`
    const last = this.out[this.out.length - 1];
    if (last && ts.isVariableStatement(last) && ts.isIdentifier(p.p) && ts.isIdentifier(t)) {
      const d = last.declarationList.declarations[0];
      if (d.initializer && ts.isArrayBindingPattern(d.name) && d.name.elements.length === 2 && d.name.elements.every(ts.isBindingElement)
        && [p.p.text, t.text].every((n, i) => bindingText((d.name as ts.ArrayBindingPattern).elements[i] as ts.BindingElement) === n)) {
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
    if (init && (ts.isVariableDeclarationList(init) ? init.declarations.some((d) => this.isActiveBinding(d.name)) : this.activity.carries(init))) {
      return fail(init, `an active (differentiated) value in a for-loop initializer ('${snippet(init)}') is not supported`, 'declare the variable before the loop');
    }
    if (s.incrementor && ts.isBinaryExpression(s.incrementor) && isAssignmentOperator(s.incrementor.operatorToken.kind)
      && this.touchesActive(this.activity.rootOf(s.incrementor.left))) {
      return fail(s.incrementor, `an update of an active value in a for-loop header ('${snippet(s.incrementor)}') is not supported`, 'move the update into the loop body');
    }
    this.checkInactiveHeader(s.condition);
    this.emit(f.updateForStatement(s, init, s.condition, s.incrementor, this.asBlock(s.statement)));
  }

  /** for (const v of arr) over an active array: a counter walks the tangent array alongside. */
  private visitForOf(s: ts.ForOfStatement): void {
    const init = s.initializer;
    const names = ts.isVariableDeclarationList(init) ? init.declarations.map((d) => d.name) : [];
    const active = names.some((n) => this.isActiveBinding(n));
    if (!active) {
      if (!ts.isVariableDeclarationList(init) && this.activity.carries(s.expression)) {
        return fail(init, 'for…of over an active array must declare its loop variable', 'write for (const v of arr)');
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
    void tangentName; void CODES;
  }
}

function bindingText(e: ts.BindingElement): string | undefined {
  return ts.isIdentifier(e.name) ? e.name.text : undefined;
}
