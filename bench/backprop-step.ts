// The paper's R_f and R_b side by side on the MLP (784-1024-1024-10, batch 64, sgd, K = 1): time of
// one forward-gradient step (draw v, fused JVP run, update) and of one backprop step (taped forward,
// backward pass over the same kernels, update) over one base forward run (the loss only), on the
// default backend; plus each step's extra memory (peak bytes of pooled buffers beyond those alive
// before the step: activations, cotangents, tangents, scratch) and grad() alone.
//
// Run: npx ts-node -T bench/backprop-step.ts [--rounds 7] [--steps 4]   (prints a table, writes bench/out/backprop-step.json)
//
// Method (shared 2-core host): rounds interleave the base forward, an fgd run and a backprop run;
// each side's time per round is the median of its steps (the first step of each run is dropped),
// ratios are taken within a round (similar load), and the table shows the median over rounds.
import * as os from 'os';
import { BATCH, SIZES, arg, median, paperMlp, timeIt } from './paper-mlp';
import { writeResult } from './output';
import { getBackend } from '../kernels/select';

import { fgd } from '../runtime/fgd';
import { grad } from '../runtime/grad';
import { dispose, memoryInfo, resetPeakMemory, tidy } from '../runtime/tensor/pool';
import { Tensor } from '../runtime/tensor/tensor';

const ROUNDS = arg('rounds', 7),
  STEPS = arg('steps', 4);

// The fixture as a user writes it, compiled through the transformer (as the tests do).
const { mlpLoss, params, n, x, labels } = paperMlp();
const base = () => tidy(() => (mlpLoss(params, x, labels) as Tensor).item());
const gradOnly = () => dispose(grad(mlpLoss, [params, x, labels], { wrt: 0 }).gradient);
const lr = 1e-9; // tiny: the parameters barely move, so every round measures the same model

/** One run of `steps + 1` steps: per-step times (the first dropped) and the run's extra peak bytes. */
function run(method: 'fgd' | 'backprop', r: number): { ms: number[]; extraBytes: number } {
  const ms: number[] = [];
  let last = 0;
  resetPeakMemory();
  const before = memoryInfo().liveBytes;
  fgd(mlpLoss, [params], {
    lr,
    decay: 0,
    iterations: STEPS + 1,
    inputs: () => [x, labels],
    progress: false,
    guard: false,
    ...(method === 'fgd' ? { seed: 4 + r } : { method: 'backprop' as const }),
    onStep: (i) => {
      if (i.step > 1) ms.push(i.elapsedMs - last);
      last = i.elapsedMs;
    },
  });
  return { ms, extraBytes: memoryInfo().peakBytes - before };
}

// Warm-up (backend start, JIT tiers, pool).
for (let i = 0; i < 3; i++) {
  base();
  gradOnly();
}
run('fgd', 0);
run('backprop', 0);

const rounds: Array<Record<string, number>> = [];
const extra = { fgd: [] as number[], backprop: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  const row: Record<string, number> = {};
  row.base = median(timeIt(base, STEPS));
  const f = run('fgd', r),
    b = run('backprop', r);
  row.fgd = median(f.ms);
  row.backprop = median(b.ms);
  row.grad = median(timeIt(gradOnly, STEPS));
  extra.fgd.push(f.extraBytes);
  extra.backprop.push(b.extraBytes);
  rounds.push(row);
}

const med = (k: string) => median(rounds.map((r) => r[k]));
const ratio = (a: string, b: string) => median(rounds.map((r) => r[a] / r[b]));
const mb = (bytes: number) => +(bytes / 2 ** 20).toFixed(2);
const result = {
  backend: getBackend().name,
  date: new Date().toISOString(),
  loadavg: os.loadavg().map((l) => +l.toFixed(2)),
  cpus: os.cpus().length,
  model: `MLP ${SIZES.join('-')}, batch ${BATCH}, K=1, sgd, guard off`,
  parameters: n,
  rounds: ROUNDS,
  stepsPerRound: STEPS,
  ms: Object.fromEntries(Object.keys(rounds[0]).map((k) => [k, +med(k).toFixed(2)])),
  Rf: +ratio('fgd', 'base').toFixed(2),
  Rb: +ratio('backprop', 'base').toFixed(2),
  RfOverRb: +ratio('fgd', 'backprop').toFixed(3),
  gradOverBase: +ratio('grad', 'base').toFixed(2),
  extraMiB: { fgd: mb(median(extra.fgd)), backprop: mb(median(extra.backprop)) },
  parameterMiB: mb(4 * n),
  notes:
    'Rf = fgd step / base forward, Rb = backprop step / base forward, both including the sgd update (fgd: fused θ −= η·d·v; ' +
    'backprop: θ −= η·g straight from the cotangents). grad = grad() alone (taped forward + backward, gradient tensors returned). ' +
    "extraMiB = peak pooled bytes during a run beyond those alive before it: the method's parameter-sized state (fgd: the tangents " +
    'holding v; backprop: the gradient, i.e. the cotangents the optimizer reads) plus what a step adds at its worst (fgd: the fused ' +
    "JVP's outputs and scratch; backprop: activations kept for the backward pass, cotangents).",
};
console.log(`backend ${result.backend}, ${result.model}, ${n} parameters, load ${result.loadavg.join(' ')}`);
console.table(Object.keys(result.ms).map((k) => ({ part: k, medianMs: result.ms[k] })));
console.log(
  `R_f = ${result.Rf}, R_b = ${result.Rb}, R_f/R_b = ${result.RfOverRb}; grad()/base = ${result.gradOverBase}; ` +
    `extra memory (peak over a run): fgd ${result.extraMiB.fgd} MiB, backprop ${result.extraMiB.backprop} MiB (parameters ${result.parameterMiB} MiB)`,
);
console.log(`wrote ${writeResult('backprop-step.json', result)}`);
