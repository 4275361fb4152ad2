// `forwardgrad emit <files...> [--out dir]`: writes what the transformer generates, so a user can read
// the derivative code: `<out>/<file>.ts` (the transformed TypeScript, twins beside the originals) and
// `<out>/<file>.js` with its `.js.map` (the compiled output, mapped back to the user's source).
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { createForwardGradTransformer, type ForwardGradOptions } from './index';
import { ForwardGradBuildError, isError } from './plugins/diagnostics';
import { emitOptions } from './plugins/emit-options';
import { loadTsConfig } from './plugins/tsconfig';

export interface EmitOptions extends ForwardGradOptions {
  /** tsconfig to read (default: the nearest tsconfig.json above the first file). */
  readonly tsconfig?: string;
}

/** Writes the transformed files; returns the paths written. Underivable code throws ForwardGradBuildError. */
export function emitDerivatives(files: readonly string[], outDir: string, options: EmitOptions = {}): string[] {
  if (files.length === 0) throw new Error('forwardgrad emit: name at least one .ts file');
  const inputs = files.map((f) => path.resolve(f));
  for (const file of inputs) {
    if (!fs.existsSync(file)) throw new Error(`forwardgrad emit: no such file: ${file}; check the path`);
    if (!/\.(ts|tsx|mts|cts)$/.test(file) || /\.d\.[mc]?ts$/.test(file))
      throw new Error(
        `forwardgrad emit: not a TypeScript source: ${file}; emit reads .ts, .tsx, .mts and .cts files (not .d.ts)`,
      );
  }
  const out = path.resolve(outDir);
  const rootDir = commonDir(inputs);
  const config = loadTsConfig(path.dirname(inputs[0]), options.tsconfig);
  // Without a tsconfig, the plugins' options: TypeScript's own defaults would resolve `forwardgrad`
  // the Classic way (not from node_modules), leaving tensors untyped and their ops underivable.
  const base = config.configPath ? config.options : emitOptions(config.options, 'cjs');
  const program = ts.createProgram(inputs, {
    ...base,
    noEmit: false,
    emitDeclarationOnly: false,
    declaration: false,
    composite: false,
    incremental: false,
    sourceMap: true,
    inlineSourceMap: false,
    inlineSources: true,
    outDir: out,
    rootDir,
    outFile: undefined,
  });
  const transformer = createForwardGradTransformer(program, { runtimeModule: options.runtimeModule });
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  const pending = new Map<string, string>(); // written only once every file transformed cleanly
  for (const file of inputs) {
    const target = path.join(out, path.relative(rootDir, file));
    if (target === file)
      throw new Error(`forwardgrad emit: --out ${outDir} would overwrite ${file}; choose another directory`);
    const sourceFile = program.getSourceFile(file)!;
    // A file that does not parse has no derivative to show: TypeScript would print its recovery tree as code.
    const syntax = program.getSyntacticDiagnostics(sourceFile).filter(isError);
    if (syntax.length) throw new ForwardGradBuildError(syntax);
    const result = program.emit(sourceFile, (name, text) => pending.set(name, text), undefined, false, {
      before: [transformer.factory],
    });
    const errors = [...transformer.diagnostics, ...result.diagnostics].filter(isError);
    if (errors.length) throw new ForwardGradBuildError(errors);
    // The same transform, printed as TypeScript: the most readable view of the twins.
    const transformed = ts.transform(sourceFile, [transformer.factory], program.getCompilerOptions());
    pending.set(target, printer.printFile(transformed.transformed[0]));
    transformed.dispose();
  }
  for (const [fileName, text] of pending) {
    fs.mkdirSync(path.dirname(fileName), { recursive: true });
    fs.writeFileSync(fileName, text);
  }
  return [...pending.keys()];
}

function commonDir(files: readonly string[]): string {
  let dir = path.dirname(files[0]);
  while (!files.every((f) => f.startsWith(dir + path.sep))) dir = path.dirname(dir);
  return dir;
}
