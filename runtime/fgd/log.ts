// Training logs as JSON lines: a header with the options, one line per logged step, an end line.
// Each line is one write(2) on an O_APPEND descriptor, so lines never interleave or tear
// (short lines on a local file system), and a crash loses at most the line being written.
import { fs, path } from '../node-io';
import { writeFileAtomic } from './atomic';

export class JsonLinesLog {
  private fd: number | undefined;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.fd = fs.openSync(file, 'a');
  }

  write(record: Record<string, unknown>): void {
    if (this.fd === undefined) throw new Error(`log ${this.file} is closed`);
    fs.writeSync(
      this.fd,
      JSON.stringify(record, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) + '\n',
    );
  }

  close(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

/** Reads a JSON-lines file back (for reports and tests). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- records of any shape, read back by tests and reports
export function readJsonLines(file: string): Array<Record<string, any>> {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

/**
 * Cuts a log back to a checkpoint's step before a resumed run appends to it, so each step appears
 * once: records after `step` (steps, ends, and headers of runs that started later) are dropped, as
 * is a line torn by a crash. Replaced atomically; a missing file is left missing.
 */
export function truncateLog(file: string, step: number): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new Error(`log ${file}: cannot read it to truncate it to step ${step} (${(e as Error).message})`);
  }
  const kept = text.split('\n').filter((line) => {
    if (line.trim() === '') return false;
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line);
    } catch {
      return false;
    } // the line a crash tore
    if (r.type === 'header') return typeof r.startStep !== 'number' || r.startStep <= step + 1;
    return typeof r.step !== 'number' || r.step <= step;
  });
  writeFileAtomic(file, kept.map((l) => l + '\n').join(''));
}
