// Pass 3: activity analysis (type-aware). A variable is active when it has a differentiable type and some
// value flowing into it may carry a nonzero tangent; parameters with tangent slots start active. Loop
// counters, lengths, shapes, constants, comparisons and non-numeric values stay inactive: no tangent code.
import * as ts from 'typescript';
import { CODES, ForwardGradError, snippet } from './diagnostics';
import { ZERO_DERIVATIVE_BINARY, ZERO_DERIVATIVE_MATH } from './rules/scalar';
import { arrayMethod, isInactiveArrayMethod } from './rules/arrays';
import { TensorRules, isInactiveProperty } from './rules/tensor';
import { diffKind, isNeverNumeric, isOpaque } from './types';
import { walk } from './nesting';
import { countWork } from './work';
import { FIX as UNRESOLVED_FIX, checkOperand, checkParameter, hasErrorType, opaqueReason } from './opaque';

const NO_TANGENT_BINARY = new Set<ts.SyntaxKind>([
  ...ZERO_DERIVATIVE_BINARY,
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.InstanceOfKeyword,
  ts.SyntaxKind.InKeyword,
]);

/** Operators whose result's tangent depends on both operands (plain and compound). */
const ARITHMETIC = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.PlusToken,
  ts.SyntaxKind.MinusToken,
  ts.SyntaxKind.AsteriskToken,
  ts.SyntaxKind.SlashToken,
  ts.SyntaxKind.PercentToken,
  ts.SyntaxKind.AsteriskAsteriskToken,
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken,
  ts.SyntaxKind.PercentEqualsToken,
  ts.SyntaxKind.AsteriskAsteriskEqualsToken,
]);

export function isMathCall(call: ts.CallExpression): string | undefined {
  const c = call.expression;
  return ts.isPropertyAccessExpression(c) && ts.isIdentifier(c.expression) && c.expression.text === 'Math'
    ? c.name.text
    : undefined;
}

export class Activity {
  readonly active = new Set<ts.Symbol>();

  constructor(
    readonly fn: ts.SignatureDeclaration & { body?: ts.Node },
    readonly checker: ts.TypeChecker,
    readonly tensorRules: TensorRules,
  ) {
    for (const p of fn.parameters) {
      if (ts.isIdentifier(p.name) && p.name.text === 'this') continue;
      checkParameter(p, checker);
      if (diffKind(checker.getTypeAtLocation(p), checker) !== 'none') this.markBinding(p.name);
    }
    // propagate to a fixpoint: each pass can only add symbols
    for (let size = -1; size !== this.active.size;) {
      size = this.active.size;
      if (fn.body) this.scan(fn.body);
    }
  }

  // Memos (issue 10: build time linear in an expression's size). `carries` is asked of every subexpression while
  // scanning and lowering, and each answer walked the subtree: quadratic in nesting depth, with a checker query per
  // identifier each time. A node's symbol never changes; a `true` answer stays true (the active set only grows), a
  // `false` one holds until the next symbol joins the set (so it is stored with the set's size at the time).
  private readonly symbols = new Map<ts.Node, ts.Symbol | undefined>();
  private readonly carried = new Map<ts.Node, true | number>();

  symbolOf(node: ts.Node): ts.Symbol | undefined {
    if (this.symbols.has(node)) return this.symbols.get(node);
    countWork();
    const s = ts.isShorthandPropertyAssignment(node)
      ? this.checker.getShorthandAssignmentValueSymbol(node)
      : this.checker.getSymbolAtLocation(node);
    this.symbols.set(node, s);
    return s;
  }

  isActiveSymbol(node: ts.Node): boolean {
    const s = this.symbolOf(node);
    return !!s && this.active.has(s);
  }

  /** Is `node` inside this function (strictly, when it is a nested function)? */
  /** Does a binding (an identifier or a destructuring pattern) bind an active variable, i.e. need a tangent? */
  bindsActive(name: ts.BindingName): boolean {
    if (ts.isIdentifier(name)) return this.isActiveSymbol(name);
    return name.elements.some((e) => !ts.isOmittedExpression(e) && this.bindsActive(e.name));
  }

  private isInside(node: ts.Node): boolean {
    return (
      node.getSourceFile() === this.fn.getSourceFile() &&
      node.pos >= this.fn.pos &&
      node.end <= this.fn.end &&
      node !== this.fn
    );
  }

