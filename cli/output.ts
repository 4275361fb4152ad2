// Where a command's results go, checked before any work starts and written so that a reader never
// sees a mix of two runs: every file is written into a fresh staging folder beside the target
// (`.<name>.partial-<pid>-<random>`), which replaces the target in one rename at the end. Ctrl-C
// (or a crash) before that leaves the old folder untouched; the next run removes stale staging
// folders of dead processes. An existing report is replaced only with `--force`; a folder that is
// not one of our reports is never replaced.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** An error the command line prints as one line, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Files that mark a folder as one of our reports (anything written by train/demo/report). */
export const REPORT_MARKERS = ['results.json', 'testfns.json', 'index.html'] as const;

export interface Staged {
  /** The final folder. */
  readonly target: string;
  /** The folder to write into now. */
  readonly dir: string;
  /** Moves `dir` into place (replacing the old report); returns `target`. */
  commit(): string;
  /** Removes `dir` (the target is left as it was). */
  abandon(): void;
}

const errnoText = (e: unknown) => {
  const err = e as NodeJS.ErrnoException;
  return err.code
    ? `${err.code}: ${err.message.replace(/^\w+: /, '').replace(/, \w+ '.*'$/, '')}`
    : String(err.message ?? e);
};

/**
 * mkdir -p without `recursive: true`: node's recursive mkdir never returns on a pseudo-file
 * system that answers ENOENT to every mkdir (e.g. /proc); one level at a time, each error is final.
 */
export function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let p = path.resolve(dir); !fs.existsSync(p); p = path.dirname(p)) {
    missing.unshift(p);
    if (p === path.dirname(p)) break;
  }
  for (const p of missing) {
    try {
      fs.mkdirSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes staging folders of `name` left by processes that no longer run (a killed earlier run). */
function removeStale(parent: string, name: string): void {
  const prefix = `.${name}.partial-`;
  for (const entry of fs.readdirSync(parent)) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid))
      fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
  }
}

/**
 * Checks `target` (the value of `option`, e.g. '--out') and creates the staging folder beside it.
 * Throws a CliError naming the option and folder when it is a file, not writable, or holds
 * something that is not a report, or holds a report and `force` is not set.
 */
export function stageOutput(target: string, option: string, force: boolean): Staged {
  const abs = path.resolve(target);
  const name = path.basename(abs),
    parent = path.dirname(abs);
  if (abs === parent) throw new CliError(`${option} ${target}: cannot write a report over the root folder`);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(abs);
  } catch (e) {
    // ENOTDIR: a file somewhere on the path; the parent's mkdir below says which
    if (!['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? ''))
      throw new CliError(`${option} ${target}: cannot read it (${errnoText(e)})`);
  }
  if (stat && !stat.isDirectory()) throw new CliError(`${option} ${target}: is a file, not a folder`);
  if (stat) {
    const entries = fs.readdirSync(abs);
    const ours = entries.some((e) => (REPORT_MARKERS as readonly string[]).includes(e));
    if (entries.length > 0 && !ours)
      throw new CliError(
        `${option} ${target}: the folder is not empty and holds no forwardgrad report; choose a new folder (it is never replaced)`,
      );
    if (ours && !force) throw new CliError(`${option} ${target}: holds a report already; pass --force to replace it`);
  }
  for (let p = parent; ; p = path.dirname(p)) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(p);
    } catch {
      /* missing: created below */
    }
    if (st && !st.isDirectory()) throw new CliError(`${option} ${target}: ${p} is a file, not a folder`);
    if (st || p === path.dirname(p)) break;
  }
  try {
    makeFolders(parent);
  } catch (e) {
    throw new CliError(`${option} ${target}: cannot create its parent folder ${parent} (${errnoText(e)})`);
  }
  let dir: string;
  try {
    removeStale(parent, name);
    dir = fs.mkdtempSync(path.join(parent, `.${name}.partial-${process.pid}-`));
    // A write probe: some file systems accept mkdir but refuse files.
    fs.writeFileSync(path.join(dir, '.probe'), '');
    fs.rmSync(path.join(dir, '.probe'));
  } catch (e) {
    throw new CliError(`${option} ${target}: cannot write in ${parent} (${errnoText(e)})`);
  }
  let done = false;
  return {
    target: abs,
    dir,
    commit() {
      if (done) throw new Error(`output ${abs}: already committed or abandoned`);
      done = true;
      // Defer Ctrl-C across the swap: with a listener installed, node delivers SIGINT on the event
      // loop, after these synchronous renames, so the old report or the new one is always in place.
      let interrupted = false;
      const hold = () => {
        interrupted = true;
      };
      process.on('SIGINT', hold);
      try {
        let old: string | undefined;
        if (fs.existsSync(abs)) {
          old = path.join(parent, `.${name}.old-${process.pid}-${Date.now()}`);
          fs.renameSync(abs, old);
        }
        fs.renameSync(dir, abs);
        if (old) fs.rmSync(old, { recursive: true, force: true });
      } catch (e) {
        throw new CliError(
          `${option} ${target}: cannot move the new report into place (${errnoText(e)}); it is in ${dir}`,
        );
      } finally {
        process.off('SIGINT', hold);
        if (interrupted) process.kill(process.pid, 'SIGINT');
      }
      return abs;
    },
    abandon() {
      if (done) return;
      done = true;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `work(dir)` in a staging folder for `target` and moves it into place when it succeeds. */
export async function withStagedOutput<T>(
  target: string,
  option: string,
  force: boolean,
  work: (dir: string) => Promise<T> | T,
): Promise<{ value: T; dir: string }> {
  const staged = stageOutput(target, option, force);
  try {
    const value = await work(staged.dir);
    return { value, dir: staged.commit() };
  } catch (e) {
    staged.abandon();
    throw e;
  }
}

/** Checks that a folder given as input (e.g. --data, --resume) exists and is a folder. */
export function requireInputFolder(dir: string, option: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (e) {
    throw new CliError(
      `${option} ${dir}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : `cannot read it (${errnoText(e)})`}`,
    );
  }
  if (!stat.isDirectory()) throw new CliError(`${option} ${dir}: is a file, not a folder`);
  return path.resolve(dir);
}

/** Creates (or checks) a folder the run writes into as it goes (e.g. --checkpoint). */
export function ensureWritableFolder(dir: string, option: string): string {
  const abs = path.resolve(dir);
  if (fs.existsSync(abs) && !fs.statSync(abs).isDirectory())
    throw new CliError(`${option} ${dir}: is a file, not a folder`);
  try {
    makeFolders(abs);
    const probe = path.join(abs, `.probe-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (e) {
    throw new CliError(`${option} ${dir}: cannot write there (${errnoText(e)})`);
  }
  return abs;
}
