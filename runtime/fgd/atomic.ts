// Crash-safe file replacement: write a temporary file beside the target, fsync it, rename it over
// the target (atomic on POSIX), then fsync the directory. Readers see the old file or the new
// one, never a half-written one; a failed write leaves the old file and no temporary behind, and a
// process killed mid-write leaves one that the next write beside the target removes (its pid is dead).
import { fs, path } from '../node-io';

export type AtomicFs = Pick<
  typeof fs,
  'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'unlinkSync' | 'mkdirSync'
>;

let counter = 0;

export function writeFileAtomic(file: string, data: string | Uint8Array, io: AtomicFs = fs): void {
  const dir = path.dirname(path.resolve(file));
  io.mkdirSync(dir, { recursive: true });
  removeStaleTemporaries(dir, path.basename(file), io);
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${counter++}`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | undefined;
  try {
    fd = io.openSync(tmp, 'w', 0o644);
    let written = 0;
    while (written < bytes.length) written += io.writeSync(fd, bytes, written, bytes.length - written);
    io.fsyncSync(fd);
    io.closeSync(fd);
    fd = undefined;
    io.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined)
      try {
        io.closeSync(fd);
      } catch {
        /* already failing */
      }
    try {
      io.unlinkSync(tmp);
    } catch {
      /* never created */
    }
    throw e;
  }
  syncDirectory(dir, io);
}

/** Makes the rename durable (best effort: some platforms cannot open directories). */
function syncDirectory(dir: string, io: AtomicFs): void {
  let fd: number | undefined;
  try {
    fd = io.openSync(dir, 'r');
    io.fsyncSync(fd);
  } catch {
    /* not supported here */
  } finally {
    if (fd !== undefined) io.closeSync(fd);
  }
}

/** Whether process `pid` exists (EPERM: it does, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes `.<base>.tmp-<pid>-<n>` files left by killed writers (never a live process's, which may be mid-write). */
export function removeStaleTemporaries(dir: string, base: string, io: Pick<AtomicFs, 'unlinkSync'> = fs): string[] {
  const prefix = `.${base}.tmp-`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)-\d+$/.exec(name.slice(prefix.length));
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    try {
      io.unlinkSync(path.join(dir, name));
      removed.push(name);
    } catch {
      /* another writer removed it first */
    }
  }
  return removed;
}