  /**
   * The function a name refers to when it is a function declared inside this one (`function g…`, `const g = (…) => …`):
   * a local function, which gets its own twin beside it.
   */
  localFunction(name: ts.Node): ts.FunctionLikeDeclaration | undefined {
    const s = this.symbolOf(name);
    const d = s?.valueDeclaration;
    if (!d || !this.isInside(d)) return undefined;
    if (ts.isFunctionDeclaration(d) && d.body) return d;
    if (ts.isVariableDeclaration(d)) {
      let e = d.initializer;
      while (e && ts.isParenthesizedExpression(e)) e = e.expression;
      if (e && (ts.isArrowFunction(e) || ts.isFunctionExpression(e))) return e;
    }
    return undefined;
  }

  /**
   * May a nested function be called with active arguments? Local functions may (any call site); a callback may when
   * the call it is handed to involves active values (`xs.map(cb)` on an active xs) or it captures active state; a
   * callback of inactive data (`labels.forEach((k) => names.push(k))`) stays inactive.
   */
  private mayReceiveActive(fn: ts.SignatureDeclaration): boolean {
    if (ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) return true;
    let e: ts.Node = fn;
    while (ts.isParenthesizedExpression(e.parent)) e = e.parent;
    const p = e.parent;
    if (ts.isVariableDeclaration(p)) return true;
    if (ts.isCallExpression(p) && p.arguments.includes(e as ts.Expression)) {
      const c = p.expression;
      if (ts.isPropertyAccessExpression(c) && this.carries(c.expression)) return true;
      if (p.arguments.some((a) => a !== e && this.carries(a))) return true;
    }
    return this.captures(fn);
  }

  /**
   * Does a nested function use active state of its enclosing function: an active variable declared outside it, or
   * another local function that does? (Then calling it carries tangents even without active arguments.)
   */
  captures(fn: ts.Node, seen = new Set<ts.Node>()): boolean {
    if (seen.has(fn)) return false;
    seen.add(fn);
    let any = false;
    walk(fn, (n) => {
      if (any) return false;
      if (ts.isIdentifier(n) || ts.isShorthandPropertyAssignment(n)) {
        const s = this.symbolOf(n);
        const d = s?.valueDeclaration;
        if (s && this.active.has(s) && d && !(d.pos >= fn.pos && d.end <= fn.end)) {
          any = true;
          return false;
        }
        const local = ts.isIdentifier(n) ? this.localFunction(n) : undefined;
        if (local && local !== fn && !(local.pos >= fn.pos && local.end <= fn.end) && this.captures(local, seen)) {
          any = true;
          return false;
        }
      }
      return true;
    });
    return any;
  }

  /** May `e` carry a nonzero tangent? (syntactic, over the current active set) */
  carries(e: ts.Node): boolean {
    const memo = this.carried.get(e);
    if (memo === true || memo === this.active.size) return memo === true;
    const v = this.carriesNow(e);
    this.carried.set(e, v || this.active.size);
    return v;
  }

  private carriesNow(e: ts.Node): boolean {
    countWork();
    if (ts.isIdentifier(e)) {
      if (this.isActiveSymbol(e)) return true;
      const local = this.localFunction(e);
      return !!local && this.captures(local);
    }
    if (ts.isShorthandPropertyAssignment(e)) return this.isActiveSymbol(e);
    if (ts.isTypeNode(e)) return false;
    // a function literal carries when it captures active state (its result, through a callback, may depend on it)
    if (ts.isFunctionLike(e)) return this.isInside(e) && this.captures(e);
    if (ts.isPropertyAccessExpression(e))
      return !isInactiveProperty(e.name.text, this.tensorRules) && this.carries(e.expression);
    if (ts.isElementAccessExpression(e)) return this.carries(e.expression);
    if (ts.isCallExpression(e)) {
      const m = isMathCall(e);
      if (m !== undefined && ZERO_DERIVATIVE_MATH.has(m)) return false;
      // console.log(x) only shows values
      if (
        ts.isPropertyAccessExpression(e.expression) &&
        ts.isIdentifier(e.expression.expression) &&
        e.expression.expression.text === 'console'
      )
        return false;
      // xs.indexOf(v), xs.some(p), xs.findIndex(p): positions and booleans carry no tangent
      if (
        ts.isPropertyAccessExpression(e.expression) &&
        isInactiveArrayMethod(e.expression.name.text) &&
        this.isReference(e.expression.expression)
      )
        return false;
      return this.carries(e.expression) || e.arguments.some((a) => this.carries(a));
    }
    if (ts.isBinaryExpression(e)) {
      if (NO_TANGENT_BINARY.has(e.operatorToken.kind)) return false;
      if (e.operatorToken.kind === ts.SyntaxKind.CommaToken) return this.carries(e.right);
      if (isAssignmentOperator(e.operatorToken.kind) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken)
        return this.carries(e.right);
      return this.carries(e.left) || this.carries(e.right);
    }
    if (ts.isPrefixUnaryExpression(e)) {
      return (
        (e.operator === ts.SyntaxKind.MinusToken ||
          e.operator === ts.SyntaxKind.PlusToken ||
          e.operator === ts.SyntaxKind.PlusPlusToken ||
          e.operator === ts.SyntaxKind.MinusMinusToken) &&
        this.carries(e.operand)
      );
    }
    if (ts.isConditionalExpression(e)) return this.carries(e.whenTrue) || this.carries(e.whenFalse);
    if (ts.isTypeOfExpression(e)) return false;
    let any = false;
    ts.forEachChild(e, (c) => {
      if (!any && this.carries(c)) any = true;
    });
    return any;
  }

