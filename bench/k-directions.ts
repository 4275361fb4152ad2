// K directions in one vector-mode JVP run (issue 9 goal: K = 16 directions cost ≤ 1 + 0.9·16
// single-direction tangent passes) on the paper's MLP (784-1024-1024-10, batch 64): the twin run
// with tangents [K, ...shape] for K = 1, 4, 16 against the base forward, and the weight-tangent
// products x·ḃ_k of the first layer (x[64,784]·ḃ_k[784,1024], the part vector mode does not stack:
// ȧ_k·b is one gemm over stacked rows) as one gemm call per direction against one batched call
// with strideA = 0 (A packed once), and the whole run both ways (jvpK: matmul.ts's default, one
// batched call; jvpKPerDirection: setDirectionProducts('perDirection')).
//
// Run: FORWARDGRAD_WASM_MEMORY_MB=512 npx ts-node -T bench/k-directions.ts [--rounds 7] [--reps 3]
//      (stdout, and bench/out/k-directions.json)
//
// share(K) = (T_K − T_base) / (K·(T_1 − T_base)): the cost of a direction in a K-run over its cost
// alone (goal ≤ 0.9 at K = 16). Rounds interleave every case (shared host); each case's time per
// round is the median of its repeats; the table gives medians over rounds and the best round.
import * as os from 'os';
import { writeResult } from './output';
import { BATCH, SIZES, arg, median, paperMlp, timeIt } from './paper-mlp';
import { getBackend } from '../kernels/select';
import { fillNormal } from '../kernels/rng';
import { lookupJvp } from '../runtime/registry';
import { setDirectionProducts } from '../runtime/ops/matmul';
import { zerosMirror } from '../runtime/leaves';
import { memoryInfo, tidy } from '../runtime/tensor/pool';
import { Tensor, zerosPooled } from '../runtime/tensor/tensor';
import type { GemmArgs } from '../kernels/backend';

const ROUNDS = arg('rounds', 7),
  REPS = arg('reps', 3),
  KS = [1, 4, 16];

const { mlpLoss, params, x, labels } = paperMlp();
const twin = lookupJvp(mlpLoss)!;
const base = () => tidy(() => (mlpLoss(params, x, labels) as Tensor).item());
// Tangents from the pool, as fgd's are (so they live where fgd's live: in the wasm backend's heap
// while it has room; FORWARDGRAD_WASM_MEMORY_MB=512 fits all of K = 1, 4, 16).
const tangentsOf = (K: number) => {
  const t = zerosMirror(params, K, zerosPooled) as Record<string, Tensor>;
  Object.values(t).forEach((v, i) => fillNormal(v.toArray(), 3, i, 0));
  return t;
};
const tangents = Object.fromEntries(KS.map((K) => [K, tangentsOf(K)]));
const jvp = (K: number) => () =>
  tidy(() => {
    const [y, dy] = twin.fn(params, tangents[K], x, undefined, labels) as Tensor[];
    return y.item() + dy.toArray()[0];
  });
// The same run with the weight-tangent products as one gemm call per direction.
const perDirection = (K: number) => () => {
  const was = setDirectionProducts('perDirection');
  try {
    jvp(K)();
  } finally {
    setDirectionProducts(was);
  }
};

// Layer 1's weight-tangent products: C_k = x·ḃ_k, one call per direction vs one batched call.
const [M, Kd, N] = [BATCH, SIZES[0], SIZES[1]];
const gemmArgs = (b: Float32Array, c: Float32Array, batch: number, bOffset = 0, cOffset = 0): GemmArgs => ({
  m: M,
  n: N,
  k: Kd,
  a: x.toArray(),
  aOffset: 0,
  lda: Kd,
  transA: false,
  strideA: 0,
  b,
  bOffset,
  ldb: N,
  transB: false,
  strideB: Kd * N,
  c,
  cOffset,
  ldc: N,
  strideC: M * N,
  batch,
  alpha: 1,
  beta: 0,
});
const products: Record<string, () => void> = {};
const outs: Record<string, Float32Array> = {};
for (const K of [4, 16]) {
  const db = tangents[K].w1.toArray();
  const c1 = (outs[`perDirection${K}`] = new Float32Array(K * M * N)),
    cb = (outs[`batched${K}`] = new Float32Array(K * M * N));
  products[`perDirection${K}`] = () => {
    for (let d = 0; d < K; d++) getBackend().gemm(gemmArgs(db, c1, 1, d * Kd * N, d * M * N));
  };
  products[`batched${K}`] = () => getBackend().gemm(gemmArgs(db, cb, K));
}

