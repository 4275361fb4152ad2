// Throughput of the counter-based RNG fills (M numbers per second), with 1 and 2 threads for the
// float32 normals that draw v (n = 1 863 690: the paper's MLP, bench/fgd-step.ts), and the other
// fills at 2^20.
//
// Run: npx ts-node -T bench/rng.ts [--rounds 15] [--against DIR]   (table + bench/out/rng.json)
//
// --against DIR loads a second copy of the generator from DIR/kernels/rng.ts (e.g. an older commit:
// `git archive <rev> kernels | tar -x -C DIR`) into the same process: rounds interleave the two, so
// both see the same load on this shared host, and the table gives after/before per row. Each row is
// the median over rounds (and the best round); a round times one fill.
import * as os from 'os';
import * as path from 'path';
import { writeResult } from './output';

import { wasmApi } from '../kernels/wasm/webassembly';

type RngModule = typeof import('../kernels/rng');

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const ROUNDS = Number(arg('rounds') ?? 15);
const against = arg('against');
const MLP = 1863690,
  N = 1 << 20;

const impls: Array<{ name: string; r: RngModule }> = [{ name: 'this', r: require('../kernels/rng') as RngModule }];
if (against) impls.push({ name: 'against', r: require(path.resolve(against, 'kernels/rng.ts')) as RngModule });

type Case = { fill: string; n: number; threads: 1 | 2; run(r: RngModule, round: number): void };
// A view of a registered shared memory, as tensors stored in the wasm backend's memory are: fills
// write it in place (kernels/rng.ts registerKernelMemory). A copy of kernels/ from before that
// existed fills it through its own memory and a copy, so the row is a before/after comparison.
const kernelMemory = new wasmApi.Memory({ initial: 128, maximum: 128, shared: true });
for (const { r } of impls) (r as Partial<RngModule>).registerKernelMemory?.(kernelMemory);
const bufs = {
  f32mlp: new Float32Array(MLP),
  f32mlpPlaced: new Float32Array(kernelMemory.buffer, 4096, MLP),
  f32: new Float32Array(N),
  f64: new Float64Array(N),
};
const cases: Case[] = [
  { fill: 'normal f32 (v of the MLP)', n: MLP, threads: 1, run: (r, i) => r.fillNormal(bufs.f32mlp, 3, i, 0) },
  {
    fill: 'normal f32 (v of the MLP), kernel memory',
    n: MLP,
    threads: 1,
    run: (r, i) => r.fillNormal(bufs.f32mlpPlaced, 3, i, 0),
  },
  { fill: 'rademacher f32 (v of the MLP)', n: MLP, threads: 1, run: (r, i) => r.fillRademacher(bufs.f32mlp, 3, i, 0) },
  {
    fill: 'rademacher f32 (v of the MLP), kernel memory',
    n: MLP,
    threads: 1,
    run: (r, i) => r.fillRademacher(bufs.f32mlpPlaced, 3, i, 0),
  },
  { fill: 'normal f32 (v of the MLP)', n: MLP, threads: 2, run: (r, i) => r.fillNormal(bufs.f32mlp, 3, i, 0) },
  { fill: 'normal f32', n: N, threads: 1, run: (r, i) => r.fillNormal(bufs.f32, 1, i, 0) },
  { fill: 'normal f64', n: N, threads: 1, run: (r, i) => r.fillNormal(bufs.f64, 1, i, 0) },
  { fill: 'uniform f32', n: N, threads: 1, run: (r, i) => r.fillUniform(bufs.f32, 1, i, 0) },
  { fill: 'rademacher f32', n: N, threads: 1, run: (r, i) => r.fillRademacher(bufs.f32, 1, i, 0) },
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// One-thread cases first, then the two-thread ones (the helpers start only then and are never
// switched back: older copies of kernels/rng.ts could not restart a helper).
const times = cases.map(() => impls.map(() => [] as number[]));
for (const threads of [1, 2] as const) {
  for (const { r } of impls) {
    r.setNormalThreads(threads);
    if (threads === 2 && !r.waitForNormalThreads(20000))
      console.warn('an RNG helper thread did not start: its 2-thread rows ran on one thread');
  }
  for (let round = -2; round < ROUNDS; round++) {
    // two warm-up rounds (JIT tiers, helper start)
    cases.forEach((c, ci) => {
      if (c.threads !== threads) return;
      impls.forEach(({ r }, ii) => {
        const t0 = performance.now();
        c.run(r, round + 2);
        if (round >= 0) times[ci][ii].push(performance.now() - t0);
      });
    });
  }
}
for (const { r } of impls) r.setNormalThreads(1);

const rows = cases.map((c, ci) => {
  const row: Record<string, string | number> = { fill: c.fill, n: c.n, threads: c.threads };
  impls.forEach(({ name }, ii) => {
    row[`${name} ms`] = +median(times[ci][ii]).toFixed(2);
    row[`${name} M/s`] = +(c.n / median(times[ci][ii]) / 1e3).toFixed(0);
    row[`${name} best M/s`] = +(c.n / Math.min(...times[ci][ii]) / 1e3).toFixed(0);
  });
  if (impls.length === 2)
    row['after/before time'] = +median(times[ci][0].map((t, i) => t / times[ci][1][i])).toFixed(2);
  return row;
});
const r0 = impls[0].r;
const result = {
  date: new Date().toISOString(),
  loadavg: os.loadavg().map((l) => +l.toFixed(2)),
  cpus: os.cpus().length,
  rounds: ROUNDS,
  words: r0.rngImplementation,
  float32Normals: r0.normalFloat32Implementation,
  against: against ?? null,
  rows,
  notes:
    'ms = median over rounds of one fill; M/s = n / median; best = n / fastest round; after/before = median of per-round time ratios ' +
    '(this / against, interleaved in one process). threads = setNormalThreads (1 = main thread; 2 = main + one helper).',
};
console.log(
  `Philox words: ${result.words}; Float32Array normals: ${result.float32Normals}; load ${result.loadavg.join(' ')}${against ? `; against ${against}` : ''}`,
);
console.table(rows);
console.log(`wrote ${writeResult('rng.json', result)}`);
