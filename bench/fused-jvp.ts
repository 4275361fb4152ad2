// Fused JVP kernels against separate primal calls, and K=8 tangents against 8 single-tangent runs.
// Goals (issue 3): a fused matmul/conv JVP with one active operand ≤ 2.1× its primal; K=8 tangents
// ≤ primal + 0.9·8 single-tangent costs (single-tangent cost = JVP(K=1) − primal).
// Run: npx ts-node --transpile-only bench/fused-jvp.ts   (FORWARDGRAD_BACKEND=js|wasm|… to choose)
import * as path from 'path';
import { getBackend } from '../kernels/select';
import { conv2d, conv2dJvp, matmul, matmulJvp } from '../runtime/ops/index';
import { allocOut } from '../runtime/ops/tangents';
import { randn } from '../runtime/tensor/create';
import { tidy } from '../runtime/tensor/pool';
import { Tensor } from '../runtime/tensor/tensor';
import { sealForReuse, unseal } from '../runtime/tensor/version';
import { writeResult } from './output';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Median (and best) seconds per call of each function, measured in interleaved rounds (the host is noisy). */
const best: Record<string, number> = {};
function timeAll(fns: Record<string, () => void>, rounds: number): Record<string, number> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (const fn of Object.values(fns)) tidy(fn); // warm-up (and fills the buffer pool)
  for (let r = 0; r < rounds; r++) {
    for (const [k, fn] of Object.entries(fns)) {
      const t0 = process.hrtime.bigint();
      tidy(fn);
      times[k].push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
  }
  for (const [k, v] of Object.entries(times)) best[k] = Math.min(...v);
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

/** A parameter and its tangent(s) stacked in one buffer ([w; ẇ_1 … ẇ_K]), as a training loop can keep them. */
function stackedParam(shape: number[], K: number, seed: number): [Tensor, Tensor] {
  const [p, t] = allocOut(shape, { K, axis: K > 1, active: true });
  p.toArray().set(randn(shape, seed).toArray());
  t!.toArray().set(randn(t!.shape, seed + 1).toArray());
  return [p, t!];
}

interface Row {
  case: string;
  primalMs: number;
  fusedMs: number;
  ratio: number;
  bestRatio: number;
  goal: string;
  met: boolean;
}
const rows: Row[] = [];
const ms = (s: number): number => +(s * 1e3).toFixed(2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);

function oneActive(
  name: string,
  which: string,
  primal: () => void,
  fused: () => void,
  fusedStacked?: () => void,
): void {
  const t = timeAll({ primal, fused, ...(fusedStacked ? { fusedStacked } : {}) }, ROUNDS);
  rows.push({
    case: `${name}: JVP, ${which} tangent only`,
    primalMs: ms(t.primal),
    fusedMs: ms(t.fused),
    ratio: +(t.fused / t.primal).toFixed(2),
    bestRatio: +(best.fused / best.primal).toFixed(2),
    goal: '≤ 2.1× primal',
    met: t.fused / t.primal <= 2.1,
  });
  if (t.fusedStacked !== undefined) {
    rows.push({
      case: `${name}: JVP, ${which} tangent only, [w; ẇ] stacked`,
      primalMs: ms(t.primal),
      fusedMs: ms(t.fusedStacked),
      ratio: +(t.fusedStacked / t.primal).toFixed(2),
      bestRatio: +(best.fusedStacked / best.primal).toFixed(2),
      goal: '≤ 2.1× primal',
      met: t.fusedStacked / t.primal <= 2.1,
    });
  }
}

function bothActive(name: string, primal: () => void, fused: () => void): void {
  const t = timeAll({ primal, fused }, ROUNDS);
  rows.push({
    case: `${name}: JVP, input and weight tangents`,
    primalMs: ms(t.primal),
    fusedMs: ms(t.fused),
    ratio: +(t.fused / t.primal).toFixed(2),
    bestRatio: +(best.fused / best.primal).toFixed(2),
    goal: '3 products: ≤ 3.15× primal',
    met: t.fused / t.primal <= 3.15,
  });
}

function vectorMode(name: string, primal: () => void, single: () => void, k8: () => void): void {
  const t = timeAll({ primal, single, k8 }, ROUNDS);
  const tangent = Math.max(t.single - t.primal, 1e-9);
  const share = (t.k8 - t.primal) / (8 * tangent);
  rows.push({
    case: `${name}: K=8 tangents vs 8× single`,
    primalMs: ms(t.primal),
    fusedMs: ms(t.k8),
    ratio: +share.toFixed(2),
    bestRatio: +((best.k8 - best.primal) / (8 * Math.max(best.single - best.primal, 1e-9))).toFixed(2),
    goal: '(K8 − primal)/(8·(K1 − primal)) ≤ 0.9',
    met: share <= 0.9,
  });
}

// Warm-up: backend start (wasm helper thread, baseline-tier code) must not land in the first case.
{
  const x = randn([64, 784], 0),
    w = randn([784, 1024], 0);
  for (let i = 0; i < 10; i++) tidy(() => matmul(x, w));
}

// MLP layers (batch 64): the first layer sees data (only ẇ), the hidden ones get ẋ and ẇ.
{
  const x = randn([64, 784], 1),
    w = randn([784, 1024], 2),
    dw = randn([784, 1024], 3);
  const [ws, dws] = stackedParam([784, 1024], 1, 4);
  oneActive(
    'matmul 64×784×1024',
    'weight',
    () => matmul(x, w),
    () => matmulJvp(x, undefined, w, dw),
    () => matmulJvp(x, undefined, ws, dws),
  );
  const [w8, dw8] = stackedParam([784, 1024], 8, 5);
  vectorMode(
    'matmul 64×784×1024',
    () => matmul(x, w),
    () => matmulJvp(x, undefined, w, dw),
    () => matmulJvp(x, undefined, w8, dw8),
  );
}
{
  const x = randn([64, 1024], 6),
    dx = randn([64, 1024], 7),
    w = randn([1024, 1024], 8),
    dw = randn([1024, 1024], 9);
  bothActive(
    'matmul 64×1024×1024',
    () => matmul(x, w),
    () => matmulJvp(x, dx, w, dw),
  );
  const dx8 = randn([8, 64, 1024], 10),
    dw8 = randn([8, 1024, 1024], 11);
  vectorMode(
    'matmul 64×1024×1024 (ẋ, ẇ)',
    () => matmul(x, w),
    () => matmulJvp(x, dx, w, dw),
    () => matmulJvp(x, dx8, w, dw8),
  );
}
// Paper CNN conv layers at MNIST size, batch 8 (kept small so the bench stays short).
{
  const B = Number(process.env.BENCH_CONV_BATCH ?? 8),
    opt = { padding: 1 };
  const x1 = randn([B, 1, 28, 28], 12),
    w1 = randn([64, 1, 3, 3], 13),
    dw1 = randn([64, 1, 3, 3], 14);
  oneActive(
    `conv1 ${B}×1×28×28 → 64`,
    'weight',
    () => conv2d(x1, w1, opt),
    () => conv2dJvp(x1, undefined, w1, dw1, opt),
  );
  const x = randn([B, 64, 28, 28], 15),
    dx = randn([B, 64, 28, 28], 16),
    w = randn([64, 64, 3, 3], 17),
    dw = randn([64, 64, 3, 3], 18);
  oneActive(
    `conv2 ${B}×64×28×28 → 64`,
    'input',
    () => conv2d(x, w, opt),
    () => conv2dJvp(x, dx, w, undefined, opt),
  );
  bothActive(
    `conv2 ${B}×64×28×28 → 64`,
    () => conv2d(x, w, opt),
    () => conv2dJvp(x, dx, w, dw, opt),
  );
  const xs = randn([B, 64, 14, 14], 19),
    dxs = randn([B, 64, 14, 14], 20),
    dx8 = randn([8, B, 64, 14, 14], 21),
    dw8 = randn([8, 64, 64, 3, 3], 22);
  vectorMode(
    `conv3 ${B}×64×14×14 → 64 (ẋ, ẇ)`,
    () => conv2d(xs, w, opt),
    () => conv2dJvp(xs, dxs, w, dw, opt),
    () => conv2dJvp(xs, dx8, w, dw8, opt),
  );
}

// Packed-B reuse (GemmArgs.bVersion): only for sealed weights (runtime/tensor/version.ts), i.e.
// calls between two weight updates (inference, several JVPs at one point). Informational.
const reuse: { case: string; plainMs: number; sealedMs: number; speedup: number }[] = [];
{
  const x = randn([64, 784], 23),
    w = randn([784, 1024], 24),
    ws = randn([784, 1024], 24);
  sealForReuse(ws);
  const t = timeAll({ plain: () => matmul(x, w), sealed: () => matmul(x, ws) }, ROUNDS);
  unseal(ws);
  reuse.push({
    case: 'matmul 64×784×1024 primal',
    plainMs: ms(t.plain),
    sealedMs: ms(t.sealed),
    speedup: +(t.plain / t.sealed).toFixed(2),
  });
}

console.log(
  `backend: ${getBackend().name}; ratio = medians of ${ROUNDS} interleaved rounds, bestRatio = fastest rounds; met judged on the median`,
);
console.table(rows);
console.log('packed-B reuse (bVersion) for sealed weights:');
console.table(reuse);
const out = writeResult('fused-jvp.json', {
  backend: getBackend().name,
  rounds: ROUNDS,
  date: new Date().toISOString(),
  rows,
  reuse,
});
console.log(`wrote ${path.relative(process.cwd(), out)}`);
