// Pass 4 for one module: each planned function gets its twin beside it and its registration; the imports
// the emitted code needs go on top. A function whose twin cannot be built is reported (diagnostic) and left
// without a twin — never with a wrong one.
import * as ts from 'typescript';
import { id } from '../algebra';
import { TwinInfo } from '../callgraph';
import { toDiagnostic } from '../diagnostics';
import { functionInitializer } from '../find';
import { FileContext } from './context';
import { functionTwin, literalTwin, methodTwin, registration, variableTwin } from './twin';

const f = ts.factory;

export function transformFile(
  ctx: FileContext,
  diagnostics: ts.Diagnostic[],
  tctx: ts.TransformationContext,
): ts.SourceFile {
  const { sf, plan } = ctx;
  const twinOf = (n: ts.Node): TwinInfo | undefined => plan.twins.get(n);
  const guarded = <T>(info: TwinInfo, build: () => T, orElse: T): T => {
    try {
      return build();
    } catch (e) {
      diagnostics.push(toDiagnostic(e, info.fn));
      return orElse;
    }
  };
  if (!plan.twinsIn(sf).length) return sf;
  const out: ts.Statement[] = [];
  const trailing: ts.Statement[] = [];
  for (const s of sf.statements) {
    if (ts.isFunctionDeclaration(s)) {
      const info = twinOf(s);
      if (!info) {
        out.push(s);
        continue;
      }
      if (info.custom) {
        out.push(s);
        // at the end of the module: the rule may be a const declared further down
        if (s.body && s.name) trailing.push(registration(ctx, info, id(s.name.text), id(info.twin)));
        continue;
      }
      out.push(...guarded(info, () => functionTwin(ctx, info, s), [s]));
    } else if (ts.isVariableStatement(s)) {
      out.push(s);
      for (const d of s.declarationList.declarations) {
        const fn = functionInitializer(d);
        const info = fn && twinOf(fn);
        if (info && fn) out.push(...guarded(info, () => variableTwin(ctx, info, fn), []));
      }
    } else if (ts.isClassDeclaration(s) && s.name && s.members.some((m) => twinOf(m))) {
      const members: ts.ClassElement[] = [];
      const registers: ts.Statement[] = [];
      for (const m of s.members) {
        members.push(m);
        const info = twinOf(m);
        if (!info || !ts.isMethodDeclaration(m)) continue;
        const built = guarded(info, () => methodTwin(ctx, info, m, s.name!.text), undefined);
        if (built) {
          members.push(built.member);
          registers.push(built.register);
        }
      }
      out.push(
        f.updateClassDeclaration(s, s.modifiers, s.name, s.typeParameters, s.heritageClauses, members),
        ...registers,
      );
    } else {
      out.push(s);
    }
  }
  out.push(...trailing);
  // module-level functions left without a twin: a run-time "no twin" error can then say they are not annotated
  const plain: string[] = [];
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name && st.body && !twinOf(st)) plain.push(st.name.text);
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        const fn = functionInitializer(d);
        if (fn && ts.isIdentifier(d.name) && !twinOf(fn)) plain.push(d.name.text);
      }
    }
  }
  if (plain.length)
    out.push(
      f.createExpressionStatement(f.createCallExpression(ctx.runtime('markCompiled'), undefined, plain.map(id))),
    );
  // function literals passed to jvp/forwardGradient/fgd and annotated nested functions, wherever they are
  if (plan.twinsIn(sf).some((t) => t.kind === 'literal' || t.kind === 'nested')) {
    const visit = (n: ts.Node): ts.Node | ts.Node[] => {
      const info = twinOf(n);
      if (
        (info?.kind === 'literal' || info?.kind === 'nested') &&
        (ts.isArrowFunction(n) || ts.isFunctionExpression(n))
      ) {
        const inner = ts.visitEachChild(n, visit, tctx);
        return guarded(info, () => literalTwin(ctx, info, n, inner), inner);
      }
      if (info?.kind === 'nested' && ts.isFunctionDeclaration(n)) {
        const inner = ts.visitEachChild(n, visit, tctx);
        return guarded<ts.Node | ts.Node[]>(info, () => [inner, ...functionTwin(ctx, info, n).slice(1)], inner);
      }
      if (info?.kind === 'nested' && ts.isMethodDeclaration(n) && ts.isObjectLiteralExpression(n.parent)) {
        // an object-literal method becomes a property holding the same function, registered with its twin
        const inner = ts.visitEachChild(n, visit, tctx);
        const fn = f.createFunctionExpression(
          inner.modifiers?.filter(ts.isModifier),
          inner.asteriskToken,
          undefined,
          inner.typeParameters,
          inner.parameters,
          inner.type,
          inner.body!,
        );
        ts.setSourceMapRange(fn, n);
        return guarded<ts.Node>(
          info,
          () => f.createPropertyAssignment(n.name, literalTwin(ctx, info, n as unknown as ts.FunctionExpression, fn)),
          inner,
        );
      }
      if (ts.isVariableStatement(n)) {
        const d = n.declarationList.declarations;
        const fn = d.length === 1 ? functionInitializer(d[0]) : undefined;
        const nested = fn && twinOf(fn);
        if (fn && nested?.kind === 'nested') {
          const inner = ts.visitEachChild(n, visit, tctx);
          return guarded<ts.Node | ts.Node[]>(nested, () => [inner, ...variableTwin(ctx, nested, fn)], inner);
        }
      }
      return ts.visitEachChild(n, visit, tctx);
    };
    for (let i = 0; i < out.length; i++) {
      const r = visit(out[i]);
      if (Array.isArray(r)) {
        out.splice(i, 1, ...(r as ts.Statement[]));
        i += r.length - 1;
      } else out[i] = r as ts.Statement;
    }
  }
  // imports go after any leading directives/imports so the module's own imports stay first
  const imports = ctx.imports();
  let at = 0;
  while (at < out.length && (ts.isImportDeclaration(out[at]) || ts.isImportEqualsDeclaration(out[at]))) at++;
  out.splice(at, 0, ...imports);
  return f.updateSourceFile(sf, out);
}
