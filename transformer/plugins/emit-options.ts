// Compiler options for the plugins' in-memory emits: the user's options, one module format, inline
// source maps, nothing written to disk.
import * as ts from 'typescript';

export type ModuleFormat = 'esm' | 'cjs';

/** The user's options, adjusted for an in-memory emit of one module format with inline maps. */
export function emitOptions(user: ts.CompilerOptions, format: ModuleFormat): ts.CompilerOptions {
  const moduleOptions: ts.CompilerOptions =
    format === 'esm'
      ? { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }
      : { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 };
  return {
    ...user,
    ...moduleOptions,
    noEmit: false,
    emitDeclarationOnly: false,
    declaration: false,
    declarationMap: false,
    composite: false,
    incremental: false,
    noEmitOnError: false,
    sourceMap: false,
    inlineSourceMap: true,
    inlineSources: true,
    outDir: undefined,
    outFile: undefined,
    rootDir: undefined,
    tsBuildInfoFile: undefined,
    verbatimModuleSyntax: false,
    allowImportingTsExtensions: format === 'esm' ? user.allowImportingTsExtensions : false,
  };
}
