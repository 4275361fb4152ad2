// Freeing dead tensors inside a twin. Forward mode needs no stored activations (the paper's memory argument, its
// Fig. 6), but every op result lives until the enclosing tidy scope ends, so a twin's peak memory grew with depth
// like backprop's. The twin frees what it provably owns as soon as it is dead, so its peak is one layer's worth:
//
//   1. TEMPORARIES. The result of an op call nested in another op call (`relu(matmul(h, w))`: the matmul result) is
//      a fresh pair only the emitter names, used exactly once: freed right after the consuming op returns.
//   2. REASSIGNED VARIABLES. A `let` Tensor variable (`h = relu(matmul(h, w))`) frees its previous value once the
//      new one is computed, when that value is OWNED (produced by an op call in this twin, never a parameter, an
//      input, a field read or a user function's result) and no value of the variable can be seen elsewhere: every
//      use is in the table below. Ownership is static when all assignments agree, else a flag (`h_owned`) records it.
//
// Why this is safe: ops never retain or return their inputs (a view such as reshape's holds its own reference to
// the shared buffer), so a value nobody else can name is dead once replaced. Anything else — a parameter, a
// variable returned, stored, aliased, captured by a closure, passed to a user function — is never freed (when
// unsure, keep). Only the twin is touched; the user's function is emitted as written.
import * as ts from 'typescript';
import { Activity } from '../activity';
import { id } from '../algebra';
import { isInactiveProperty } from '../rules/tensor';
import { walk } from '../nesting';
import { diffKind } from '../types';
import { countWork } from '../work';
import { FileContext } from './context';

const f = ts.factory;

/** A lowered (primal, tangent) pair whose parts are identifiers (what hoisted op calls produce). */
interface Pair {
  readonly p: ts.Expression;
  readonly t: ts.Expression | undefined;
}

/** How a reassigned variable's previous value is freed: always (every value it holds is owned) or when its flag says so. */
type Ownership = 'always' | 'flag';

/** Uses of a variable that let no value escape: where each reference may sit (anything else disqualifies it). */
type Use = 'declaration' | 'assigned' | 'op argument' | 'inactive property' | 'tensor method receiver';

/** Wrappers that leave the value as it is (`(h)`, `h!`, `h as Tensor`). */
function unwrap(e: ts.Expression): ts.Expression {
  while (
    ts.isParenthesizedExpression(e) ||
    ts.isNonNullExpression(e) ||
    ts.isAsExpression(e) ||
    ts.isSatisfiesExpression(e) ||
    ts.isTypeAssertionExpression(e)
  )
    e = e.expression;
  return e;
}

export class Releases {
  /** Op calls hoisted into fresh temporaries, not yet consumed. */
  private readonly temps = new Map<ts.Node, Pair>();
  private candidates?: Map<ts.Symbol, Ownership>;
  private readonly flags = new Map<ts.Symbol, string>();

  constructor(
    private readonly ctx: FileContext,
    private readonly activity: Activity,
    private readonly fn: ts.Node,
    private readonly isOp: (callee: ts.Expression) => boolean,
    private readonly fresh: (hint: string) => string,
    private readonly tangentOf: (n: ts.Node) => ts.Identifier,
    readonly enabled: boolean,
  ) {}

  // ---- 1. temporaries ----

  /** Records the fresh pair an op call was hoisted into (a claimed declaration target is never an argument, so never consumed). */
  produced(call: ts.CallExpression, pair: Pair): void {
    if (this.enabled) this.temps.set(call, pair);
  }

  /** `fg.releaseTemp(v, dv)` for each argument that was an op call hoisted into a temporary: its only use just returned. */
  consumed(args: readonly ts.Expression[]): ts.Statement[] {
    const out: ts.Statement[] = [];
    for (const a of args) {
      const key = unwrap(a);
      const pair = this.temps.get(key);
      if (!pair) continue;
      this.temps.delete(key);
      out.push(this.releaseCall(pair.p, pair.t));
    }
    return out;
  }

  // ---- 2. reassigned variables ----

  /** After `let h = …` of a variable freed by flag: `let h_owned = <initializer is an op result>;`. */
  declared(d: ts.VariableDeclaration): ts.Statement[] {
    const sym = this.activity.symbolOf(d.name);
    if (!sym || this.ownership(sym) !== 'flag') return [];
    const flag = this.fresh(`${(d.name as ts.Identifier).text}_owned`);
    this.flags.set(sym, flag);
    return [
      f.createVariableStatement(
        undefined,
        f.createVariableDeclarationList(
          [f.createVariableDeclaration(flag, undefined, undefined, this.ownedLiteral(d.initializer))],
          ts.NodeFlags.Let,
        ),
      ),
    ];
  }

  /**
   * For `h = rhs` (the new value already computed): `before` frees h's previous value (unconditionally, or
   * `if (h_owned) …`), `after` updates the flag. Empty for variables that are not freed.
   */
  reassigned(e: ts.BinaryExpression): { before: ts.Statement[]; after: ts.Statement[] } {
    const none = { before: [], after: [] };
    if (!ts.isIdentifier(e.left)) return none;
    const sym = this.activity.symbolOf(e.left);
    const mode = sym && this.ownership(sym);
    if (!sym || !mode) return none;
    const free = this.releaseCall(id(e.left.text), this.tangentOf(e.left));
    if (mode === 'always') return { before: [free], after: [] };
    const flag = this.flags.get(sym);
    if (!flag) return none; // declared where the emitter did not see it: keep (never guess)
    return {
      before: [f.createIfStatement(id(flag), free)],
      after: [f.createExpressionStatement(f.createAssignment(id(flag), this.ownedLiteral(e.right)))],
    };
  }

