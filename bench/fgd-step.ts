// The paper's R_f on the MLP (784-1024-1024-10, batch 64, K = 1): time of one forward-gradient step
// (draw v, one fused JVP run, parameter update) over one base forward run (the loss only), on the
// default backend. Also the parts of a step, the RNG throughput, the guard's parameter snapshot, and
// three ways to get d·v into the update: one fused pass from the tangent buffer holding v (what fgd
// does with sgd: Optimizer.stepScaled), two passes (g = d·v over the tangent buffer, then θ −= η·g:
// the general path), or regenerating v from (seed, stream, offset) chunk by chunk.
//
// Run: npx ts-node -T bench/fgd-step.ts [--rounds 9] [--steps 20]   (prints a table, writes bench/out/fgd-step.json)
//
// Method (shared 2-core host): rounds interleave the base forward and a short fgd run; each side's
// time per round is the median of its repeats, the ratio is taken within a round (similar load),
// and the table shows the median over rounds (and the best, from each side's fastest repeat).
import { execFileSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { BATCH, SIZES, arg, median, paperMlp, timeIt } from './paper-mlp';
import { writeResult } from './output';
import { getBackend } from '../kernels/select';
import { fillNormal, normalFloat32Implementation, rngImplementation } from '../kernels/rng';
import { lookupJvp } from '../runtime/registry';
import { fgd } from '../runtime/fgd';
import { Sgd } from '../runtime/fgd/optimizers';
import { Snapshot } from '../runtime/fgd/guard';
import { argLeaves } from '../runtime/leaves';
import { memoryInfo, tidy } from '../runtime/tensor/pool';
import { Tensor, zerosPooled } from '../runtime/tensor/tensor';

const ROUNDS = arg('rounds', 9),
  STEPS = arg('steps', 20);

// The fixture as a user writes it, compiled through the transformer (as the tests do).
const { mlpLoss, params, n, x, labels } = paperMlp();
const leaves = Object.values(params);
const base = () => tidy(() => (mlpLoss(params, x, labels) as Tensor).item());

// Parts of a step, by hand: v drawn into tangent buffers, the fused JVP, the update. The tangents
// come from the pool, as fgd's do (so they live where fgd's live: in the wasm backend's heap).
const tangents = Object.fromEntries(Object.entries(params).map(([k, t]) => [k, zerosPooled(t.shape)]));
const tangentLeaves = Object.values(tangents);
const draw = (step: number) => {
  let off = 0;
  for (const t of tangentLeaves) {
    fillNormal(t.toArray(), 3, step, off);
    off += t.size;
  }
};
const twin = lookupJvp(mlpLoss)!;
const jvpRun = () =>
  tidy(() => {
    const [y, dy] = twin.fn(params, tangents, x, undefined, labels) as Tensor[];
    return y.item() + dy.item();
  });
const lr = 1e-9,
  d = 0.5;
// What fgd does with sgd and K = 1: θ −= η·(d·v) in one pass over the tangent buffer holding v.
const sgd = new Sgd(),
  paramBufs = leaves.map((t) => t.toArray()),
  tangentBufs = tangentLeaves.map((t) => t.toArray());
const updateFused = () => sgd.stepScaled(paramBufs, tangentBufs, d, lr, 1);
// The general path (an optimizer without stepScaled, or K > 1): g = d·v in place over the tangent,
// then θ −= η·g (two passes, one buffer).
const updateTwoPass = () => {
  for (let j = 0; j < leaves.length; j++) {
    const g = tangentLeaves[j].toArray(),
      p = leaves[j].toArray();
    for (let i = 0; i < g.length; i++) g[i] = 0 + d * g[i];
    for (let i = 0; i < g.length; i++) p[i] -= lr * g[i];
  }
};
// The guard's copy of the parameters before each update.
const snapshot = new Snapshot(argLeaves([params], [0])),
  snapshotSave = () => snapshot.save(argLeaves([params], [0]));
// Alternative: no v held after the JVP; regenerate it chunk by chunk in the update.
const chunk = new Float32Array(4096);
const updateRegenerate = (step: number) => {
  let off = 0;
  for (const t of leaves) {
    const p = t.toArray();
    for (let i0 = 0; i0 < p.length; i0 += chunk.length) {
      const c = chunk.subarray(0, Math.min(chunk.length, p.length - i0));
      fillNormal(c, 3, step, off + i0);
      for (let i = 0; i < c.length; i++) p[i0 + i] -= lr * Math.fround(d * c[i]);
    }
    off += t.size;
  }
};

// Warm-up (backend start, JIT tiers, pool).
for (let i = 0; i < 3; i++) {
  base();
  draw(i);
  jvpRun();
  updateFused();
  updateTwoPass();
  snapshotSave();
  updateRegenerate(i);
}
fgd(mlpLoss, [params], {
  lr,
  decay: 0,
  iterations: 2,
  seed: 4,
  inputs: () => [x, labels],
  progress: false,
  guard: false,
});

const rounds: Array<Record<string, number>> = [];
const best: Record<string, number> = {};
let allocSteady = 0;
for (let r = 0; r < ROUNDS; r++) {
  const row: Record<string, number> = {};
  const rec = (k: string, ts: number[]) => {
    row[k] = median(ts);
    best[k] = Math.min(best[k] ?? Infinity, ...ts);
  };
  rec('base', timeIt(base, STEPS));
  for (const [name, guard, distribution, lazy] of [
    ['fgd', false, 'normal', false],
    ['fgdGuard', true, 'normal', false],
    ['fgdRademacher', false, 'rademacher', false],
    ['fgdLazy', false, 'normal', true],
    ['fgdLazyRademacher', false, 'rademacher', true],
  ] as const) {
    const per: number[] = [];
    let last = 0,
      a1 = 0;
    // lazy: v generated where consumed (runtime/tensor/direction-storage.ts), no draw pass
    fgd(mlpLoss, [params], {
      lr,
      decay: 0,
      iterations: STEPS + 1,
      seed: 4 + r,
      inputs: () => [x, labels],
      progress: false,
      guard,
      distribution,
      regenerate: lazy,
      onStep: (i) => {
        if (i.step > 1) per.push(i.elapsedMs - last);
        else a1 = memoryInfo().allocations;
        last = i.elapsedMs;
      },
    });
    allocSteady += memoryInfo().allocations - a1;
    rec(name, per);
  }
  rec(
    'draw',
    timeIt(() => draw(r), 2),
  );
  rec('jvp', timeIt(jvpRun, STEPS));
  rec('updateFused', timeIt(updateFused, 5));
  rec('updateTwoPass', timeIt(updateTwoPass, 5));
  rec('snapshot', timeIt(snapshotSave, 5));
  rec(
    'updateRegenerate',
    timeIt(() => updateRegenerate(r), 2),
  );
  rounds.push(row);
}

// Normal fills of 2^20 float32 in a fresh process, with the WebAssembly SIMD kernel and with the
// JavaScript path (WebAssembly hidden by --no-expose-wasm): same samples (≤ 1e-6 apart), two speeds.
function rngRate(hideWasm: boolean): { implementation: string; mNormalsPerS: number } {
  const code = `const r = require(${JSON.stringify(path.resolve(__dirname, '../kernels/rng.ts'))}); const a = new Float32Array(1 << 20), ts = [];
    for (let i = 0; i < 7; i++) { const t0 = performance.now(); r.fillNormal(a, 1, i, 0); ts.push(performance.now() - t0); }
    ts.sort((x, y) => x - y); console.log(JSON.stringify({ implementation: r.normalFloat32Implementation + ' normals, ' + r.rngImplementation + ' Philox', mNormalsPerS: +((1 << 20) / ts[3] / 1e3).toFixed(1) }));`;
  const out = execFileSync(
    process.execPath,
    [...(hideWasm ? ['--no-expose-wasm'] : []), '-r', 'ts-node/register/transpile-only', '-e', code],
    { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').pop()!);
}
const rngRates = [rngRate(false), rngRate(true)];

const med = (k: string) => median(rounds.map((r) => r[k]));
const ratio = (a: string, b: string) => median(rounds.map((r) => r[a] / r[b]));
const rngNormalsPerS = n / (med('draw') / 1e3);
const result = {
  backend: getBackend().name,
  date: new Date().toISOString(),
  loadavg: os.loadavg().map((l) => +l.toFixed(2)),
  cpus: os.cpus().length,
  model: `MLP ${SIZES.join('-')}, batch ${BATCH}, K=1, sgd`,
  parameters: n,
  rounds: ROUNDS,
  stepsPerRound: STEPS,
  ms: Object.fromEntries(Object.keys(rounds[0]).map((k) => [k, +med(k).toFixed(2)])),
  bestMs: Object.fromEntries(Object.entries(best).map(([k, v]) => [k, +v.toFixed(2)])),
  Rf: +ratio('fgd', 'base').toFixed(2),
  RfBest: +(best.fgd / best.base).toFixed(2),
  RfWithGuard: +ratio('fgdGuard', 'base').toFixed(2),
  RfRademacher: +ratio('fgdRademacher', 'base').toFixed(2),
  RfLazy: +ratio('fgdLazy', 'base').toFixed(2),
  RfLazyRademacher: +ratio('fgdLazyRademacher', 'base').toFixed(2),
  jvpOverBase: +ratio('jvp', 'base').toFixed(2),
  drawShareOfStep: +ratio('draw', 'fgd').toFixed(2),
  rngImplementation,
  normalFloat32Implementation,
  rngNormalsPerS: Math.round(rngNormalsPerS),
  rngRates,
  twoPassOverFusedUpdate: +ratio('updateTwoPass', 'updateFused').toFixed(2),
  regenerateOverFusedUpdate: +ratio('updateRegenerate', 'updateFused').toFixed(2),
  poolAllocationsInSteadySteps: allocSteady,
  notes:
    'Rf = fgd step (guard off: no parameter snapshot) / base forward; fgd step = draw v + fused JVP + fused update ' +
    '(sgd stepScaled: one pass θ −= η·(d·v) over the tangent buffer). updateTwoPass = the general path (g = d·v, then θ −= η·g); ' +
    "updateRegenerate = update that regenerates v chunkwise instead of reusing the tangent buffer; snapshot = the guard's copy (fgdGuard − fgd); " +
    'fgdLazy* = the same step with lazy directions (fgd option regenerate: v generated while the gemm packs it, regenerated in the update).',
};
console.log(`backend ${result.backend}, ${result.model}, ${n} parameters, load ${result.loadavg.join(' ')}`);
console.table(Object.keys(result.ms).map((k) => ({ part: k, medianMs: result.ms[k], bestMs: result.bestMs[k] })));
console.log(
  `R_f = ${result.Rf} (best ${result.RfBest}; with guard ${result.RfWithGuard}; rademacher ${result.RfRademacher}; ` +
    `lazy v ${result.RfLazy}, lazy rademacher ${result.RfLazyRademacher}); JVP/base ${result.jvpOverBase}; ` +
    `v draw = ${result.drawShareOfStep} of the step, ${(rngNormalsPerS / 1e6).toFixed(1)} M normals/s; ` +
    `update: two-pass / fused = ${result.twoPassOverFusedUpdate}, regenerate-v / fused = ${result.regenerateOverFusedUpdate}; pool allocations in steps 2..: ${allocSteady}`,
);
console.log(
  `fillNormal (float32, 2^20): ${rngRates.map((r) => `${r.implementation} ${r.mNormalsPerS} M/s`).join('; ')}`,
);
console.log(`wrote ${writeResult('fgd-step.json', result)}`);
