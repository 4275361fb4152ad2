// What the emitters of one module share: the plan, the checker, the module's names, and the namespace
// imports the emitted code needs (the runtime module, other modules' twins). Namespace imports are used
// because synthesized references to named imports are not rewritten by TypeScript's CommonJS emit.
import * as ts from 'typescript';
import { Plan, relativeSpecifier } from '../callgraph';
import { NameScope } from '../naming';
import { TensorRules } from '../rules/tensor';

export class FileContext {
  readonly scope: NameScope;
  private runtimeNs?: string;
  private readonly moduleNs = new Map<string, string>();

  /** `releaseDead`: twins free tensors as soon as they are provably dead (emit/release.ts); off only to compare. */
  constructor(
    readonly sf: ts.SourceFile,
    readonly plan: Plan,
    readonly runtimeSpecifier: string,
    readonly tensorRules: TensorRules,
    readonly releaseDead = true,
  ) {
    this.scope = plan.scope(sf);
  }

  get checker(): ts.TypeChecker {
    return this.plan.checker;
  }

  /** `fg.<name>`: a runtime export. */
  runtime(name: string): ts.Expression {
    this.runtimeNs ??= this.scope.fresh('fg');
    return ts.factory.createPropertyAccessExpression(ts.factory.createIdentifier(this.runtimeNs), name);
  }

  /** `<module>_twins.<name>`: an export of another program module. */
  fromModule(file: ts.SourceFile, name: string): ts.Expression {
    let ns = this.moduleNs.get(file.fileName);
    if (!ns) {
      const base = file.fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
      ns = this.scope.fresh(`${base}_twins`);
      this.moduleNs.set(file.fileName, ns);
    }
    return ts.factory.createPropertyAccessExpression(ts.factory.createIdentifier(ns), name);
  }

  /** The import declarations the emitted code needs, to put at the top of the module. */
  imports(): ts.Statement[] {
    const f = ts.factory;
    const ns = (name: string, spec: string): ts.Statement =>
      f.createImportDeclaration(
        undefined,
        f.createImportClause(false, undefined, f.createNamespaceImport(f.createIdentifier(name))),
        f.createStringLiteral(spec),
      );
    const out: ts.Statement[] = [];
    if (this.runtimeNs) out.push(ns(this.runtimeNs, this.runtimeSpecifier));
    for (const [file, name] of this.moduleNs) out.push(ns(name, relativeSpecifier(this.sf, file)));
    return out;
  }
}
