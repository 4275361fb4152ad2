// `forwardgrad init`: wires forwardgrad into a project. tsconfig.json gets the transformer entry (for
// `tspc`) and the language-service entry (for editors); the jest config gets the transform; with
// `--esbuild <script>`, that build script gets the plugin. Idempotent (an entry already there is left
// alone), all-or-nothing (every edit is computed before any file is written), `dryRun` writes nothing
// and returns the diff. It installs nothing: it prints the `npm i -D …` line of each path it wired.
//
// tsconfig and jest edits are text edits at positions from the `typescript` parser (a required peer,
// always installed); only the build-script edit needs ts-morph, an optional peer loaded here lazily.
import * as fs from 'fs';
import * as path from 'path';
import type * as Morph from 'ts-morph';
import { unifiedDiff } from './init/diff';
import { ESBUILD_ENTRY, wireEsbuildScript } from './init/esbuild-edit';
import { JEST_CONFIG_FILES, newJestConfig, wireJestConfig } from './init/jest-edit';
import { InitError, type Wired } from './init/result';
import { newTsconfig, wireTsconfig } from './init/tsconfig-edit';
import { BUILD_PATHS, type BuildPath, checkPeers, installLine, type Resolve } from './plugins/peers';

export { InitError } from './init/result';

export interface InitOptions {
  /** The project directory (default: the current directory). */
  readonly cwd?: string;
  /** `--esbuild <script>`: the build script to wire, relative to `cwd`. */
  readonly esbuild?: string;
  /** `--jest`: create jest.config.js when the project has no jest config. */
  readonly jest?: boolean;
  /** `--tsconfig <file>` (default: tsconfig.json, created when missing). */
  readonly tsconfig?: string;
  /** `--dry-run`: write nothing; the report holds the diff. */
  readonly dryRun?: boolean;
  /** How ts-morph is found (tests simulate it missing); default require.resolve. */
  readonly resolve?: Resolve;
}

export interface InitChange {
  /** Path relative to the project directory. */
  readonly file: string;
  /** undefined: the file is created. */
  readonly before: string | undefined;
  readonly after: string;
  readonly notes: readonly string[];
}

export interface InitResult {
  /** Files whose text changes (written unless dryRun). */
  readonly changes: readonly InitChange[];
  /** Files that already had every entry. */
  readonly unchanged: readonly string[];
  /** The build paths wired (changed now or before). */
  readonly paths: readonly BuildPath[];
  /** One `npm i -D …` line per wired path, in `paths` order. */
  readonly installLines: readonly string[];
  /** What the command prints: what changed (the diff when dryRun), then the install lines. */
  readonly report: string;
}

/** `require('ts-morph')`, or the one-line install instruction when it is not installed. */
function loadTsMorph(resolve?: Resolve): typeof Morph {
  checkPeers('forwardgrad init --esbuild', resolve);
  return require('ts-morph') as typeof Morph;
}

