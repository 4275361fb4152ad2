// A throwaway project in os.tmpdir() that installs forwardgrad from the `npm pack` tarball, as a new
// user would. The tarball is unpacked into node_modules/forwardgrad (what `npm install <tgz>` does);
// its dependencies and the user's own tools (typescript, ts-patch, esbuild, jest, ts-jest) are
// symlinked from this repository's node_modules, so no network is needed. `newcomer` unpacks the same
// tarball into another project with nothing else installed, and runs README lines there.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const REPO = path.resolve(__dirname, '..', '..', '..');
const REPO_MODULES = path.join(REPO, 'node_modules');

/** The user's tools, installed beside forwardgrad. */
const USER_TOOLS = ['typescript', 'ts-patch', 'esbuild', 'jest', 'ts-jest', '@types/node', '@types/jest'];

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface UserProject {
  readonly dir: string;
  readonly tarball: string;
  /** Runs `node <args>` in the project with a clean environment (no jest worker variables). */
  node(args: readonly string[], timeoutMs?: number): RunResult;
  /** Path of a tool's entry script, as installed in the project. */
  bin(tool: 'tspc' | 'jest'): string;
  /** A second project from the same tarball, installed alone: nothing of the user's tools until `install`. */
  newcomer(files: Record<string, string>): Newcomer;
  remove(): void;
}

/**
 * A project where `npm install <tarball>` has just run (forwardgrad, its dependencies and its bin in
 * node_modules/.bin) and nothing else: each README line then runs through `sh`.
 */
export interface Newcomer {
  readonly dir: string;
  /**
   * One README shell line: `npm i -D a@v b` links those packages from this repository (after checking
   * that the installed version is the one the line pins), `npx …` runs the real npx offline (a local
   * bin or an error, never a download), `node …` runs node. Anything else is refused.
   */
  sh(line: string, timeoutMs?: number): RunResult;
  read(file: string): string;
}

/** Packs the repository (`prepack` builds it) and installs the tarball into a fresh project. */
export function createUserProject(files: Record<string, string>): UserProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forwardgrad-user-'));
  try {
    return install(dir, files);
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

function install(dir: string, files: Record<string, string>): UserProject {
  // What `prepack` runs, then the pack itself without scripts (their output would garble --json).
  const build = spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
  const packOut = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: REPO,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 << 20,
    }),
  ) as { filename: string }[];
  const tarball = path.join(dir, packOut[0].filename);
  const installed = path.join(dir, 'node_modules', 'forwardgrad');
  fs.mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '--strip-components=1', '-C', installed]);
  const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
  for (const name of [...Object.keys(manifest.dependencies ?? {}), ...USER_TOOLS]) link(dir, name);
  const extra: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return {
    dir,
    tarball,
    node: (args, timeoutMs = 120_000) => {
      const env = { ...process.env };
      for (const key of Object.keys(env))
        if (key.startsWith('JEST') || key === 'NODE_OPTIONS' || key === 'TS_JEST') delete env[key];
      const r = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8', timeout: timeoutMs });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    bin: (tool) =>
      tool === 'tspc'
        ? path.join(dir, 'node_modules', 'ts-patch', 'bin', 'tspc.js')
        : path.join(dir, 'node_modules', 'jest', 'bin', 'jest.js'),
    newcomer: (more) => {
      const at = fs.mkdtempSync(path.join(os.tmpdir(), 'forwardgrad-newcomer-'));
      extra.push(at);
      return newcomer(at, tarball, more);
    },
    remove: () => {
      for (const d of [dir, ...extra]) fs.rmSync(d, { recursive: true, force: true });
    },
  };
}

/** The clean environment of a user's shell: no jest worker or npm-script variables. */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('JEST') || key.startsWith('npm_') || key === 'NODE_OPTIONS' || key === 'TS_JEST')
      delete env[key];
  }
  return env;
}

