// Decides which files need the type-aware (Program-based) transform. A file does when it carries an
// annotation, or when annotated code can reach it through imports: the transformer emits a callee's
// twin in the callee's own module, so those modules must go through it too. Everything else can take
// a plugin's fast path (plain transpilation), which keeps builds and test runs quick.
import * as path from 'path';
import * as ts from 'typescript';

/** Source text that makes a file a root of the type-aware transform: an annotation, or a literal handed to jvp & co. */
const TRIGGERS: readonly RegExp[] = [
  /\/\*(?:(?!\*\/)[^])*@(?:forwardGrad|customJvp)\b/, // inside a block comment: `/** @forwardGrad */`, `@customJvp rule`
  /^[ \t]*@forwardGrad\b/m, // the method decorator, at the start of a line
];

/** A function literal passed straight to jvp/forwardGradient/fgd (differentiated without annotation). */
const LITERAL_CALL = /\b(?:jvp|forwardGradient|fgd)\s*\(\s*(?:\(|function\b|async\b|[A-Za-z_$][\w$]*\s*=>)/;

export function hasAnnotation(text: string): boolean {
  return (
    ((text.includes('@forwardGrad') || text.includes('@customJvp')) && TRIGGERS.some((re) => re.test(text))) ||
    LITERAL_CALL.test(text)
  );
}

export function isTypeScriptSource(fileName: string): boolean {
  return /\.(ts|tsx|mts|cts)$/.test(fileName) && !/\.d\.[mc]?ts$/.test(fileName) && !isInNodeModules(fileName);
}

function isInNodeModules(fileName: string): boolean {
  return fileName.split(/[\\/]/).includes('node_modules');
}

export interface AnnotatedClosure {
  /** Files carrying an annotation (absolute, normalised). */
  readonly annotated: ReadonlySet<string>;
  /** Annotated files plus every project source file they import, transitively. */
  readonly closure: ReadonlySet<string>;
}

/**
 * Walks the import graph from `candidates` (the tsconfig's files, entry points, the file at hand).
 * Uses the scanner-only `preProcessFile`, no type checking, so it costs milliseconds per file.
 */
export interface ClosureOptions {
  /** Files neither included nor walked into (the runtime module, which twins call but never differentiate). */
  readonly stopAt?: (fileName: string) => boolean;
  /** Where files are read and modules resolved (default: the file system). */
  readonly host?: ts.ModuleResolutionHost;
}

export function findAnnotatedClosure(
  candidates: Iterable<string>,
  options: ts.CompilerOptions,
  { stopAt = () => false, host = ts.sys }: ClosureOptions = {},
): AnnotatedClosure {
  const cache = ts.createModuleResolutionCache(process.cwd(), (f) => f, options);
  const imports = new Map<string, string[]>();
  const annotated = new Set<string>();
  const pending = [...candidates].map((f) => path.resolve(f)).filter(isTypeScriptSource);
  while (pending.length) {
    const file = pending.pop()!;
    if (imports.has(file) || stopAt(file)) continue;
    const text = host.readFile(file);
    if (text === undefined) {
      imports.set(file, []);
      continue;
    }
    if (hasAnnotation(text)) annotated.add(file);
    const deps: string[] = [];
    for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
      const resolved = ts.resolveModuleName(ref.fileName, file, options, host, cache).resolvedModule;
      const target = resolved && path.resolve(resolved.resolvedFileName);
      if (target && isTypeScriptSource(target)) deps.push(target);
    }
    imports.set(file, deps);
    pending.push(...deps);
  }
  const closure = new Set<string>();
  const stack = [...annotated];
  while (stack.length) {
    const file = stack.pop()!;
    if (closure.has(file) || stopAt(file)) continue;
    closure.add(file);
    stack.push(...(imports.get(file) ?? []));
  }
  return { annotated, closure };
}
