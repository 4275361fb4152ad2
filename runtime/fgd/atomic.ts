// Crash-safe file replacement: write a temporary file beside the target, fsync it, rename it over
// the target (atomic on POSIX), then fsync the directory. Readers see the old file or the new
// one, never a half-written one; a failed write leaves the old file and no temporary behind.
import * as fs from 'node:fs';
import * as path from 'node:path';

export type AtomicFs = Pick<typeof fs, 'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'unlinkSync' | 'mkdirSync'>;

let counter = 0;

export function writeFileAtomic(file: string, data: string | Uint8Array, io: AtomicFs = fs): void {
  const dir = path.dirname(path.resolve(file));
  io.mkdirSync(dir, { recursive: true });
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
    if (fd !== undefined) try { io.closeSync(fd); } catch { /* already failing */ }
    try { io.unlinkSync(tmp); } catch { /* never created */ }
    throw e;
  }
  syncDirectory(dir, io);
}

/** Makes the rename durable (best effort: some platforms cannot open directories). */
function syncDirectory(dir: string, io: AtomicFs): void {
  let fd: number | undefined;
  try { fd = io.openSync(dir, 'r'); io.fsyncSync(fd); } catch { /* not supported here */ } finally {
    if (fd !== undefined) io.closeSync(fd);
  }
}
