// Emits one file of a Program through the forward-mode transformer, in memory: the JS text with an
// inline source map, plus the transformer's diagnostics for that emit.
import * as ts from 'typescript';
import { createForwardGradTransformer, type ForwardGradOptions } from '../index';

export { emitOptions, type ModuleFormat } from './emit-options';

export interface EmittedFile {
  /** JavaScript with an inline source map; undefined when TypeScript emitted nothing. */
  readonly code: string | undefined;
  readonly diagnostics: readonly ts.Diagnostic[];
}

/** One transformer per Program: its analyses (call graph, activity) are shared by every file. */
export class TwinEmitter {
  private readonly transformer: ReturnType<typeof createForwardGradTransformer>;

  constructor(
    readonly program: ts.Program,
    options: ForwardGradOptions = {},
  ) {
    this.transformer = createForwardGradTransformer(program, options);
  }

  /** `after` runs on the transformed tree (jest's mock hoisting, say). */
  emit(fileName: string, after: readonly ts.TransformerFactory<ts.SourceFile>[] = []): EmittedFile {
    const sourceFile = this.program.getSourceFile(fileName);
    if (!sourceFile) throw new Error(`forwardgrad: ${fileName} is not part of the program`);
    // A file that does not parse is never emitted: TypeScript's emit would print its error-recovery
    // tree (`return x * ;` becomes `return x * ;`, a dropped ')' silently reappears) as if it were valid.
    const syntax = this.program
      .getSyntacticDiagnostics(sourceFile)
      .filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (syntax.length) return { code: undefined, diagnostics: unique([...syntax]) };
    let code: string | undefined;
    const writeFile: ts.WriteFileCallback = (name, text) => {
      if (/\.[mc]?js$/.test(name)) code = text;
    };
    const result = this.program.emit(sourceFile, writeFile, undefined, false, {
      before: [this.transformer.factory, ...after],
    });
    // The transformer may record a file's diagnostics while transforming it or up front (program-wide
    // analysis): take this file's, once each.
    const mine = [...this.transformer.diagnostics, ...result.diagnostics].filter(
      (d) => d.category === ts.DiagnosticCategory.Error && d.file?.fileName === sourceFile.fileName,
    );
    return { code, diagnostics: unique(mine) };
  }
}

function unique(diagnostics: ts.Diagnostic[]): ts.Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.start}:${d.code}:${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    return !seen.has(key) && (seen.add(key), true);
  });
}
