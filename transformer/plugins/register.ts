// A Node require hook (CommonJS) for running TypeScript sources with their twins, e.g. under
// `node -r ts-node/register -r <preload that calls installTwinRequireHook>`: files that need twins
// (annotated, or imported by annotated code) are emitted through the forward-mode transformer from one
// ts.Program per process; every other file goes to the `.ts` loader already installed (ts-node's).
// The program's roots are the process's entry point and what it imports, as the esbuild plugin uses
// its entry points; an annotated file loaded from outside that graph widens the program. An optional
// disk cache lets the processes of one test run share the emitted files.
import { sha1 } from './hash';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import type { ForwardGradOptions } from '../index';
import { findAnnotatedClosure, hasAnnotation, isTypeScriptSource } from './annotated-closure';
import { ForwardGradBuildError } from './diagnostics';
import type { TwinEmitter } from './emit-file';
import { emitOptions } from './emit-options';
import { transformerFingerprint } from './fingerprint';
import { ProgramCache } from './program-cache';
import { loadTsConfig } from './tsconfig';

export interface TwinRequireHookOptions extends ForwardGradOptions {
  /** Where relative paths are resolved and the tsconfig is searched for (default: the cwd). */
  readonly rootDir?: string;
  /** tsconfig to read (default: the nearest tsconfig.json above rootDir). */
  readonly tsconfig?: string;
  /** The program's root (default: the script node runs, `process.argv[1]`), walked even when excluded. */
  readonly entry?: string;
  /** Files or directories that never need twins (build-time code, test helpers): never walked into. */
  readonly exclude?: readonly string[];
  /**
   * Directory where emitted files are kept for other processes, keyed as jest's transform cache is
   * (transformer fingerprint, options, every needed file's path and text). Off by default; ignored
   * with custom `tensorRules`.
   */
  readonly cacheDir?: string;
}

/** Cache directories untouched for this long belong to older sources: removed when a new one starts. */
const STALE_CACHE_MS = 60 * 60 * 1000;

/** Decides which files need twins and emits them (CommonJS with an inline source map). */
export class TwinCompiler {
  private readonly options: ForwardGradOptions;
  private readonly compilerOptions: ts.CompilerOptions;
  private readonly programs: ProgramCache;
  private readonly roots = new Set<string>();
  private readonly skip: (file: string) => boolean;
  private readonly stopAt: (file: string) => boolean;
  private closure: ReadonlySet<string> = new Set();
  private emitter: TwinEmitter | undefined;
  /**
   * True while the transformer itself is being required: the files it imports (e.g.
   * runtime/ops/manifest.ts, pure data, which a runtime file in the closure may import too) are
   * build-time code and must load plainly; compiling them then would re-enter this half-loaded module.
   */
  loadingTransformer = false;
  private readonly cacheDir: string | undefined;
  /** Key of the current closure's emitted files in cacheDir. */
  private digest = '';

  constructor({
    rootDir = process.cwd(),
    tsconfig,
    entry = process.argv[1],
    exclude = [],
    cacheDir,
    ...options
  }: TwinRequireHookOptions = {}) {
    const config = loadTsConfig(rootDir, tsconfig);
    const runtime =
      options.runtimeModule && path.isAbsolute(options.runtimeModule) ? path.resolve(options.runtimeModule) : undefined;
    const excluded = exclude.map((p) => path.resolve(rootDir, p));
    // The transformer's own sources run the transform (loaded lazily, through this hook): never theirs.
    excluded.push(path.resolve(__dirname, '..'));
    const isExcluded = (file: string) => excluded.some((p) => file === p || file.startsWith(p + path.sep));
    const root = entry && path.resolve(rootDir, entry);
    this.options = options;
    this.cacheDir = cacheDir && !options.tensorRules ? path.resolve(rootDir, cacheDir) : undefined;
    this.compilerOptions = config.options;
    this.programs = new ProgramCache(nodeEmitOptions(config.options));
    // The runtime module is what twins call, never a callee to differentiate.
    this.skip = (file) => file === runtime || isExcluded(file);
    this.stopAt = (file) => file === runtime || (isExcluded(file) && file !== root);
    if (root && isTypeScriptSource(root)) this.roots.add(root);
    this.analyse();
  }

  needsTwins(file: string): boolean {
    if (!isTypeScriptSource(file) || this.skip(file)) return false;
    if (this.closure.has(file)) return true;
    if (!hasAnnotation(fs.readFileSync(file, 'utf8'))) return false;
    // Loaded from outside the entry's static import graph (a computed require): widen the program.
    this.roots.add(file);
    this.analyse();
    return true;
  }

