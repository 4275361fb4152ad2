// forwardgrad/esbuild: an esbuild plugin that sends annotated modules (and the project modules they
// import, where callee twins are emitted) through the type-aware transformer; every other file is left
// to esbuild's own TypeScript loader. Transformer diagnostics become esbuild errors with a location.
import './check-peers/esbuild'; // first: names a missing peer with its install line
import { promises as fsp } from 'fs';
import * as path from 'path';
import type { OnLoadArgs, OnLoadResult, PartialMessage, Plugin, PluginBuild } from 'esbuild';
import type * as ts from 'typescript';
import type { ForwardGradOptions } from '../index';
import { findAnnotatedClosure, hasAnnotation, isTypeScriptSource } from './annotated-closure';
import { diagnosticLocation, diagnosticMessage } from './diagnostics';
import { emitOptions, TwinEmitter } from './emit-file';
import { ProgramCache } from './program-cache';
import { loadTsConfig } from './tsconfig';

export interface ForwardGradPluginOptions extends ForwardGradOptions {
  /** tsconfig to read (default: esbuild's `tsconfig` option, else the nearest tsconfig.json). */
  readonly tsconfig?: string;
}

interface BuildState {
  readonly closure: ReadonlySet<string>;
  readonly emitter: TwinEmitter | undefined;
}

export function forwardGradPlugin(options: ForwardGradPluginOptions = {}): Plugin {
  return {
    name: 'forwardgrad',
    setup(build: PluginBuild) {
      const cwd = build.initialOptions.absWorkingDir ?? process.cwd();
      const config = loadTsConfig(cwd, options.tsconfig ?? build.initialOptions.tsconfig);
      const programs = new ProgramCache(emitOptions(config.options, 'esm'));
      const extraRoots = new Set(entryPointFiles(build, cwd));
      let state: BuildState | undefined;
      let lastEmitter: TwinEmitter | undefined;

      // The runtime module is what twins call, never a callee to differentiate: do not walk into it.
      const runtime =
        options.runtimeModule && path.isAbsolute(options.runtimeModule)
          ? path.resolve(options.runtimeModule)
          : undefined;
      const stopAt = (file: string) => file === runtime;

      const analyse = (): BuildState => {
        // The bundle's own import graph (from its entry points) decides; the tsconfig's file list only
        // stands in when esbuild names no entry files (stdin).
        const candidates = extraRoots.size ? extraRoots : config.fileNames;
        const { closure } = findAnnotatedClosure(candidates, config.options, { stopAt });
        if (closure.size === 0) return { closure, emitter: undefined };
        const program = programs.get([...closure]);
        // Nothing changed since the last build: keep the transformer and its analyses too.
        if (lastEmitter?.program !== program)
          lastEmitter = new TwinEmitter(program, { runtimeModule: options.runtimeModule });
        return { closure, emitter: lastEmitter };
      };

      // A rebuild (watch, context.rebuild) re-reads the graph; the program cache keeps unchanged files.
      build.onStart(() => {
        state = undefined;
      });

      build.onLoad(
        { filter: /\.[cm]?tsx?$/, namespace: 'file' },
        async (args: OnLoadArgs): Promise<OnLoadResult | undefined> => {
          const file = path.resolve(args.path);
          if (!isTypeScriptSource(file) || stopAt(file)) return undefined;
          state ??= analyse();
          if (!state.closure.has(file)) {
            // A file outside the entry points' static import graph: only its own annotation counts.
            const text = await fsp.readFile(file, 'utf8');
            if (!hasAnnotation(text)) return undefined;
            extraRoots.add(file);
            state = analyse();
          }
          const { code, diagnostics } = state.emitter!.emit(file);
          if (diagnostics.length) return { errors: diagnostics.map((d) => toMessage(d, cwd)) };
          if (code === undefined) return { errors: [{ text: `forwardgrad: TypeScript emitted nothing for ${file}` }] };
          return { contents: code, loader: file.endsWith('x') ? 'jsx' : 'js', resolveDir: path.dirname(file) };
        },
      );
    },
  };
}

export default forwardGradPlugin;

function entryPointFiles(build: PluginBuild, cwd: string): string[] {
  const entries = build.initialOptions.entryPoints ?? [];
  const list = Array.isArray(entries) ? entries.map((e) => (typeof e === 'string' ? e : e.in)) : Object.values(entries);
  return list.map((e) => path.resolve(cwd, e));
}

function toMessage(d: ts.Diagnostic, cwd: string): PartialMessage {
  const where = diagnosticLocation(d);
  return {
    text: diagnosticMessage(d),
    location: where && { ...where, file: path.relative(cwd, where.file) },
    detail: { code: d.code },
  };
}