export function runInit(options: InitOptions = {}): InitResult {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const read = (file: string) =>
    fs.existsSync(path.join(cwd, file)) ? fs.readFileSync(path.join(cwd, file), 'utf8') : undefined;
  const changes: InitChange[] = [];
  const unchanged: string[] = [];
  const paths: BuildPath[] = [];
  const record = (file: string, before: string | undefined, wired: Wired) => {
    if (before === wired.text) unchanged.push(file);
    else changes.push({ file, before, after: wired.text, notes: wired.notes });
  };

  // tsc (and the editor): tsconfig.json
  const tsconfig = options.tsconfig ?? 'tsconfig.json';
  const tsconfigText = read(tsconfig);
  if (tsconfigText === undefined && options.tsconfig)
    throw new InitError(
      `--tsconfig ${options.tsconfig}: no such file in ${cwd}; check the path (relative to the folder init runs in)`,
    );
  record(
    tsconfig,
    tsconfigText,
    tsconfigText === undefined
      ? { text: newTsconfig(), notes: ['with the compiler options the plugins assume'] }
      : wireTsconfig(tsconfig, tsconfigText, path.join(cwd, tsconfig)),
  );
  paths.push('tsc');

  // jest: its config file, else package.json's "jest", else (--jest) a new jest.config.js
  const jestFiles = JEST_CONFIG_FILES.filter((f) => read(f) !== undefined);
  if (jestFiles.length > 1)
    throw new InitError(
      `several jest configs (${jestFiles.join(', ')}): jest refuses to choose; keep one, then run init again`,
    );
  const pkgText = read('package.json');
  const pkg = pkgText === undefined ? undefined : parsePackageJson(pkgText);
  if (jestFiles.length === 1) {
    record(jestFiles[0], read(jestFiles[0]), wireJestConfig(jestFiles[0], read(jestFiles[0])!));
    paths.push('jest');
  } else if (pkg && typeof pkg.jest === 'object' && pkg.jest !== null) {
    record('package.json', pkgText, wireJestConfig('package.json', pkgText!, 'jest'));
    paths.push('jest');
  } else if (options.jest) {
    record('jest.config.js', undefined, { text: newJestConfig(pkg?.type === 'module'), notes: [] });
    paths.push('jest');
  }

  // esbuild: the build script named
  if (options.esbuild !== undefined) {
    const script = path.relative(cwd, path.resolve(cwd, options.esbuild));
    const text = read(script);
    if (text === undefined)
      throw new InitError(
        `--esbuild ${options.esbuild}: no such file in ${cwd}; check the path (relative to the folder init runs in)`,
      );
    record(script, text, wireEsbuildScript(script, text, loadTsMorph(options.resolve)));
    paths.push('esbuild');
  }

  if (!options.dryRun) {
    for (const c of changes) fs.writeFileSync(path.join(cwd, c.file), c.after);
  }
  const installLines = paths.map((p) => installLine(BUILD_PATHS[p].peers));
  return { changes, unchanged, paths, installLines, report: report(changes, unchanged, paths, installLines, options) };
}

function parsePackageJson(text: string): { jest?: unknown; type?: unknown } | undefined {
  try {
    return JSON.parse(text) as { jest?: unknown; type?: unknown };
  } catch {
    throw new InitError('package.json: not valid JSON; fix it, then run init again');
  }
}

/** What to run after installing, per path (a comment after the install line: pasting the line still works). */
const NEXT: Record<BuildPath, string> = {
  tsc: 'then `npx tspc` (without ts-patch installed, `npx tspc` offers to download an unrelated package)',
  esbuild: `then run your build script (it imports ${ESBUILD_ENTRY})`,
  jest: 'then `npx jest`',
};

function report(
  changes: readonly InitChange[],
  unchanged: readonly string[],
  paths: readonly BuildPath[],
  installLines: readonly string[],
  options: InitOptions,
): string {
  const out: string[] = [];
  for (const c of changes) {
    const what = c.before === undefined ? 'created' : 'updated';
    out.push(
      `${c.file}: ${options.dryRun ? `would be ${what}` : what}${c.notes.length ? ` (${c.notes.join('; ')})` : ''}`,
    );
  }
  for (const f of unchanged) out.push(`${f}: already wired`);
  if (!paths.includes('jest'))
    out.push('jest: no jest config found (`forwardgrad init --jest` creates jest.config.js)');
  if (options.dryRun && changes.length === 0) out.push('', 'Dry run: nothing to change.');
  if (options.dryRun && changes.length > 0) {
    out.push('', 'Dry run: nothing written. The change:', '');
    for (const c of changes) out.push(unifiedDiff(c.file, c.before, c.after));
  }
  out.push('', 'Install what each wired path needs (init installs nothing):');
  paths.forEach((p, i) => out.push(`  ${installLines[i]}   # ${p}: ${NEXT[p]}`));
  out.push(
    '',
    'Editor: the "forwardgrad/language-service" entry in tsconfig.json shows the transform\'s errors as you type' +
      ' (VS Code: "TypeScript: Select TypeScript Version" > "Use Workspace Version").',
  );
  return out.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}
