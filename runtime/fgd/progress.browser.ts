// Browser version of runtime/fgd/progress.ts (package.json `browser` field): a page has no terminal,
// so there is never a bar (a page draws its own progress from fgd's onStep/log records).
import type { Progress } from './progress';

const NONE: Progress = { update() {}, stop() {} };

export function createProgress(_label: string, _total: number, _start: number, _enabled?: boolean): Progress {
  return NONE;
}
