// Array methods on active arrays (rules/arrays.ts says which lowering each method takes). Callbacks run
// through their twin inside a small wrapper that hands each element its tangent and stores the tangent of
// what the callback returns, so the primal method keeps its own semantics (holes, order, early exit):
//
//   const dys = new Array(xs.length);
//   const ys = xs.map((v, i, a) => { const [y, dy] = map_cb_jvp(v, dxs[i], i); dys[i] = dy; return y; });
import * as ts from 'typescript';
import { unparen } from '../activity';
import { Tan, id, num } from '../algebra';
import { TwinInfo, localName, resolveCallee, tangentSlots } from '../callgraph';
import { CODES, fail, snippet } from '../diagnostics';
import { twinName } from '../naming';
import { ArrayMethodRule, arrayMethod, carriesTangent, isArrayFrom } from '../rules/arrays';
import { refuse } from '../rules/unsupported';
import { Dual, ExpressionLowering, hintFor } from './expressions';

const f = ts.factory;

const CALLBACK_KINDS = new Set([
  'map',
  'forEach',
  'reduce',
  'reduceRight',
  'filter',
  'find',
  'flatMap',
  'predicate',
  'sort',
]);
/** Callbacks whose result carries no tangent: they run as written, so they must not change active state. */
const INACTIVE_CALLBACKS = new Set(['filter', 'find', 'predicate', 'sort']);

const call = (callee: ts.Expression, args: readonly ts.Expression[]): ts.CallExpression =>
  f.createCallExpression(callee, undefined, args);
const method = (recv: ts.Expression, name: string, args: readonly ts.Expression[]): ts.CallExpression =>
  call(f.createPropertyAccessExpression(recv, name), args);
const at = (arr: ts.Expression, i: ts.Expression): ts.Expression => f.createElementAccessExpression(arr, i);
const stmt = (e: ts.Expression): ts.Statement => f.createExpressionStatement(e);
const assign = (a: ts.Expression, b: ts.Expression): ts.Statement => stmt(f.createAssignment(a, b));

export abstract class ArrayLowering extends ExpressionLowering {
  protected abstract localTwin(info: TwinInfo): ts.Statement;

  /** Is `e` an array value (number[], any[], a tuple, a typed array), whatever its activity? */
  protected isArrayValue(e: ts.Expression): boolean {
    const type = this.checker.getTypeAtLocation(e);
    const k = this.kindOf(e);
    return (
      k === 'array' ||
      k === 'typedArray' ||
      k === 'tuple' ||
      this.checker.isArrayType(type) ||
      this.checker.isTupleType(type)
    );
  }

  /** The callback argument position of a call the array lowering handles, with the method's rule. */
  private callbackSite(n: ts.Node): { call: ts.CallExpression; name: string; rule?: ArrayMethodRule } | undefined {
    let e: ts.Node = n;
    while (ts.isParenthesizedExpression(e.parent)) e = e.parent;
    const c = e.parent;
    if (
      !c ||
      !ts.isCallExpression(c) ||
      !c.arguments.includes(e as ts.Expression) ||
      !ts.isPropertyAccessExpression(c.expression)
    )
      return undefined;
    const name = c.expression.name.text;
    if (isArrayFrom(c)) return c.arguments[1] === e ? { call: c, name: 'from' } : undefined;
    const rule = arrayMethod(name);
    if (!rule || !CALLBACK_KINDS.has(rule.kind) || c.arguments[0] !== e || !this.isArrayValue(c.expression.expression))
      return undefined;
    return { call: c, name, rule };
  }

  /** A function literal or name used as the callback of an array method this lowering handles. */
  protected isHandledCallback(n: ts.Node): boolean {
    const site = this.callbackSite(n);
    if (!site) return false;
    const fn = this.callbackFunction(n as ts.Expression);
    if (site.rule && INACTIVE_CALLBACKS.has(site.rule.kind) && fn && this.activity.writesCaptured(fn)) {
      refuse(n, 'sideEffectingPredicate', site.name);
    }
    return true;
  }

  /** The function a callback expression stands for: a literal, or a local/program function it names. */
  private callbackFunction(cb: ts.Expression): ts.SignatureDeclaration | undefined {
    const e = unparen(cb);
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return e;
    const callee = resolveCallee(e, this.checker);
    return callee && ts.isFunctionLike(callee) ? callee : undefined;
  }