  private ownership(sym: ts.Symbol): Ownership | undefined {
    if (!this.enabled) return undefined;
    this.candidates ??= this.findCandidates();
    return this.candidates.get(sym);
  }

  /** Is `e` a value this twin owns: the result of a tensor op call (a fresh tensor nobody else holds)? */
  private owned(e: ts.Expression | undefined): boolean {
    const x = e && unwrap(e);
    return !!x && ts.isCallExpression(x) && this.isOp(x.expression);
  }

  private ownedLiteral(e: ts.Expression | undefined): ts.Expression {
    return this.owned(e) ? f.createTrue() : f.createFalse();
  }

  private releaseCall(p: ts.Expression, t: ts.Expression | undefined): ts.Statement {
    const name = (x: ts.Expression): ts.Expression => (ts.isIdentifier(x) ? id(x.text) : x);
    return f.createExpressionStatement(
      f.createCallExpression(this.ctx.runtime('releaseTemp'), undefined, [name(p), t ? name(t) : id('undefined')]),
    );
  }

  /** The active `let` Tensor variables of this function whose every reference is a safe use, and how they are freed. */
  private findCandidates(): Map<ts.Symbol, Ownership> {
    // every reference of an active symbol, and whether it sits inside a nested function (a capture)
    const refs = new Map<ts.Symbol, { node: ts.Node; captured: boolean }[]>();
    const collect =
      (captured: boolean) =>
      (n: ts.Node): boolean | void => {
        countWork();
        if (!captured && n !== this.fn && ts.isFunctionLike(n)) {
          walk(n, collect(true));
          return false;
        }
        // `{ h }` names the variable through the property (an escape); any other identifier names it directly
        const s = ts.isShorthandPropertyAssignment(n) || ts.isIdentifier(n) ? this.activity.symbolOf(n) : undefined;
        if (s && this.activity.active.has(s)) (refs.get(s) ?? refs.set(s, []).get(s)!).push({ node: n, captured });
      };
    const body = (this.fn as ts.FunctionLikeDeclaration).body;
    if (body) walk(body, collect(false));
    const out = new Map<ts.Symbol, Ownership>();
    for (const [sym, uses] of refs) {
      const decl = sym.valueDeclaration;
      if (!decl || !ts.isVariableDeclaration(decl) || !this.isLet(decl)) continue;
      if (!uses.some((u) => u.node === decl.name && !u.captured)) continue; // declared in a nested function (or elsewhere)
      const sources: (ts.Expression | undefined)[] = [decl.initializer];
      let safe = true;
      for (const u of uses) {
        const use = u.captured ? undefined : this.useOf(u.node, decl);
        if (!use) {
          safe = false;
          break;
        }
        if (use === 'assigned') sources.push((u.node.parent as ts.BinaryExpression).right);
      }
      if (!safe || sources.length < 2) continue; // never reassigned: nothing to free early
      // no initializer holds undefined, which freeing ignores: it counts as owned
      const owned = sources.map((s, i) => (i === 0 && !s) || this.owned(s));
      if (owned.every(Boolean)) out.set(sym, 'always');
      else if (owned.some(Boolean)) out.set(sym, 'flag');
    }
    return out;
  }

  /** `let h [= …];` as a statement (not a loop header), of Tensor type. */
  private isLet(decl: ts.VariableDeclaration): boolean {
    const list = decl.parent;
    if (!ts.isIdentifier(decl.name) || !(list.flags & ts.NodeFlags.Let) || !ts.isVariableStatement(list.parent))
      return false;
    return diffKind(this.ctx.checker.getTypeAtLocation(decl.name), this.ctx.checker) === 'tensor';
  }

  /** Where reference `n` (not inside a nested function) sits, when that use lets no value escape; undefined otherwise. */
  private useOf(n: ts.Node, decl: ts.VariableDeclaration): Use | undefined {
    if (n === decl.name) return 'declaration';
    if (!ts.isIdentifier(n)) return undefined; // shorthand `{ h }`
    const parent = n.parent;
    // `h = rhs;` as a statement (the form the statement emitter frees around)
    if (
      ts.isBinaryExpression(parent) &&
      parent.left === n &&
      parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isExpressionStatement(parent.parent)
    )
      return 'assigned';
    let e: ts.Node = n;
    while (
      ts.isParenthesizedExpression(e.parent) ||
      ts.isNonNullExpression(e.parent) ||
      ts.isAsExpression(e.parent) ||
      ts.isSatisfiesExpression(e.parent) ||
      ts.isTypeAssertionExpression(e.parent)
    )
      e = e.parent;
    const p = e.parent;
    if (ts.isCallExpression(p) && p.arguments.includes(e as ts.Expression) && this.isOp(p.expression))
      return 'op argument';
    if (ts.isPropertyAccessExpression(p) && p.expression === e) {
      if (isInactiveProperty(p.name.text, this.ctx.tensorRules)) return 'inactive property';
      if (this.ctx.tensorRules.methods[p.name.text] && ts.isCallExpression(p.parent) && p.parent.expression === p)
        return 'tensor method receiver';
    }
    return undefined;
  }
}
