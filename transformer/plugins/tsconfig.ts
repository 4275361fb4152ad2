// Reads the user's tsconfig the way tsc would, so every plugin sees the same compiler options and
// file list as the user's own `tsc` build.
import * as path from 'path';
import * as ts from 'typescript';

export interface LoadedConfig {
  /** Absolute path of the tsconfig that was read, or undefined when none was found. */
  readonly configPath: string | undefined;
  readonly options: ts.CompilerOptions;
  /** The files the tsconfig includes (absolute paths). */
  readonly fileNames: readonly string[];
}

/** Finds and parses `tsconfig` (a path, or searched for upwards from `fromDir`). Config errors throw. */
export function loadTsConfig(fromDir: string, tsconfig?: string): LoadedConfig {
  const configPath = tsconfig
    ? path.resolve(fromDir, tsconfig)
    : ts.findConfigFile(fromDir, ts.sys.fileExists, 'tsconfig.json');
  if (!configPath) return { configPath: undefined, options: defaultOptions(), fileNames: [] };
  if (!ts.sys.fileExists(configPath))
    throw new Error(
      `forwardgrad: tsconfig not found: ${configPath}; check the path, or leave it out to use the nearest tsconfig.json`,
    );
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(`forwardgrad: cannot read ${configPath}: ${flatten(read.error)}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath), undefined, configPath);
  // "No inputs found" is not fatal for a plugin: the bundler or jest names the files.
  const fatal = parsed.errors.filter((d) => d.code !== 18003);
  if (fatal.length) throw new Error(`forwardgrad: invalid ${configPath}: ${fatal.map(flatten).join('; ')}`);
  return { configPath, options: parsed.options, fileNames: parsed.fileNames.map((f) => path.resolve(f)) };
}

function defaultOptions(): ts.CompilerOptions {
  return { target: ts.ScriptTarget.ES2022, strict: true, esModuleInterop: true, skipLibCheck: true };
}

function flatten(d: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(d.messageText, '\n');
}
