// A throwaway project in os.tmpdir() that installs forwardgrad from the `npm pack` tarball, as a new
// user would. The tarball is unpacked into node_modules/forwardgrad (what `npm install <tgz>` does);
// its dependencies and the user's own tools (typescript, ts-patch, esbuild, jest, ts-jest) are
// symlinked from this repository's node_modules, so no network is needed.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const REPO = path.resolve(__dirname, '..', '..', '..');
const REPO_MODULES = path.join(REPO, 'node_modules');

/** The user's tools, installed beside forwardgrad. */
const USER_TOOLS = ['typescript', 'ts-patch', 'esbuild', 'jest', 'ts-jest', '@types/node', '@types/jest'];

export interface RunResult { readonly status: number | null; readonly stdout: string; readonly stderr: string }

export interface UserProject {
  readonly dir: string;
  readonly tarball: string;
  /** Runs `node <args>` in the project with a clean environment (no jest worker variables). */
  node(args: readonly string[], timeoutMs?: number): RunResult;
  /** Path of a tool's entry script, as installed in the project. */
  bin(tool: 'tspc' | 'jest'): string;
  remove(): void;
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
  const packOut = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20,
  })) as { filename: string }[];
  const tarball = path.join(dir, packOut[0].filename);
  const installed = path.join(dir, 'node_modules', 'forwardgrad');
  fs.mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '--strip-components=1', '-C', installed]);
  const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
  for (const name of [...Object.keys(manifest.dependencies ?? {}), ...USER_TOOLS]) link(dir, name);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return {
    dir,
    tarball,
    node: (args, timeoutMs = 120_000) => {
      const env = { ...process.env };
      for (const key of Object.keys(env)) if (key.startsWith('JEST') || key === 'NODE_OPTIONS' || key === 'TS_JEST') delete env[key];
      const r = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8', timeout: timeoutMs });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    bin: (tool) => (tool === 'tspc'
      ? path.join(dir, 'node_modules', 'ts-patch', 'bin', 'tspc.js')
      : path.join(dir, 'node_modules', 'jest', 'bin', 'jest.js')),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
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
