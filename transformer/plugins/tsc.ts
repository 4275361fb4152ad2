// A ts-patch entry for projects that name their runtime module by a path relative to the tsconfig
// (this repository's own build: `"runtimeModule": "./runtime/index.ts"`). The transformer wants an
// absolute path there, which a JSON tsconfig cannot compute, so resolve it and delegate.
import * as path from 'path';
import type * as ts from 'typescript';
import tsPatchTransformer, { type ForwardGradOptions } from '../index';

type Extras = Parameters<typeof tsPatchTransformer>[2];

export default function tsPatchWithRelativeRuntime(
  program: ts.Program,
  config: ForwardGradOptions & Record<string, unknown> = {},
  extras?: Extras,
): ts.TransformerFactory<ts.SourceFile> {
  const runtimeModule = config.runtimeModule;
  const resolved =
    typeof runtimeModule === 'string' && runtimeModule.startsWith('.')
      ? path.resolve(projectDir(program), runtimeModule)
      : runtimeModule;
  return tsPatchTransformer(program, { ...config, runtimeModule: resolved }, extras);
}

function projectDir(program: ts.Program): string {
  const configFile = program.getCompilerOptions().configFilePath;
  return typeof configFile === 'string' ? path.dirname(configFile) : program.getCurrentDirectory();
}
