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

export function transformFile(ctx: FileContext, diagnostics: ts.Diagnostic[], tctx: ts.TransformationContext): ts.SourceFile {
  const { sf, plan } = ctx;
  const twinOf = (n: ts.Node): TwinInfo | undefined => plan.twins.get(n);
  const guarded = <T>(info: TwinInfo, build: () => T, orElse: T): T => {
    try { return build(); } catch (e) { diagnostics.push(toDiagnostic(e, info.fn)); return orElse; }
  };
  if (!plan.twinsIn(sf).length) return sf;
  const out: ts.Statement[] = [];
  const trailing: ts.Statement[] = [];
  for (const s of sf.statements) {
    if (ts.isFunctionDeclaration(s)) {
      const info = twinOf(s);
      if (!info) { out.push(s); continue; }
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
        if (built) { members.push(built.member); registers.push(built.register); }
      }
      out.push(f.updateClassDeclaration(s, s.modifiers, s.name, s.typeParameters, s.heritageClauses, members), ...registers);
    } else {
      out.push(s);
    }
  }
  out.push(...trailing);
  // function literals passed to jvp/forwardGradient, wherever they are
  const literals = plan.twinsIn(sf).filter((t) => t.kind === 'literal');
  if (literals.length) {
    const visit = (n: ts.Node): ts.Node => {
      const info = twinOf(n);
      if (info?.kind === 'literal' && (ts.isArrowFunction(n) || ts.isFunctionExpression(n))) {
        const inner = ts.visitEachChild(n, visit, tctx);
        return guarded(info, () => literalTwin(ctx, info, n, inner), inner);
      }
      return ts.visitEachChild(n, visit, tctx);
    };
    for (let i = 0; i < out.length; i++) out[i] = visit(out[i]) as ts.Statement;
  }
  // imports go after any leading directives/imports so the module's own imports stay first
  const imports = ctx.imports();
  let at = 0;
  while (at < out.length && (ts.isImportDeclaration(out[at]) || ts.isImportEqualsDeclaration(out[at]))) at++;
  out.splice(at, 0, ...imports);
  return f.updateSourceFile(sf, out);
}