function newcomer(dir: string, tarball: string, files: Record<string, string>): Newcomer {
  const installed = path.join(dir, 'node_modules', 'forwardgrad');
  fs.mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '--strip-components=1', '-C', installed]);
  const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
  // npm installs the dependencies and the peers that are not optional (TypeScript)
  const peers = Object.keys(manifest.peerDependencies ?? {}).filter(
    (p) => !manifest.peerDependenciesMeta?.[p]?.optional,
  );
  for (const name of [...Object.keys(manifest.dependencies ?? {}), ...peers]) {
    link(dir, name);
    linkBins(dir, name);
  }
  linkBins(dir, 'forwardgrad');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const run = (command: string, args: readonly string[], timeoutMs: number): RunResult => {
    // offline: npx runs the project's own bin or fails; it never downloads a package of that name
    const env = {
      ...userEnv(),
      npm_config_offline: 'true',
      npm_config_yes: 'false',
      npm_config_update_notifier: 'false',
    };
    const r = spawnSync(command, args, { cwd: dir, env, encoding: 'utf8', timeout: timeoutMs });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return {
    dir,
    read: (file) => fs.readFileSync(path.join(dir, file), 'utf8'),
    sh: (line, timeoutMs = 180_000) => {
      const words = line.trim().split(/\s+/);
      if (words[0] === 'npm' && (words[1] === 'i' || words[1] === 'install') && words[2] === '-D') {
        for (const spec of words.slice(3)) {
          const { name, version } = parseSpec(spec);
          const have = JSON.parse(fs.readFileSync(path.join(REPO_MODULES, name, 'package.json'), 'utf8'))
            .version as string;
          if (version !== undefined && have !== version && !have.startsWith(`${version}.`)) {
            throw new Error(`${line}: this repository has ${name}@${have}, not the ${version} the line pins`);
          }
          link(dir, name);
          linkBins(dir, name);
        }
        return { status: 0, stdout: '', stderr: '' };
      }
      if (words[0] === 'npx') return run('npx', words.slice(1), timeoutMs);
      if (words[0] === 'node') return run(process.execPath, words.slice(1), timeoutMs);
      throw new Error(`newcomer.sh: not a README step this harness runs: ${line}`);
    },
  };
}

/** `name@version` (scoped names keep their leading @). */
function parseSpec(spec: string): { name: string; version?: string } {
  const at = spec.indexOf('@', 1);
  return at < 0 ? { name: spec } : { name: spec.slice(0, at), version: spec.slice(at + 1) };
}

/** node_modules/.bin entries for a package's bins, as npm creates them (executable). */
function linkBins(dir: string, name: string): void {
  const pkgDir = path.join(dir, 'node_modules', name);
  const bin = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).bin as
    string | Record<string, string> | undefined;
  const bins = typeof bin === 'string' ? { [name.split('/').pop()!]: bin } : (bin ?? {});
  fs.mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  for (const [command, file] of Object.entries(bins)) {
    const target = path.join(pkgDir, file);
    // the unpacked tarball's bin (a linked package's bins are executable already)
    if (!fs.lstatSync(pkgDir).isSymbolicLink()) fs.chmodSync(target, 0o755);
    const at = path.join(dir, 'node_modules', '.bin', command);
    if (!fs.existsSync(at)) fs.symlinkSync(target, at);
  }
}

/** The commands of one `sh` block in the README's "Using it in your project", its first line `# <title>…`; comments dropped. */
export function readmeSteps(title: string): string[] {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using it in your project'));
  const end = section.indexOf('\n## ', 1);
  for (const block of (end < 0 ? section : section.slice(0, end)).split('```sh\n').slice(1)) {
    const lines = block.slice(0, block.indexOf('```')).split('\n');
    if (lines[0].startsWith(`# ${title}`)) {
      return lines
        .slice(1)
        .map((l) => l.replace(/\s+#.*$/, '').trim())
        .filter((l) => l !== '');
    }
  }
  throw new Error(`README: no sh block "# ${title}" in "Using it in your project"`);
}

function link(dir: string, name: string): void {
  const target = path.join(REPO_MODULES, name);
  if (!fs.existsSync(target)) throw new Error(`user project: ${name} is not installed in ${REPO_MODULES}`);
  const at = path.join(dir, 'node_modules', name);
  fs.mkdirSync(path.dirname(at), { recursive: true });
  if (!fs.existsSync(at)) fs.symlinkSync(target, at, 'dir');
}

/** Strips ANSI colour codes, so located messages can be matched in pretty output. */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex -- ESC is exactly what an ANSI colour code starts with
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** 1-based line and column of the first occurrence of `needle` in `text`. */
export function positionOf(text: string, needle: string): { line: number; column: number } {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`positionOf: ${needle} not found`);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}
