// The paper's measures (§5.2; ../shared/DESIGN.md §5), computed from recorded runs. Pure functions
// of the numbers, so the report and the tests compute them the same way.
//   base runtime: forward + loss, no derivatives; R_f = FGD step / base; R_b = backprop step / base
//   (steps include the parameter update); T_b = training time at which backprop reaches its lowest
//   validation loss; T_f = training time at which FGD first reaches that same loss. Medians over runs.

/** Median of the finite-or-infinite numbers (NaN dropped); NaN when none. Even counts: mean of the two middle values. */
export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  if (s.length % 2) return s[m];
  const [a, b] = [s[m - 1], s[m]];
  return a === b ? a : (a + b) / 2; // Infinity + Infinity stays Infinity; ∞ and finite give ∞
}

/** One run's validation curve: training time (ms, evaluation excluded) and loss at each evaluation. */
export interface EvalCurve {
  ms: readonly number[];
  valLoss: readonly number[];
}

/** The time of the first evaluation with the run's lowest validation loss, and that loss. */
export function timeToBest(c: EvalCurve): { ms: number; loss: number } {
  let best = Infinity,
    at = NaN;
  c.valLoss.forEach((l, i) => {
    if (l < best) {
      best = l;
      at = c.ms[i];
    }
  });
  return { ms: at, loss: best };
}

/** The time at which the curve first reaches `target` or lower; Infinity when it never does. */
export function timeToReach(c: EvalCurve, target: number): number {
  for (let i = 0; i < c.valLoss.length; i++) if (c.valLoss[i] <= target) return c.ms[i];
  return Infinity;
}

export interface TimeToLoss {
  /** Per run pair r: T_b, the target loss (backprop's lowest), T_f (Infinity: not reached). */
  perRun: Array<{ tb: number; target: number; tf: number }>;
  tb: number;
  tf: number;
  /** median T_f / median T_b (Infinity when FGD never reached the loss in most runs). */
  ratio: number;
}

/**
 * T_b and T_f per run pair (run r of each method shares the initial parameters and the minibatch
 * order), then medians over the pairs. FGD's target is its partner backprop run's lowest loss.
 */
export function timeToLoss(fgd: readonly EvalCurve[], backprop: readonly EvalCurve[]): TimeToLoss {
  const n = Math.min(fgd.length, backprop.length);
  const perRun = Array.from({ length: n }, (_, r) => {
    const b = timeToBest(backprop[r]);
    return { tb: b.ms, target: b.loss, tf: Number.isFinite(b.loss) ? timeToReach(fgd[r], b.loss) : NaN };
  });
  const tb = median(perRun.map((p) => p.tb)),
    tf = median(perRun.map((p) => p.tf));
  return { perRun, tb, tf, ratio: tf / tb };
}

/** Step costs (ms, medians over interleaved rounds) and their ratios to the base runtime. */
export interface StepCosts {
  baseMs: number;
  fgdMs?: number;
  backpropMs?: number;
  rf?: number;
  rb?: number;
  rfOverRb?: number;
}

export function stepCosts(base: readonly number[], fgd?: readonly number[], backprop?: readonly number[]): StepCosts {
  const baseMs = median(base);
  const out: StepCosts = { baseMs };
  if (fgd?.length) {
    out.fgdMs = median(fgd);
    out.rf = out.fgdMs / baseMs;
  }
  if (backprop?.length) {
    out.backpropMs = median(backprop);
    out.rb = out.backpropMs / baseMs;
  }
  if (out.rf !== undefined && out.rb !== undefined) out.rfOverRb = out.rf / out.rb;
  return out;
}

/** The paper's Table (§5.3–5.5): R_f, R_b, R_f/R_b, T_f/T_b on MNIST with its PyTorch implementation. */
export const PAPER_TABLE: Readonly<
  Record<'logreg' | 'mlp' | 'cnn', { rf: number; rb: number; rfOverRb: number; tfOverTb: number }>
> = {
  logreg: { rf: 2.435, rb: 4.389, rfOverRb: 0.555, tfOverTb: 0.553 },
  mlp: { rf: 2.468, rb: 4.165, rfOverRb: 0.592, tfOverTb: 0.211 },
  cnn: { rf: 1.434, rb: 2.211, rfOverRb: 0.649, tfOverTb: 0.514 },
};
