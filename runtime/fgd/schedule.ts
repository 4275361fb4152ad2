// Learning-rate schedules: η_i at iteration i (0-based: the first step uses η_0).

export type Schedule = (iteration: number) => number;

/** η_i = η_0·e^(−i·k), the paper's decay (k = 1e-4 in §5.2–5.5); k = 0 is a constant rate. */
export function exponentialDecay(lr: number, k = 1e-4): Schedule {
  checkRate(lr, 'lr');
  if (!Number.isFinite(k) || k < 0) throw new Error(`exponentialDecay: decay k must be a finite number ≥ 0, got ${k}`);
  return k === 0 ? () => lr : (i) => lr * Math.exp(-i * k);
}

export function constant(lr: number): Schedule {
  checkRate(lr, 'lr');
  return () => lr;
}

export function checkRate(lr: unknown, what: string): number {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0)
    throw new Error(`${what} must be a finite number > 0, got ${String(lr)}`);
  return lr;
}

/** The schedule for fgd/gd options: a function of the iteration, or lr with decay k. */
export function resolveSchedule(lr: number | Schedule, decay: number | undefined): Schedule {
  if (typeof lr === 'function') {
    if (decay !== undefined)
      throw new Error('lr is a schedule function, so decay must not be given (put the decay in the function)');
    return lr;
  }
  return exponentialDecay(checkRate(lr, 'lr'), decay ?? 1e-4);
}
