// forwardgrad/language-service: a TypeScript language-service plugin that shows the transform's TS940xx
// errors (with their Fix hints) in the editor as the user types. Same tsconfig `plugins` array as the build:
//   "plugins": [{ "transform": "forwardgrad/transformer" }, { "name": "forwardgrad/language-service" }]
// It runs the very analysis the build runs (the transformer over the language service's current program,
// unsaved edits included), emits nothing, and works with "noEmit": true.
import * as ts from 'typescript';
import { createForwardGradTransformer } from '../index';

interface PluginCreateInfo {
  readonly languageService: ts.LanguageService;
  readonly config?: { readonly runtimeModule?: string };
  readonly project?: { projectService?: { logger?: { info(message: string): void } } };
}

/** The transform's diagnostics for one file of `program` (the file is transformed in memory, nothing is written). */
function forwardGradDiagnostics(program: ts.Program, fileName: string, runtimeModule?: string): ts.Diagnostic[] {
  const sf = program.getSourceFile(fileName);
  if (!sf || sf.isDeclarationFile) return [];
  const { factory, diagnostics } = createForwardGradTransformer(program, { runtimeModule });
  ts.transform(sf, [factory], program.getCompilerOptions()).dispose();
  return diagnostics.filter((d) => d.file?.fileName === sf.fileName);
}

function init(): { create(info: PluginCreateInfo): ts.LanguageService } {
  return {
    create(info) {
      const ls = info.languageService;
      const proxy = Object.create(null) as Record<string, unknown>;
      for (const key of Object.keys(ls) as (keyof ts.LanguageService)[]) {
        const member = ls[key];
        proxy[key] = typeof member === 'function' ? (...args: unknown[]) => (member as (...a: unknown[]) => unknown).apply(ls, args) : member;
      }
      proxy.getSemanticDiagnostics = (fileName: string): ts.Diagnostic[] => {
        const own = ls.getSemanticDiagnostics(fileName);
        const program = ls.getProgram();
        if (!program) return own;
        try {
          return [...own, ...forwardGradDiagnostics(program, fileName, info.config?.runtimeModule)];
        } catch (e) {
          // a bug in the analysis must not take the editor's other diagnostics down with it
          info.project?.projectService?.logger?.info(`forwardgrad/language-service: ${(e as Error)?.stack ?? String(e)}`);
          return own;
        }
      };
      return proxy as unknown as ts.LanguageService;
    },
  };
}

export = init;