  /** The emitted JavaScript of `file`, which must need twins; a transformer diagnostic throws, located. */
  compile(file: string): string {
    const cached = this.cacheDir && path.join(this.cacheDir, this.digest, `${sha1(file)}.js`);
    const hit = cached && readIfPresent(cached);
    if (hit) return hit;
    // Loaded on first need: a process whose files need no twins never loads the transformer itself.
    if (!this.emitter) {
      this.loadingTransformer = true;
      let Emitter: typeof TwinEmitter;
      // With part of the program cached, the first miss can come in the middle of its import graph, while a module the
      // transformer imports too (runtime/ops/manifest.ts, pure data, and anything it may import one day) is half-loaded:
      // its empty exports would crash the transformer. Modules still loading are hidden meanwhile, so the transformer
      // gets whole copies of its own; the program's entries are put back untouched.
      const loading = Object.entries(require.cache).filter(([, m]) => m && !m.loaded);
      for (const [key] of loading) delete require.cache[key];
      try {
        ({ TwinEmitter: Emitter } = require('./emit-file') as typeof import('./emit-file'));
      } finally {
        this.loadingTransformer = false;
        for (const [key, m] of loading) require.cache[key] = m;
      }
      this.emitter = new Emitter(this.programs.get([...this.closure]), this.options);
    }
    const { code, diagnostics } = this.emitter.emit(file);
    if (diagnostics.length) throw new ForwardGradBuildError(diagnostics);
    if (code === undefined) throw new Error(`forwardgrad: TypeScript emitted nothing for ${file}`);
    if (cached) writeCached(cached, code);
    return code;
  }

  private analyse(): void {
    this.closure = findAnnotatedClosure(this.roots, this.compilerOptions, { stopAt: this.stopAt }).closure;
    this.emitter = undefined;
    if (!this.cacheDir) return;
    const files = [...this.closure].sort().map((f) => `${f}\0${fs.readFileSync(f, 'utf8')}`);
    this.digest = sha1(
      transformerFingerprint(),
      ts.version,
      this.options.runtimeModule ?? '',
      JSON.stringify(this.programs.options),
      ...files,
    );
  }
}

function readIfPresent(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined; // not cached yet (or just pruned): emit it
  }
}

/** Written under a temporary name and renamed: a concurrent reader sees a whole file or none. */
function writeCached(file: string, code: string): void {
  try {
    const dir = path.dirname(file);
    if (fs.mkdirSync(dir, { recursive: true })) removeStaleSiblings(dir);
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, code);
    fs.renameSync(temp, file);
  } catch {
    // An unwritable cache only costs the next process an emit.
  }
}

function removeStaleSiblings(dir: string): void {
  const parent = path.dirname(dir);
  for (const entry of fs.readdirSync(parent)) {
    const other = path.join(parent, entry);
    try {
      if (other !== dir && Date.now() - fs.statSync(other).mtimeMs > STALE_CACHE_MS)
        fs.rmSync(other, { recursive: true, force: true });
    } catch {
      /* removed by another process meanwhile */
    }
  }
}

/**
 * Node runs this output itself: a Node module kind (node16…nodenext) is kept, which emits CommonJS for
 * a CommonJS package but leaves `import()` alone (ESM-only packages need it); plain 'cjs' would turn
 * it into require(). Any other module kind becomes CommonJS, as ts-node would emit.
 */
function nodeEmitOptions(user: ts.CompilerOptions): ts.CompilerOptions {
  const cjs = emitOptions(user, 'cjs');
  const isNodeKind =
    user.module !== undefined && user.module >= ts.ModuleKind.Node16 && user.module <= ts.ModuleKind.NodeNext;
  return isNodeKind ? { ...cjs, module: user.module, moduleResolution: user.moduleResolution } : cjs;
}

interface LoadableModule {
  _compile(code: string, fileName: string): unknown;
}
type Loader = (module: LoadableModule, fileName: string) => void;

/**
 * Puts the twin compiler in front of the installed `.ts`/`.tsx` loaders, which keep every file that
 * needs no twins. Install a TypeScript loader first (ts-node): without one there is no fast path.
 */
export function installTwinRequireHook(options: TwinRequireHookOptions = {}): TwinCompiler {
  const compiler = new TwinCompiler(options);
  const loaders = require.extensions as unknown as Record<string, Loader | undefined>;
  if (!loaders['.ts'])
    throw new Error('forwardgrad: install a TypeScript loader (ts-node) before the twin require hook');
  for (const ext of ['.ts', '.tsx']) {
    const fallback = loaders[ext];
    if (!fallback) continue;
    loaders[ext] = (module, fileName) => {
      const file = path.resolve(fileName);
      if (compiler.loadingTransformer || !compiler.needsTwins(file)) return fallback(module, fileName);
      module._compile(compiler.compile(file), fileName);
    };
  }
  return compiler;
}