  /** The twin a callback runs through: a literal gets a local twin emitted here; a name uses its function's twin. */
  private callbackTwin(
    cb: ts.Expression,
    name: string,
  ): { ref: ts.Expression; slots: readonly boolean[]; fn: ts.SignatureDeclaration } {
    const e = unparen(cb);
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) {
      if (e.asteriskToken || ts.getModifiers(e)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) {
        return fail(e, `the callback of .${name}() is async or a generator`, 'pass a plain synchronous function');
      }
      const info: TwinInfo = {
        fn: e,
        name: `${name} callback`,
        twin: this.names.fresh(twinName(localName(e) ?? `${name}_cb`)),
        file: this.ctx.sf,
        kind: 'local',
        exported: false,
        tangentSlots: tangentSlots(e, this.checker),
        custom: false,
      };
      this.emit(this.localTwin(info));
      return { ref: id(info.twin), slots: info.tangentSlots, fn: e };
    }
    const callee = resolveCallee(e, this.checker);
    const info = callee && (this.locals.get(callee) ?? this.ctx.plan.twins.get(callee));
    if (info && info.kind !== 'method') {
      const ref =
        info.kind === 'local' || info.file === this.ctx.sf ? id(info.twin) : this.ctx.fromModule(info.file, info.twin);
      return { ref, slots: info.tangentSlots, fn: info.fn as ts.SignatureDeclaration };
    }
    return fail(
      cb,
      `the callback '${snippet(cb)}' of .${name}() has no derivative`,
      'pass a function literal ((v) => …) or a function declared in the program',
      CODES.underivableCall,
    );
  }

  /** `twin(p0, t0, p1, …)` for the callback's own parameters (extra primal arguments are dropped, as JS does). */
  private twinCall(
    cb: { ref: ts.Expression; slots: readonly boolean[]; fn: ts.SignatureDeclaration },
    prims: readonly ts.Expression[],
    tans: readonly Tan[],
  ): ts.Expression {
    const params = cb.fn.parameters.filter((p) => !(ts.isIdentifier(p.name) && p.name.text === 'this'));
    const args: ts.Expression[] = [];
    params.forEach((p, k) => {
      if (p.dotDotDotToken)
        fail(p, 'a rest parameter in an array-method callback cannot get tangents', 'name the parameters');
      const v = prims[k] ?? id('undefined');
      args.push(v);
      if (cb.slots[k]) args.push(tans[k] ?? this.zeroFor(this.kindOf(p), () => v));
    });
    return call(cb.ref, args);
  }

  /** `(v, i, a) => { … }`: the wrapper handed to the primal method. */
  private wrapper(names: readonly string[], body: ts.Statement[]): ts.Expression {
    return f.createArrowFunction(
      undefined,
      undefined,
      names.map((n) => f.createParameterDeclaration(undefined, undefined, n)),
      undefined,
      f.createToken(ts.SyntaxKind.EqualsGreaterThanToken),
      f.createBlock(body, true),
    );
  }

  /**
   * Declares the result under the user's name when this call is a declaration's initializer (else a fresh one), with
   * its tangent declared before it (`before`, which a wrapper may write into) or after it (`after`).
   */
  private declare(
    src: ts.Node,
    hint: string,
    parts: { before?: (t: string) => ts.Statement; value: (t: string) => ts.Expression; after?: ts.Expression },
  ): Dual {
    const target = this.claimTarget(src);
    const p = target ? target.name.text : this.names.fresh(hint);
    const t = target ? target.tangent().text : this.names.freshTangent(p);
    const flags = target ? target.flags : ts.NodeFlags.Const;
    if (parts.before) this.emit(parts.before(t));
    this.emit(this.constDecl(p, parts.value(t), flags));
    if (parts.after) this.emit(this.constDecl(t, parts.after, flags));
    return { p: id(p), t: id(t) };
  }

  /** A receiver's tangent; an inactive receiver written with active values gets a zero tangent first. */
  private tangentOfReceiver(recv: Dual, hint: string): ts.Expression {
    if (recv.t) return recv.t;
    const name = this.names.freshTangent(hint);
    this.emit(this.constDecl(name, call(this.ctx.runtime('zerosLike'), [recv.p])));
    return id(name);
  }

  /** The empty tangent array a result is built into: a typed array of the receiver's kind, or a plain array. */
  private typedCtor(e: ts.Expression): string | undefined {
    const name = this.checker.getTypeAtLocation(e).getSymbol()?.getName();
    return name === 'Float64Array' || name === 'Float32Array' ? name : undefined;
  }

  protected arrayFrom(e: ts.CallExpression): Dual {
    const [src, cb] = e.arguments;
    if (!src || e.arguments.length > 2)
      return fail(
        e,
        `'${snippet(e)}' is not supported with active values`,
        'pass the source and at most a mapping function',
      );
    const s = this.hoistDual(this.lower(src), hintFor(src));
    const fromOf = (x: ts.Expression, g?: ts.Expression) => call(e.expression, g ? [x, g] : [x]);
    if (!cb) return { p: fromOf(s.p), t: s.t && fromOf(s.t) };
    const twin = this.callbackTwin(cb, 'from');
    const [v, i, y, dy] = ['v', 'i', 'y', 'dy'].map((n) => this.names.fresh(n));
    return this.declare(e, 'from', {
      before: (t) => this.constDecl(t, f.createArrayLiteralExpression([])),
      value: (t) =>
        fromOf(
          s.p,
          this.wrapper(
            [v, i],
            [
              this.pairDecl(y, dy, this.twinCall(twin, [id(v), id(i)], [s.t && at(s.t, id(i)), undefined])),
              assign(at(id(t), id(i)), id(dy)),
              f.createReturnStatement(id(y)),
            ],
          ),
        ),
    });
  }

  private pairDecl(y: string, dy: string, value: ts.Expression): ts.Statement {
    return this.constDecl(
      f.createArrayBindingPattern([
        f.createBindingElement(undefined, undefined, y),
        f.createBindingElement(undefined, undefined, dy),
      ]),
      value,
    );
  }

  protected arrayCall(e: ts.CallExpression, c: ts.PropertyAccessExpression, discard: boolean): Dual {
    const name = c.name.text;
    const rule = arrayMethod(name)!;
    const recv = this.hoistDual(this.lower(c.expression), hintFor(c.expression));
    const hint = `${hintFor(c.expression)}_${name}`;
    const positions = (from = 0) => e.arguments.slice(from).map((a) => this.hoist(this.lower(a).p, 'i'));
    switch (rule.kind) {
      case 'same': {
        const args = positions();
        if (!recv.t) return { p: method(recv.p, name, args), t: undefined };
        if (rule.returnsReceiver || discard) {
          this.emit(stmt(method(recv.p, name, args)), stmt(method(recv.t, name, args)));
          return rule.returnsReceiver ? recv : { p: id('undefined'), t: undefined };
        }
        if (rule.mutates)
          return this.declare(e, hint, { value: () => method(recv.p, name, args), after: method(recv.t, name, args) });
        return { p: method(recv.p, name, args), t: method(recv.t, name, args) };
      }
      case 'carry': {
        const duals = e.arguments.map((a, k) => {
          const d = this.lower(a);
          if (!carriesTangent(rule, k, name)) return { p: this.hoist(d.p, 'i'), t: undefined as Tan, value: false };
          const h = this.hoistDual(d, hintFor(a));
          return { ...h, value: true, t: h.t ?? this.zeroFor(this.kindOf(a), () => h.p) };
        });
        if (duals.every((d) => !d.value || !d.t) && !recv.t)
          return {
            p: method(
              recv.p,
              name,
              duals.map((d) => d.p),
            ),
            t: undefined,
          };
        const rt = this.tangentOfReceiver(recv, hintFor(c.expression));
        const pc = method(
          recv.p,
          name,
          duals.map((d) => d.p),
        );
        const tc = method(
          rt,
          name,
          duals.map((d) => (d.value ? d.t! : d.p)),
        );
        if (name === 'splice' && !discard) return this.declare(e, hint, { value: () => pc, after: tc });
        this.emit(stmt(pc), stmt(tc));
        if (rule.returnsReceiver) return { p: recv.p, t: rt };
        // push/unshift return the new length; set returns undefined
        return name === 'push' || name === 'unshift'
          ? { p: f.createPropertyAccessExpression(recv.p, 'length'), t: undefined }
          : { p: id('undefined'), t: undefined };
      }
      case 'concat': {
        const rt = recv.t ?? call(this.ctx.runtime('zerosLike'), [recv.p]);
        const parts = e.arguments.map((a) => {
          const k = this.kindOf(a);
          if (k === 'typedArray') refuse(a, 'concatTypedArray');
          const d = this.hoistDual(this.lower(a), hintFor(a));
          return { p: d.p, t: d.t ?? this.zeroFor(k === 'tuple' ? 'array' : k, () => d.p) };
        });
        return {
          p: method(
            recv.p,
            name,
            parts.map((d) => d.p),
          ),
          t: method(
            rt,
            name,
            parts.map((d) => d.t),
          ),
        };
      }
      case 'sort':
        return this.sort(e, recv, c);
      default:
        return this.callbackMethod(e, c, rule, recv, hint);
    }
  }

  /** sort(cmp): the values and their tangents are sorted as pairs by the same comparator (the tangent follows the permutation). */
  private sort(e: ts.CallExpression, recv: Dual, c: ts.PropertyAccessExpression): Dual {
    const cmpArg = e.arguments[0];
    if (!cmpArg) return refuse(e, 'sortWithoutComparator');
    const cmp = this.hoist(cmpArg, 'compare');
    if (!recv.t) return { p: method(recv.p, 'sort', [cmp]), t: undefined };
    const [v, i, p, q, pair, k] = ['v', 'i', 'p', 'q', 'pair', 'k'].map((n) => this.names.fresh(n));
    const pairs = this.names.fresh(`${hintFor(c.expression)}_pairs`);
    this.emit(
      this.constDecl(
        pairs,
        call(f.createPropertyAccessExpression(id('Array'), 'from'), [
          recv.p,
          f.createArrowFunction(
            undefined,
            undefined,
            [v, i].map((n) => f.createParameterDeclaration(undefined, undefined, n)),
            undefined,
            f.createToken(ts.SyntaxKind.EqualsGreaterThanToken),
            f.createArrayLiteralExpression([id(v), at(recv.t, id(i))]),
          ),
        ]),
      ),
    );
    this.emit(
      stmt(
        method(id(pairs), 'sort', [
          f.createArrowFunction(
            undefined,
            undefined,
            [p, q].map((n) => f.createParameterDeclaration(undefined, undefined, n)),
            undefined,
            f.createToken(ts.SyntaxKind.EqualsGreaterThanToken),
            call(cmp, [at(id(p), num(0)), at(id(q), num(0))]),
          ),
        ]),
      ),
    );
    this.emit(
      stmt(
        method(id(pairs), 'forEach', [
          this.wrapper(
            [pair, k],
            [assign(at(recv.p, id(k)), at(id(pair), num(0))), assign(at(recv.t, id(k)), at(id(pair), num(1)))],
          ),
        ]),
      ),
    );
    return recv;
  }

  private callbackMethod(
    e: ts.CallExpression,
    c: ts.PropertyAccessExpression,
    rule: ArrayMethodRule,
    recv: Dual,
    hint: string,
  ): Dual {
    const name = c.name.text;
    const cb = e.arguments[0];
    if (!cb) return fail(e, `.${name}() needs a callback`, `pass a function: xs.${name}((v) => …)`);
    const extra = e.arguments.slice(1).map((a) => this.lower(a));
    const [v, i, a] = ['v', 'i', 'a'].map((n) => this.names.fresh(n));
    const elemT = recv.t && at(recv.t, id(i));
    const primalCall = (args: ts.Expression[]) => method(recv.p, name, args);
    if (rule.kind === 'filter' || rule.kind === 'find') {
      // the predicate runs as written; the tangents of the elements it keeps are collected beside them
      const pred = this.hoist(unparen(cb), `${name}_test`);
      if (!recv.t) return { p: primalCall([pred, ...extra.map((d) => d.p)]), t: undefined };
      const keep = this.names.fresh('keep');
      const test = this.constDecl(keep, call(pred, [id(v), id(i), id(a)]));
      const keepIf = (then: ts.Statement) =>
        this.wrapper([v, i, a], [test, f.createIfStatement(id(keep), then), f.createReturnStatement(id(keep))]);
      if (rule.kind === 'find') {
        const zero = this.zeroFor(this.kindOf(e), () => id('undefined'));
        return this.declare(e, hint, {
          before: (t) => this.constDecl(t, zero, ts.NodeFlags.Let),
          value: (t) => primalCall([keepIf(assign(id(t), elemT!))]),
        });
      }
      const ctor = this.typedCtor(c.expression);
      if (!ctor) {
        return this.declare(e, hint, {
          before: (t) => this.constDecl(t, f.createArrayLiteralExpression([])),
          value: (t) => primalCall([keepIf(stmt(method(id(t), 'push', [elemT!])))]),
        });
      }
      // a typed array's filter gives a typed array: so does its tangent
      const list = this.names.fresh(`${hint}_tangents`);
      this.emit(this.constDecl(list, f.createArrayLiteralExpression([])));
      return this.declare(e, hint, {
        value: () => primalCall([keepIf(stmt(method(id(list), 'push', [elemT!])))]),
        after: f.createNewExpression(id(ctor), undefined, [id(list)]),
      });
    }
    const twin = this.callbackTwin(cb, name);
    const [y, dy] = ['y', 'dy'].map((n) => this.names.fresh(n));
    const step = (prims: ts.Expression[], tans: Tan[]) => this.pairDecl(y, dy, this.twinCall(twin, prims, tans));
    const args = [id(v), id(i), id(a)];
    const tans = [elemT, undefined, recv.t];
    switch (rule.kind) {
      case 'forEach':
        this.emit(stmt(primalCall([this.wrapper([v, i, a], [stmt(this.twinCall(twin, args, tans))])])));
        return { p: id('undefined'), t: undefined };
      case 'map': {
        const ctor = this.typedCtor(c.expression);
        const empty = f.createNewExpression(id(ctor ?? 'Array'), undefined, [
          f.createPropertyAccessExpression(recv.p, 'length'),
        ]);
        return this.declare(e, hint, {
          before: (t) => this.constDecl(t, empty),
          value: (t) =>
            primalCall([
              this.wrapper(
                [v, i, a],
                [step(args, tans), assign(at(id(t), id(i)), id(dy)), f.createReturnStatement(id(y))],
              ),
            ]),
        });
      }
      case 'flatMap':
        // an array result is flattened one level (so is its tangent); anything else is kept as one element
        return this.declare(e, hint, {
          before: (t) => this.constDecl(t, f.createArrayLiteralExpression([])),
          value: (t) =>
            primalCall([
              this.wrapper(
                [v, i, a],
                [
                  step(args, tans),
                  f.createIfStatement(
                    call(f.createPropertyAccessExpression(id('Array'), 'isArray'), [id(y)]),
                    stmt(method(id(t), 'push', [f.createSpreadElement(id(dy))])),
                    stmt(method(id(t), 'push', [id(dy)])),
                  ),
                  f.createReturnStatement(id(y)),
                ],
              ),
            ]),
        });
      case 'reduce':
      case 'reduceRight': {
        const acc = this.names.fresh('acc');
        const init = extra[0] && this.hoistDual(extra[0], 'init');
        const last = f.createBinaryExpression(
          f.createPropertyAccessExpression(recv.p, 'length'),
          ts.SyntaxKind.MinusToken,
          num(1),
        );
        // without an initial value the first element (the last for reduceRight) starts the accumulator
        const start = init
          ? (init.t ?? this.zeroFor(this.kindOf(e.arguments[1]), () => init.p))
          : recv.t
            ? at(recv.t, rule.kind === 'reduce' ? num(0) : last)
            : num(0);
        return this.declare(e, hint, {
          before: (t) => this.constDecl(t, start, ts.NodeFlags.Let),
          value: (t) =>
            primalCall([
              this.wrapper(
                [acc, v, i, a],
                [step([id(acc), ...args], [id(t), ...tans]), assign(id(t), id(dy)), f.createReturnStatement(id(y))],
              ),
              ...(init ? [init.p] : []),
            ]),
        });
      }
      default:
        return refuse(e, 'arrayMethod', name);
    }
  }
}