  /** Active: differentiable type and may carry a tangent. */
  isActive(e: ts.Expression): boolean {
    return this.carries(e) && diffKind(this.checker.getTypeAtLocation(e), this.checker) !== 'none';
  }

  private mark(node: ts.Node, why: ts.Node): void {
    const s = this.symbolOf(node);
    if (!s || this.active.has(s)) return;
    const type = this.checker.getTypeAtLocation(node);
    if (diffKind(type, this.checker) !== 'none') {
      const decl = s.valueDeclaration;
      if (
        !decl ||
        decl.getSourceFile() !== this.fn.getSourceFile() ||
        decl.pos < this.fn.pos ||
        decl.end > this.fn.end
      ) {
        throw new ForwardGradError(
          why,
          `an active (differentiated) value is stored in '${s.name}', which is declared outside the function`,
          'keep differentiated values in local variables and return them',
          CODES.nonNumericSink,
        );
      }
      this.active.add(s);
      return;
    }
    if (type.getCallSignatures().length > 0) {
      throw new ForwardGradError(
        why,
        `a function that uses active (differentiated) values is stored in '${snippet(node)}', where the transform cannot follow its tangents`,
        'call the local function directly (or pass it as the callback of an array method) instead of storing it',
        CODES.unsupported,
      );
    }
    // anything that might hold the number (any, objects, `number | string`, type parameters…) would lose its tangent
    if (hasErrorType(type, this.checker)) {
      throw new ForwardGradError(
        why,
        `an active (differentiated) value flows into '${snippet(node)}', but ${opaqueReason(node, type, this.checker)}`,
        UNRESOLVED_FIX,
        CODES.nonNumericSink,
      );
    }
    if (isOpaque(type) || !isNeverNumeric(type)) {
      throw new ForwardGradError(
        why,
        `an active (differentiated) value flows into '${snippet(node)}', whose type '${this.checker.typeToString(type)}' carries no tangent`,
        'give it a numeric type (number, number[], Float64Array, a tuple or an object with number fields, Tensor)',
        CODES.nonNumericSink,
      );
    }
  }

