// A progress bar for interactive runs only: shown when stdout is a terminal (and not disabled),
// so logs and CI output stay clean. Updates are throttled to ~200 per run. cli-progress is loaded
// only when a bar is shown, so non-interactive and browser users never load it.
import type * as CliProgress from 'cli-progress';

export interface Progress {
  update(step: number, loss: number): void;
  stop(): void;
}

const NONE: Progress = { update() {}, stop() {} };

/**
 * `header`, when given, is asked for one line printed above the bar (fgd: the backend of a tensor run); it is only
 * called when the bar is shown, so a quiet run never evaluates it (for fgd: never loads a backend for it).
 */
export function createProgress(
  label: string,
  total: number,
  start: number,
  enabled?: boolean,
  header?: () => string,
): Progress {
  if (!(enabled ?? process.stdout.isTTY === true)) return NONE;
  if (header) process.stdout.write(`${header()}\n`);
  const { SingleBar, Presets } = require('cli-progress') as typeof CliProgress;
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} loss {loss} | {eta_formatted}`,
      hideCursor: true,
      stream: process.stdout,
    },
    Presets.shades_classic,
  );
  bar.start(total, start, { loss: '-' });
  const every = Math.max(1, Math.floor(total / 200));
  return {
    update(step, loss) {
      if (step % every === 0 || step === total) bar.update(step, { loss: loss.toPrecision(5) });
    },
    stop() {
      bar.stop();
    },
  };
}
