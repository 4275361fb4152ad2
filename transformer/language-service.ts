// forwardgrad/language-service: a TypeScript language-service plugin, enabled by the tsconfig entry
// `"plugins": [{ "name": "forwardgrad/language-service" }]`, that adds the transform's TS940xx errors
// (with their Fix hints) to the editor's semantic diagnostics as the user types.
//
// Same analysis as the build: the transformer runs (ts.transform, nothing emitted, so `noEmit` is fine)
// over the language service's own program, which holds the editor's unsaved text. One transformer per
// program version, so the call graph and activity analyses are shared by every file's request.
//
// Loaded by tsserver from the package root (`language-service.js`: tsserver ignores package `exports`).
// The transformer is loaded lazily: when it cannot run (a missing peer, an editor running another
// TypeScript than the project's), annotated files get one diagnostic that says so and how to fix it.
import * as path from 'path';
import type * as ts from 'typescript';
import type { ForwardGradOptions } from './index';
import { checkPeers } from './plugins/peers';

type Typescript = typeof ts;

interface Analysis {
  readonly ts: Typescript;
  readonly createForwardGradTransformer: typeof import('./index').createForwardGradTransformer;
}

/** Per program version: its transformer (which accumulates diagnostics) and the files it has analysed. */
interface ProgramState {
  readonly program: ts.Program;
  readonly transformer: ReturnType<Analysis['createForwardGradTransformer']>;
  readonly done: Set<ts.SourceFile>;
}

const SOURCE = 'forwardgrad';
/** The code of the transform's internal-error diagnostic (diagnostics.ts CODES.internal). */
const INTERNAL = 94099;

/** Loads the transformer, or says in one line why it cannot run in this editor. */
function loadAnalysis(editorTs: Typescript): Analysis | string {
  try {
    checkPeers('forwardgrad/language-service');
    const ownTs = require('typescript') as Typescript;
    // Syntax kinds and flags differ between TypeScript versions: analysing the editor's trees with
    // another version's transformer would be silently wrong.
    if (ownTs.version !== editorTs.version) {
      return (
        `forwardgrad: the editor runs TypeScript ${editorTs.version} but the project has ${ownTs.version}, so the transform cannot check this file. ` +
        'Fix: use the workspace TypeScript (VS Code: "TypeScript: Select TypeScript Version" > "Use Workspace Version")'
      );
    }
    const { createForwardGradTransformer } = require('./index') as typeof import('./index');
    return { ts: ownTs, createForwardGradTransformer };
  } catch (e) {
    return `forwardgrad: the language-service plugin cannot load the transform: ${(e as Error).message}`;
  }
}

function init(modules: { typescript: Typescript }): ts.server.PluginModule {
  const editorTs = modules.typescript;
  return {
    create(info: ts.server.PluginCreateInfo): ts.LanguageService {
      const ls = info.languageService;
      const log = (message: string) => info.project.projectService.logger.info(`[forwardgrad] ${message}`);
      let analysis: Analysis | string | undefined;
      let state: ProgramState | undefined;

      const options = (program: ts.Program): ForwardGradOptions => {
        const runtimeModule = (info.config as { runtimeModule?: unknown } | undefined)?.runtimeModule;
        if (typeof runtimeModule !== 'string') return {};
        // relative to the tsconfig, as in the build (transformer/plugins/tsc.ts)
        const configFile = program.getCompilerOptions().configFilePath;
        const base = typeof configFile === 'string' ? path.dirname(configFile) : program.getCurrentDirectory();
        return { runtimeModule: runtimeModule.startsWith('.') ? path.resolve(base, runtimeModule) : runtimeModule };
      };

      /** A diagnostic at the top of the file (the plugin cannot say where: it could not analyse). */
      const atTop = (
        sf: ts.SourceFile,
        text: string,
        category: ts.DiagnosticCategory,
        code: number,
      ): ts.Diagnostic => ({ file: sf, start: 0, length: 0, messageText: text, category, code, source: SOURCE });

      const forwardGradDiagnostics = (fileName: string): ts.Diagnostic[] => {
        const program = ls.getProgram();
        const sf = program?.getSourceFile(fileName);
        if (!program || !sf || sf.isDeclarationFile) return [];
        // Mid-edit text that does not parse: the editor shows the syntax error; the transform would
        // analyse TypeScript's error-recovery tree (as the build, which refuses to emit such a file).
        if (program.getSyntacticDiagnostics(sf).some((d) => d.category === editorTs.DiagnosticCategory.Error))
          return [];
        analysis ??= loadAnalysis(editorTs);
        if (typeof analysis === 'string') {
          // only where the user asked for derivatives (the transformer's own trigger test needs typescript)
          if (!/@(forwardGrad|customJvp)\b/.test(sf.text)) return [];
          return [atTop(sf, analysis, editorTs.DiagnosticCategory.Warning, INTERNAL)];
        }
        if (state?.program !== program) {
          state = {
            program,
            transformer: analysis.createForwardGradTransformer(program, options(program)),
            done: new Set(),
          };
        }
        if (!state.done.has(sf)) {
          state.done.add(sf);
          // Twins are built (and their errors found) while the file is transformed; the result is dropped.
          analysis.ts.transform(sf, [state.transformer.factory], program.getCompilerOptions()).dispose();
        }
        return unique(state.transformer.diagnostics.filter((d) => d.file === sf));
      };

      const proxy = Object.create(null) as ts.LanguageService;
      for (const key of Object.keys(ls) as (keyof ts.LanguageService)[]) {
        const member = ls[key];
        (proxy as unknown as Record<string, unknown>)[key] = typeof member === 'function' ? member.bind(ls) : member;
      }
      proxy.getSemanticDiagnostics = (fileName) => {
        const own = ls.getSemanticDiagnostics(fileName);
        try {
          return [...own, ...forwardGradDiagnostics(fileName)];
        } catch (e) {
          // a bug in the transform: shown, never a silently clean file (and never a crashed tsserver)
          log(`analysis of ${fileName} failed: ${(e as Error)?.stack ?? String(e)}`);
          const sf = ls.getProgram()?.getSourceFile(fileName);
          const text = `forwardgrad: internal error while checking this file: ${(e as Error)?.message ?? String(e)}`;
          return sf ? [...own, atTop(sf, text, editorTs.DiagnosticCategory.Error, INTERNAL)] : own;
        }
      };
      log('enabled');
      return proxy;
    },
  };
}

function unique(diagnostics: ts.Diagnostic[]): ts.Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.start}:${d.length}:${d.code}:${typeof d.messageText === 'string' ? d.messageText : d.messageText.messageText}`;
    return !seen.has(key) && (seen.add(key), true);
  });
}

export = init;
