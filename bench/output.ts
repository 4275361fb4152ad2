// Where a benchmark writes its numbers: bench/out/ (ignored by git). Running a benchmark never
// rewrites a tracked file; bench/results/ holds the runs chosen for the README, copied there from
// bench/out/ and committed on purpose.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const OUT_DIR = path.resolve(__dirname, 'out');

/** Writes bench/out/<file> (JSON for objects, as is for strings); returns the path it wrote. */
export function writeResult(file: string, data: unknown): string {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const to = path.join(OUT_DIR, file);
  fs.writeFileSync(to, typeof data === 'string' ? data : JSON.stringify(data, null, 2) + '\n');
  return to;
}
