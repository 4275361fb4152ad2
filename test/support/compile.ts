// Test support for every part: compiles in-memory TypeScript sources through a real ts.Program with
// the forwardgrad transformer, and loads the emitted CommonJS with `forwardgrad` mapped to runtime/index.ts.
import * as path from 'path';
import * as ts from 'typescript';
import { createForwardGradTransformer, ForwardGradOptions } from '../../transformer';

export const VIRTUAL_ROOT = '/virtual/src';
export const RUNTIME_INDEX = path.resolve(__dirname, '../../runtime/index.ts');

export interface CompileResult {
  /** Emitted JavaScript per source file name (as given in `sources`). */
  readonly js: Record<string, string>;
  /** Source maps per source file name, when `sourceMap` was asked for. */
  readonly maps: Record<string, string>;
  /** Diagnostics raised by the forwardgrad transformer. */
  readonly diagnostics: readonly ts.Diagnostic[];
  /** Type errors of the sources themselves (before transformation). */
  readonly typeErrors: readonly ts.Diagnostic[];
  readonly program: ts.Program;
  readonly sources: Record<string, string>;
}

export interface CompileOptions extends ForwardGradOptions {
  /** Throw when the sources have type errors (default true): a test source that does not type-check is a broken test. */
  readonly requireTypeCorrect?: boolean;
  /** Also emit source maps (returned in `maps`). */
  readonly sourceMap?: boolean;
}

const compilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  lib: ['lib.es2022.d.ts'],
  types: [],
  strict: true,
  esModuleInterop: true,
  skipLibCheck: true,
  experimentalDecorators: true,
  baseUrl: VIRTUAL_ROOT,
  paths: { forwardgrad: [RUNTIME_INDEX] },
};

// Library and runtime .d.ts/.ts files parsed once per process: most of a compile's cost.
const sharedFiles = new Map<string, ts.SourceFile>();

/** In-memory names live under VIRTUAL_ROOT; an absolute name is a real file (read from disk when no text is given). */
function virtualPath(name: string): string {
  return path.isAbsolute(name) ? name : path.posix.join(VIRTUAL_ROOT, name);
}

function makeHost(sources: Record<string, string>): ts.CompilerHost {
  const base = ts.createCompilerHost(compilerOptions, true);
  const virtual = new Map(Object.entries(sources).map(([n, s]) => [virtualPath(n), s]));
  return {
    ...base,
    fileExists: (f) => virtual.has(f) || base.fileExists(f),
    directoryExists: (d) =>
      [...virtual.keys()].some((f) => f.startsWith(d.replace(/\/$/, '') + '/')) || (base.directoryExists?.(d) ?? false),
    realpath: (f) => (virtual.has(f) ? f : (base.realpath?.(f) ?? f)),
    readFile: (f) => virtual.get(f) ?? base.readFile(f),
    getSourceFile: (f, lang) => {
      const text = virtual.get(f);
      if (text !== undefined) return ts.createSourceFile(f, text, lang, true);
      let sf = sharedFiles.get(f);
      if (!sf) {
        sf = base.getSourceFile(f, lang);
        if (sf) sharedFiles.set(f, sf);
      }
      return sf;
    },
    writeFile: () => undefined,
  };
}

/** Compiles `sources` (file name → TypeScript text; names relative, e.g. "main.ts") with the transformer. */
export function compile(sources: Record<string, string>, options: CompileOptions = {}): CompileResult {
  const host = makeHost(sources);
  const roots = Object.keys(sources).map(virtualPath);
  const program = ts.createProgram(roots, { ...compilerOptions, sourceMap: !!options.sourceMap }, host);
  const typeErrors = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()].filter(
    (d) => d.file && roots.includes(d.file.fileName),
  );
  if (typeErrors.length && options.requireTypeCorrect !== false) {
    throw new Error('test sources do not type-check:\n' + formatDiagnostics(typeErrors));
  }
  const { factory, diagnostics } = createForwardGradTransformer(program, options);
  const js: Record<string, string> = {};
  const maps: Record<string, string> = {};
  for (const name of Object.keys(sources)) {
    const sf = program.getSourceFile(virtualPath(name))!;
    program.emit(
      sf,
      (out, text) => {
        if (out.endsWith('.js')) js[name] = text;
        else if (out.endsWith('.js.map')) maps[name] = text;
      },
      undefined,
      false,
      { before: [factory] },
    );
  }
  return { js, maps, diagnostics, typeErrors, program, sources };
}

/** The transformed TypeScript of one compiled file (what `forwardgrad emit` shows), for baselines and reading. */
export function transformedSource(result: CompileResult, name: string, options: ForwardGradOptions = {}): string {
  const sf = result.program.getSourceFile(virtualPath(name))!;
  const { factory } = createForwardGradTransformer(result.program, options);
  const out = ts.transform(sf, [factory]);
  const text = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed }).printFile(out.transformed[0]);
  out.dispose();
  return text;
}

/** "file:line:col: message" per diagnostic (1-based line and column), file names relative to the virtual root. */
export function formatDiagnostics(diags: readonly ts.Diagnostic[]): string {
  return diags
    .map((d) => {
      const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (!d.file || d.start === undefined) return msg;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${path.posix.relative(VIRTUAL_ROOT, d.file.fileName)}:${line + 1}:${character + 1}: ${msg}`;
    })
    .join('\n');
}

/** Throws with every transformer diagnostic when there is any. */
export function expectNoDiagnostics(result: CompileResult): void {
  if (result.diagnostics.length) throw new Error('forwardgrad diagnostics:\n' + formatDiagnostics(result.diagnostics));
}

/**
 * Evaluates the emitted CommonJS of `entry` and returns its exports. `forwardgrad` (and `runtimeModule` when
 * given) resolves to runtime/index.ts; relative imports resolve among the compiled files; others use `require`.
 */
export function load<T = Record<string, any>>(result: CompileResult, entry: string, runtimeModule = 'forwardgrad'): T {
  const cache = new Map<string, { exports: unknown }>();
  const loadFile = (name: string): unknown => {
    const cached = cache.get(name);
    if (cached) return cached.exports;
    const code = result.js[name];
    if (code === undefined) throw new Error(`load: no emitted JavaScript for ${name}`);
    const module = { exports: {} as unknown };
    cache.set(name, module);
    const localRequire = (spec: string): unknown => {
      if (spec === runtimeModule || spec === 'forwardgrad') return require(RUNTIME_INDEX);
      if (spec.startsWith('.')) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(name), spec)).replace(/\.(js|ts)$/, '');
        const candidates = [target + '.ts', target + '/index.ts'];
        const hit = candidates.find((c) => result.js[c] !== undefined);
        if (!hit) throw new Error(`load: cannot resolve ${spec} from ${name}`);
        return loadFile(hit);
      }
      return require(spec);
    };
    new Function('exports', 'require', 'module', code)(module.exports, localRequire, module);
    return module.exports;
  };
  return loadFile(entry) as T;
}

/** compile + expectNoDiagnostics + load in one call, for the common single-file case. */
export function compileAndLoad<T = Record<string, any>>(source: string, options: CompileOptions = {}): T {
  const result = compile({ 'main.ts': source }, options);
  expectNoDiagnostics(result);
  return load<T>(result, 'main.ts');
}