const cases: Record<string, () => void> = {
  base,
  ...Object.fromEntries(KS.map((K) => [`jvp${K}`, jvp(K)])),
  ...Object.fromEntries(KS.slice(1).map((K) => [`jvp${K}PerDirection`, perDirection(K)])),
  ...products,
};
for (const fn of Object.values(cases)) for (let i = 0; i < 2; i++) fn(); // warm-up
for (const K of [4, 16])
  if (outs[`perDirection${K}`].some((v, i) => v !== outs[`batched${K}`][i]))
    throw new Error(`k-directions: batched and per-direction products differ at K=${K}`);

const rounds: Record<string, number>[] = [];
const best: Record<string, number> = {};
for (let r = 0; r < ROUNDS; r++) {
  const row: Record<string, number> = {};
  for (const [k, fn] of Object.entries(cases)) {
    const ts = timeIt(fn, REPS);
    row[k] = median(ts);
    best[k] = Math.min(best[k] ?? Infinity, ...ts);
  }
  rounds.push(row);
}
const med = (k: string) => median(rounds.map((r) => r[k]));
const share = (K: number, t: (k: string) => number) => (t(`jvp${K}`) - t('base')) / (K * (t('jvp1') - t('base')));
const shares = Object.fromEntries(KS.slice(1).map((K) => [K, median(rounds.map((r) => share(K, (k) => r[k])))]));
const sharePD = (K: number, t: (k: string) => number) =>
  (t(`jvp${K}PerDirection`) - t('base')) / (K * (t('jvp1') - t('base')));
const result = {
  backend: getBackend().name,
  date: new Date().toISOString(),
  loadavg: os.loadavg().map((l) => +l.toFixed(2)),
  rounds: ROUNDS,
  reps: REPS,
  kernelMemoryMB: +(memoryInfo().kernelMemoryBytes / 2 ** 20).toFixed(1),
  ms: Object.fromEntries(Object.keys(cases).map((k) => [k, +med(k).toFixed(2)])),
  bestMs: Object.fromEntries(Object.entries(best).map(([k, v]) => [k, +v.toFixed(2)])),
  share: Object.fromEntries(Object.entries(shares).map(([k, v]) => [k, +v.toFixed(3)])),
  shareBest: Object.fromEntries(KS.slice(1).map((K) => [K, +share(K, (k) => best[k]).toFixed(3)])),
  sharePerDirection: Object.fromEntries(
    KS.slice(1).map((K) => [K, +median(rounds.map((r) => sharePD(K, (k) => r[k]))).toFixed(3)]),
  ),
  jvpBatchedOverPerDirection: Object.fromEntries(
    KS.slice(1).map((K) => [K, +median(rounds.map((r) => r[`jvp${K}`] / r[`jvp${K}PerDirection`])).toFixed(3)]),
  ),
  batchedOverPerDirection: Object.fromEntries(
    [4, 16].map((K) => [K, +median(rounds.map((r) => r[`batched${K}`] / r[`perDirection${K}`])).toFixed(3)]),
  ),
};
console.log(
  `backend ${result.backend}, MLP ${SIZES.join('-')}, batch ${BATCH}, load ${result.loadavg.join(' ')}; ` +
    `${result.kernelMemoryMB} MB of tensors in the kernel memory`,
);
console.table(Object.keys(result.ms).map((k) => ({ case: k, medianMs: result.ms[k], bestMs: result.bestMs[k] })));
console.log(
  'share(K) = (T_K − T_base)/(K·(T_1 − T_base)), median of rounds:',
  result.share,
  'best rounds:',
  result.shareBest,
);
console.log('same with one gemm call per direction:', result.sharePerDirection);
console.log('whole JVP run, batched / per-direction weight-tangent products:', result.jvpBatchedOverPerDirection);
console.log('layer-1 weight-tangent products alone, batched / per-direction time:', result.batchedOverPerDirection);
console.log(`wrote ${writeResult('k-directions.json', result)}`);