  private markBinding(name: ts.BindingName, why: ts.Node = name): void {
    if (ts.isIdentifier(name)) this.mark(name, why);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) this.markBinding(el.name, why);
  }

  /** The variable a write target ultimately stores into: `a` for `a[i].x`. */
  rootOf(target: ts.Expression): ts.Expression {
    let e = target;
    for (;;) {
      if (ts.isElementAccessExpression(e) || ts.isPropertyAccessExpression(e)) e = e.expression;
      else if (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e)) e = e.expression;
      else return e;
    }
  }

  private markTarget(target: ts.Expression, why: ts.Node): void {
    if (ts.isArrayLiteralExpression(target)) {
      for (const el of target.elements) this.markTarget(el, why);
      return;
    }
    if (ts.isObjectLiteralExpression(target)) {
      for (const p of target.properties) {
        if (ts.isShorthandPropertyAssignment(p)) this.mark(p.name, why);
        else if (ts.isPropertyAssignment(p)) this.markTarget(p.initializer, why);
      }
      return;
    }
    const root = this.rootOf(target);
    if (root.kind === ts.SyntaxKind.ThisKeyword) {
      throw new ForwardGradError(
        why,
        `cannot store an active value in '${snippet(target)}': 'this' is a constant in differentiated methods`,
        'keep differentiated state in local variables or parameters and return it',
        CODES.nonNumericSink,
      );
    }
    if (ts.isIdentifier(root)) this.mark(root, why);
  }

  /** Is `e` an array/object/typed array (storage that another name may share)? */
  isReference(e: ts.Node): boolean {
    const k = diffKind(this.checker.getTypeAtLocation(e), this.checker);
    return k !== 'none' && k !== 'number' && k !== 'tensor';
  }

  /** Is some variable bound by `name` active and a reference (writes through it are visible elsewhere)? */
  private bindsActiveReference(name: ts.BindingName): boolean {
    if (ts.isIdentifier(name)) return this.isActiveSymbol(name) && this.isReference(name);
    return name.elements.some((el) => !ts.isOmittedExpression(el) && this.bindsActiveReference(el.name));
  }

  /**
   * Storage `e` may share with its result: `a` for `a`, `a[i]`, `a.f`, `c ? a : b`, `[a]`, `{ v: a }`, `g(a)` (a program
   * function may return its argument). A reference stored into an active variable is aliased by it, so its root must
   * carry a tangent too: `const b = a; b[0] = x` changes `a`.
   */
  private aliasRoots(e: ts.Node, out: ts.Node[] = []): ts.Node[] {
    if (
      ts.isParenthesizedExpression(e) ||
      ts.isAsExpression(e) ||
      ts.isNonNullExpression(e) ||
      ts.isSatisfiesExpression(e) ||
      ts.isSpreadElement(e)
    )
      return this.aliasRoots(e.expression, out);
    if (ts.isConditionalExpression(e)) {
      this.aliasRoots(e.whenTrue, out);
      return this.aliasRoots(e.whenFalse, out);
    }
    if (
      ts.isBinaryExpression(e) &&
      (e.operatorToken.kind === ts.SyntaxKind.CommaToken || e.operatorToken.kind === ts.SyntaxKind.EqualsToken)
    )
      return this.aliasRoots(e.right, out);
    if (ts.isArrayLiteralExpression(e)) {
      for (const el of e.elements) this.aliasRoots(el, out);
      return out;
    }
    if (ts.isObjectLiteralExpression(e)) {
      for (const p of e.properties) {
        if (ts.isPropertyAssignment(p)) this.aliasRoots(p.initializer, out);
        else if (ts.isShorthandPropertyAssignment(p)) {
          if (this.isReference(p)) out.push(p);
        } else if (ts.isSpreadAssignment(p)) this.aliasRoots(p.expression, out);
      }
      return out;
    }
    if (ts.isCallExpression(e) && ts.isIdentifier(e.expression)) {
      for (const a of e.arguments) this.aliasRoots(a, out);
      return out;
    }
    // views share their typed array's memory: `t.subarray(i)`, `new Float64Array(t.buffer)`; xs.reverse() is xs
    if (
      ts.isCallExpression(e) &&
      ts.isPropertyAccessExpression(e.expression) &&
      (e.expression.name.text === 'subarray' || arrayMethod(e.expression.name.text)?.returnsReceiver)
    )
      return this.aliasRoots(e.expression.expression, out);
    if (
      ts.isNewExpression(e) &&
      e.arguments?.length &&
      ts.isPropertyAccessExpression(e.arguments[0]) &&
      e.arguments[0].name.text === 'buffer'
    ) {
      return this.aliasRoots(e.arguments[0].expression, out);
    }
    if (
      (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) &&
      this.isReference(e)
    )
      out.push(e);
    return out;
  }

  /**
   * Does a nested function change active state of its enclosing function (assign, increment, or mutate an array
   * declared outside it), directly or through a local function it calls?
   */
  writesCaptured(fn: ts.Node, seen = new Set<ts.Node>()): boolean {
    if (seen.has(fn)) return false;
    seen.add(fn);
    const outside = (target: ts.Expression): boolean => {
      const root = this.rootOf(target);
      const s = ts.isIdentifier(root) ? this.symbolOf(root) : undefined;
      const d = s?.valueDeclaration;
      return !!s && this.active.has(s) && !!d && !(d.pos >= fn.pos && d.end <= fn.end);
    };
    let any = false;
    walk(fn, (n) => {
      if (any) return false;
      if (ts.isBinaryExpression(n) && isAssignmentOperator(n.operatorToken.kind) && outside(n.left)) any = true;
      else if (
        (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) &&
        (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken) &&
        outside(n.operand as ts.Expression)
      )
        any = true;
      else if (
        ts.isCallExpression(n) &&
        ts.isPropertyAccessExpression(n.expression) &&
        arrayMethod(n.expression.name.text)?.mutates &&
        outside(n.expression.expression)
      )
        any = true;
      else if (ts.isCallExpression(n)) {
        const local = this.localFunction(n.expression);
        if (local && local !== fn && this.writesCaptured(local, seen)) any = true;
      }
      return true;
    });
    return any;
  }

  /** Marks what `source` may share storage with, now that an active reference holds it. */
  private markAliases(source: ts.Node, why: ts.Node): void {
    for (const r of this.aliasRoots(source)) {
      if (ts.isShorthandPropertyAssignment(r)) this.mark(r, why);
      else this.markTarget(r as ts.Expression, why);
    }
  }

  /**
   * Arithmetic (or a Math call) with an active operand and an `any`/unresolved one: the opaque operand's tangent would
   * be taken as zero, silently wrong when it is in fact differentiated (issue 8). Operands that carry are active values
   * and are handled (or refused) where they are stored.
   */
  private checkOpaqueOperands(node: ts.Node): void {
    let operands: readonly ts.Expression[] = [];
    if (ts.isBinaryExpression(node) && ARITHMETIC.has(node.operatorToken.kind)) operands = [node.left, node.right];
    else if (ts.isCallExpression(node) && isMathCall(node) !== undefined) operands = node.arguments;
    if (!operands.some((o) => this.carries(o))) return;
    for (const o of operands) if (!this.carries(o)) checkOperand(o, this.checker);
  }

  /** Visits `root` and everything under it in source order, with an explicit stack (issue 10: no recursion per level). */
  private scan(root: ts.Node): void {
    walk(root, (node) => {
      this.scanNode(node);
    });
  }

  private scanNode(node: ts.Node): void {
    countWork();
    if (ts.isFunctionLike(node) && node !== this.fn && this.mayReceiveActive(node)) {
      // a nested function's twin takes a tangent for each differentiable parameter (callbacks, local helpers)
      for (const p of node.parameters) {
        if (ts.isIdentifier(p.name) && p.name.text === 'this') continue;
        checkParameter(p, this.checker);
        if (diffKind(this.checker.getTypeAtLocation(p), this.checker) !== 'none') this.markBinding(p.name);
      }
    }
    this.checkOpaqueOperands(node);
    const fnInit = ts.isVariableDeclaration(node) && node.initializer && ts.isFunctionLike(unparen(node.initializer));
    if (fnInit) {
      /* a local function: its name carries no tangent, its body is scanned too */
    } else if (ts.isVariableDeclaration(node) && node.initializer && this.carries(node.initializer))
      this.markBinding(node.name, node);
    else if (ts.isVariableDeclaration(node) && node.initializer && this.bindsActiveReference(node.name))
      this.markAliases(node.initializer, node);
    else if (ts.isBinaryExpression(node) && isAssignmentOperator(node.operatorToken.kind)) {
      const compound = node.operatorToken.kind !== ts.SyntaxKind.EqualsToken;
      if (this.carries(node.right) || (compound && this.carries(node.left))) this.markTarget(node.left, node);
      else if (!compound) {
        const root = this.rootOf(node.left);
        if (ts.isIdentifier(root) && this.isActiveSymbol(root) && this.isReference(node.right))
          this.markAliases(node.right, node);
      }
    } else if (ts.isForOfStatement(node) && this.carries(node.expression)) {
      const init = node.initializer;
      if (ts.isVariableDeclarationList(init)) for (const d of init.declarations) this.markBinding(d.name, node);
      else this.markTarget(init, node);
    } else if (
      ts.isForOfStatement(node) &&
      ts.isVariableDeclarationList(node.initializer) &&
      node.initializer.declarations.some((d) => this.bindsActiveReference(d.name))
    ) {
      this.markAliases(node.expression, node); // `for (const row of m) row[0] = x` writes into m
    } else if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      (node.expression.name.text === 'push' || node.expression.name.text === 'unshift') &&
      !node.arguments.some((a) => this.carries(a)) &&
      this.carries(node.expression.expression)
    ) {
      for (const a of node.arguments) if (this.isReference(a)) this.markAliases(a, node); // `m.push(row)`: m[k] is row
    } else if (ts.isCallExpression(node) && node.arguments.some((a) => this.carries(a))) {
      const c = node.expression;
      if (ts.isPropertyAccessExpression(c) && arrayMethod(c.name.text)?.mutates) this.markTarget(c.expression, node);
      else if (!isMathCall(node)) {
        // a differentiated callee may write active values into array/object arguments
        for (const a of node.arguments) {
          const k = diffKind(this.checker.getTypeAtLocation(a), this.checker);
          if (k !== 'none' && k !== 'number' && k !== 'tensor') {
            const r = this.rootOf(a);
            if (ts.isIdentifier(r)) this.mark(r, node);
          }
        }
      }
    }
  }
}

/** `e` without its enclosing parentheses. */
export function unparen(e: ts.Expression): ts.Expression {
  return ts.isParenthesizedExpression(e) ? unparen(e.expression) : e;
}

export function isAssignmentOperator(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}
