// The side-by-side harness (issue 9): the paper's models (logistic regression, the MLP, the CNN and
// the depth-scaling MLP of Fig. 6) at batch 64, every contender in one process with interleaved
// rounds: our base forward, fgd steps (K = 1, 4, 16), backprop step and forwardGradient in a user's
// loop; tfjs-wasm forward and backprop step, stock and fixed (bench/models/tfjs.ts); jax-js jit
// forward, jit(grad) step and jit(jvp) step (bench/models/jaxjs.ts). Every step includes its SGD
// update. Per model: medians and spread over rounds, R_f and R_b (per-round ratios to our base
// forward), FLOPs per pass (bench/models/flops.ts) and each time against its FLOP bound at our GEMM
// peak measured in the same run, and the peak extra memory of one step.
// Writes bench/out/models.json and bench/out/models-fig6.svg (ignored; commit a chosen run by hand).
//
// Run: npm run bench -- models [--quick] [--rounds N] [--only mlp,cnn] [--depths 1,2,4]
//      (--quick: fewer rounds and repeats, K = 4 and 16 on logreg and the MLP only, and the
//      QUICK_SKIPS below; the deep MLPs are measured with K = 1, as in the paper's Fig. 6)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { getBackend } from '../kernels/select';
import { gemmArgs } from './gemm-args';
import { vegaLiteToSvg } from '../cli/report/vega';
import { countFlops, backpropStepFlops, fgdStepFlops, type PassFlops } from './models/flops';
import { hostBatch, hostParams, paperModels, type BenchModel } from './models/host';
import { ours, peakExtraBytes } from './models/ours';
import { loadTfjs, tfjsVariant, type PeerVariant } from './models/tfjs';
import { jaxVariant, loadJax } from './models/jaxjs';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const QUICK = flag('quick');
const ROUNDS = Number(opt('rounds') ?? (QUICK ? 3 : 7));
// --quick stops at L = 30: at L = 100 one round of every contender takes minutes on this host.
const DEPTHS = (opt('depths') ?? (QUICK ? '1,2,4,10,30' : '1,2,4,10,30,100')).split(',').map(Number);
const ONLY = opt('only')?.split(',');
const OUT = opt('out') ?? join(__dirname, 'out');
const BATCH = 64,
  SEED = 1,
  LR = 1e-6; // a tiny η: hundreds of steps on one batch must not diverge
/** Milliseconds of work per contender per round (repeats are chosen from the warm-up time). */
const ROUND_MS = QUICK ? 60 : 250;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

type Method = 'ours' | 'tfjs-wasm' | 'tfjs-wasm fixed' | 'jax-js';

/** What --quick leaves out, and why (each measured once at full size on this host, load ≈ 12). */
const QUICK_SKIPS: { method: Method; what?: string; family?: BenchModel['family']; minDepth?: number; why: string }[] =
  [
    {
      method: 'jax-js',
      family: 'cnn',
      why: "jax-js convolutions: 29 s per jit forward (103 s with compiling) at the paper's CNN size",
    },
    {
      method: 'tfjs-wasm',
      what: 'backprop',
      minDepth: 30,
      why: 'stock tfjs-wasm backprop (transposed matMuls) takes ≈ 0.35 s per layer; its ratio to the fixed step is in the MLP rows',
    },
    {
      method: 'jax-js',
      what: 'jit(jvp)',
      minDepth: 30,
      why: "dominated by jax-js's in-jit PRNG (see the MLP rows); seconds per step at this depth",
    },
  ];
interface Contender {
  method: Method;
  what: string;
  /** forward: the loss only; step: gradient (or estimate) + update. */
  kind: 'forward' | 'step';
  flops: number;
  /** Runs `reps` times, returns each time in ms. */
  run(reps: number): number[];
  reps: number;
  perRound: number[];
  unsupported?: string;
  peakExtraBytes?: number | null;
  memoryNote?: string;
}

function timeEach(fn: () => unknown, reps: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Our GEMM's GFLOP/s on a shape (median of reps), the backend the runtime uses. */
function gemmRate(m: number, k: number, n: number, reps: number): number {
  const g = gemmArgs(m, k, n);
  const be = getBackend();
  be.gemm(g);
  return (2 * m * k * n) / median(timeEach(() => be.gemm(g), reps)) / 1e6;
}

/** Set once tfjs-wasm's module aborted (its heap is then unusable for the rest of the process). */
let tfjsAborted: string | undefined;
function noteTfjsAbort(e: unknown): void {
  const m = (e as Error).message ?? String(e);
  if (/Aborted\(\)/.test(m)) tfjsAborted = 'wasm Aborted(): its heap (at most 2 GB in tfjs-wasm) is exhausted';
}

async function measureModel(bm: BenchModel, tf: any, jax: any, peakGflops: () => number) {
  const params = bm.init(SEED);
  const ps = hostParams(params);
  const batch = hostBatch(bm, BATCH, SEED + 1);
  const flops = countFlops(bm, ps, batch);
  const me = ours(bm, params, batch, LR, 100);
  const dead: PeerVariant = { forward: () => NaN, step: () => NaN, dispose: () => undefined };
  const tfStock = tfjsAborted ? dead : tfjsVariant(tf, bm, ps, batch, false, LR);
  const tfFixed = tfjsAborted ? dead : tfjsVariant(tf, bm, ps, batch, true, LR);
  const jx = jaxVariant(jax, bm, ps, batch, LR, 7);
  const Ks = bm.family === 'deep' || (bm.family === 'cnn' && QUICK) ? [1] : [1, 4, 16];
  const cs: Contender[] = [];
  const add = (method: Method, what: string, kind: Contender['kind'], fl: number, run: (reps: number) => number[]) =>
    cs.push({ method, what, kind, flops: fl, run, reps: 1, perRound: [] });
  const fwdFlops = flops.primal,
    bpFlops = backpropStepFlops(flops);
  add('ours', 'forward', 'forward', fwdFlops, (r) => timeEach(me.forward, r));
  for (const K of Ks) add('ours', `fgd K=${K}`, 'step', fgdStepFlops(flops, K), (r) => me.fgdSteps(K, r));
  // The estimator is unbiased for any v with independent zero-mean unit-variance entries: Rademacher
  // (±1) directions cost one Philox bit per element instead of a Box–Muller normal.
  add('ours', 'fgd K=1 rademacher', 'step', fgdStepFlops(flops, 1), (r) => me.fgdSteps(1, r, 'rademacher'));
  add('ours', 'backprop', 'step', bpFlops, (r) => me.backpropSteps(r));
  add('ours', 'forwardGradient loop', 'step', fgdStepFlops(flops, 1), (r) => me.userLoopSteps(r, false));
  add('ours', 'forwardGradient loop, out + Sgd', 'step', fgdStepFlops(flops, 1), (r) => me.userLoopSteps(r, true));
  add('tfjs-wasm', 'forward', 'forward', fwdFlops, (r) => timeEach(tfStock.forward, r));
  add('tfjs-wasm', 'backprop', 'step', bpFlops, (r) => timeEach(tfStock.step, r));
  add('tfjs-wasm fixed', 'backprop', 'step', bpFlops, (r) => timeEach(tfFixed.step, r));
  add('jax-js', 'jit forward', 'forward', fwdFlops, (r) => timeEach(jx.forward, r));
  add('jax-js', 'jit(grad)', 'step', bpFlops, (r) => timeEach(jx.step, r));
  add('jax-js', 'jit(jvp)', 'step', fgdStepFlops(flops, 1), (r) => timeEach(jx.jvpStep, r));
  // --quick leaves out what would take minutes on its own (the table says so).
  for (const c of cs) {
    const skip =
      QUICK &&
      QUICK_SKIPS.find(
        (q) =>
          q.method === c.method &&
          (!q.what || q.what === c.what) &&
          (!q.family || q.family === bm.family) &&
          bm.depth >= (q.minDepth ?? 0),
      );
    if (skip) c.unsupported = `skipped in --quick: ${skip.why}`;
    else if (tfjsAborted && c.method.startsWith('tfjs'))
      c.unsupported = `tfjs-wasm aborted earlier in this run (${tfjsAborted})`;
  }
  // Warm-up (JIT tiers, jax-js tracing and compiling, tfjs kernels); the repeats per round follow.
  // A first call over a second is warm enough (big GEMMs): it also serves as the repeat estimate.
  for (const c of cs.filter((x) => !x.unsupported)) {
    try {
      const w0 = performance.now();
      const first = median(c.run(1));
      const t = first > 1000 ? first : median(c.run(1));
      process.stderr.write(
        `  ${bm.name}: ${c.method} ${c.what}: warm-up ${(performance.now() - w0).toFixed(0)} ms, then ${t.toFixed(1)} ms\n`,
      );
      c.reps = Math.max(1, Math.min(QUICK ? 8 : 20, Math.round(ROUND_MS / Math.max(t, 1e-3))));
    } catch (e) {
      if (c.method.startsWith('tfjs')) noteTfjsAbort(e);
      c.unsupported = (e as Error).message.split('\n')[0];
      process.stderr.write(`  ${bm.name}: ${c.method} ${c.what}: ${c.unsupported}\n`);
    }
  }
  const live = cs.filter((c) => !c.unsupported);
  const rounds = bm.family === 'deep' && bm.depth >= 30 ? Math.min(ROUNDS, QUICK ? 1 : 3) : ROUNDS;
  for (let r = 0; r < rounds; r++) {
    // rotate the order each round, so no contender always runs right after the same neighbour
    for (let i = 0; i < live.length; i++) {
      const c = live[(i + r) % live.length];
      c.perRound.push(median(c.run(c.reps)));
    }
  }
  // Peak extra memory of one step (after timing, outside it).
  const steps: Record<string, () => unknown> = {
    'ours forward': me.forward,
    'ours backprop': () => me.backpropSteps(1),
    'ours forwardGradient loop': () => me.userLoopSteps(1, false),
    'ours forwardGradient loop, out + Sgd': () => me.userLoopSteps(1, true),
    ...Object.fromEntries(Ks.map((K) => [`ours fgd K=${K}`, () => me.fgdSteps(K, 1)])),
    'ours fgd K=1 rademacher': () => me.fgdSteps(1, 1, 'rademacher'),
  };
  for (const c of cs) {
    if (c.unsupported) continue;
    const key = `${c.method} ${c.what}`;
    if (c.method === 'ours' && steps[key]) {
      const b = peakExtraBytes(steps[key]);
      c.peakExtraBytes = b ?? null;
      if (b === undefined) c.memoryNote = 'memoryInfo() has no peakBytes in this build';
    } else if (c.method.startsWith('tfjs') && !tfjsAborted) {
      const v = c.method === 'tfjs-wasm fixed' ? tfFixed : tfStock;
      const before = tf.memory().numBytes;
      try {
        const prof = await tf.profile(() => {
          (c.kind === 'forward' ? v.forward : v.step)();
        });
        c.peakExtraBytes = prof.peakBytes - before;
      } catch (e) {
        noteTfjsAbort(e);
        c.peakExtraBytes = null;
        c.memoryNote = (e as Error).message.split('\n')[0];
      }
    } else if (c.method === 'jax-js') {
      c.peakExtraBytes = null;
      c.memoryNote = 'jax-js 0.1.25 exposes no allocation counters';
    }
  }
  for (const v of (tfjsAborted ? [jx] : [tfStock, tfFixed, jx]) as PeerVariant[]) v.dispose();
  me.dispose();
  return summarize(bm, flops, cs, peakGflops());
}

function summarize(bm: BenchModel, flops: PassFlops, cs: Contender[], peak: number) {
  const fwd = cs.find((c) => c.method === 'ours' && c.what === 'forward')!;
  const fgd1 = cs.find((c) => c.what === 'fgd K=1');
  const fgdRad = cs.find((c) => c.what === 'fgd K=1 rademacher');
  const bp = cs.find((c) => c.method === 'ours' && c.what === 'backprop');
  const ratioTo = (a: Contender | undefined, b: Contender | undefined) =>
    a && b && a.perRound.length && b.perRound.length ? median(a.perRound.map((t, i) => t / b.perRound[i])) : null;
  const ratio = (a?: Contender) => ratioTo(a, fwd);
  const loop = (what: string) => {
    const r = ratioTo(
      cs.find((c) => c.what === what),
      fgd1,
    );
    return r === null ? null : +r.toFixed(2);
  };
  const rows = cs.map((c) => {
    const ms = c.perRound.length ? median(c.perRound) : null;
    const boundMs = c.flops / peak / 1e6;
    return {
      model: bm.name,
      depth: bm.depth,
      method: c.method,
      what: c.what,
      kind: c.kind,
      ms: ms === null ? null : +ms.toFixed(3),
      spread: c.perRound.length ? [+Math.min(...c.perRound).toFixed(3), +Math.max(...c.perRound).toFixed(3)] : null,
      overOurForward: ratio(c) === null ? null : +ratio(c)!.toFixed(2),
      gflop: +(c.flops / 1e9).toFixed(4),
      boundMs: +boundMs.toFixed(3),
      overBound: ms === null ? null : +(ms / boundMs).toFixed(2),
      peakExtraMB: c.peakExtraBytes == null ? null : +(c.peakExtraBytes / 2 ** 20).toFixed(2),
      rounds: c.perRound.length,
      repsPerRound: c.reps,
      ...(c.unsupported ? { unsupported: c.unsupported } : {}),
      ...(c.memoryNote ? { memoryNote: c.memoryNote } : {}),
    };
  });
  return {
    model: bm.name,
    family: bm.family,
    depth: bm.depth,
    parameters: flops.parameters,
    flops: { primal: flops.primal, tangent: flops.tangent, backward: flops.backward },
    Rf: ratio(fgd1) === null ? null : +ratio(fgd1)!.toFixed(2),
    RfRademacher: ratio(fgdRad) === null ? null : +ratio(fgdRad)!.toFixed(2),
    Rb: ratio(bp) === null ? null : +ratio(bp)!.toFixed(2),
    forwardGradientOverFgd: { fresh: loop('forwardGradient loop'), out: loop('forwardGradient loop, out + Sgd') },
    gemmPeakGflops: +peak.toFixed(1),
    rows,
  };
}

/** Figure 6 of the paper: time per step and peak extra memory against depth, one line per method. */
function figure6(results: ReturnType<typeof summarize>[]): object {
  const values = results
    .filter((r) => r.family === 'deep')
    .flatMap((r) =>
      r.rows
        .filter((x) => x.kind === 'step' && x.ms !== null)
        .map((x) => ({ L: r.depth, method: `${x.method} ${x.what}`, ms: x.ms, MB: x.peakExtraMB })),
    );
  const panel = (field: string, title: string) => ({
    width: 320,
    height: 240,
    title,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'L', type: 'quantitative', scale: { type: 'log' }, title: 'depth L (layers of width 1024)' },
      y: {
        field,
        type: 'quantitative',
        scale: { type: 'log' },
        title: field === 'ms' ? 'ms per step (median)' : 'peak extra MB per step',
      },
      color: { field: 'method', type: 'nominal' },
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values },
    hconcat: [
      panel('ms', 'Time per training step'),
      { ...panel('MB', 'Peak extra memory per step'), transform: [{ filter: 'datum.MB != null' }] },
    ],
  };
}

function printModel(r: ReturnType<typeof summarize>): void {
  console.log(
    `\n${r.model} (${(r.parameters / 1e6).toFixed(2)} M parameters; GFLOP primal ${(r.flops.primal / 1e9).toFixed(3)}, tangent ${(r.flops.tangent / 1e9).toFixed(3)}, backward ${(r.flops.backward / 1e9).toFixed(3)}; ` +
      `R_f ${r.Rf} (Rademacher ${r.RfRademacher}), R_b ${r.Rb}; forwardGradient/fgd ${r.forwardGradientOverFgd.fresh}, with out ${r.forwardGradientOverFgd.out}; bound at ${r.gemmPeakGflops} GFLOP/s)`,
  );
  console.table(
    r.rows.map((x) => ({
      method: `${x.method} ${x.what}`,
      ms: x.ms ?? (x.unsupported ?? '').slice(0, 60),
      'min–max': x.spread ? x.spread.join('–') : '',
      '×fwd': x.overOurForward,
      GFLOP: x.gflop,
      '×bound': x.overBound,
      'peak MB': x.peakExtraMB ?? (x.memoryNote ? 'n/a' : ''),
    })),
  );
}

async function main(): Promise<void> {
  const load0 = loadavg();
  const t0 = performance.now();
  const [tf, jax] = await Promise.all([loadTfjs(), loadJax()]);
  const models = paperModels(DEPTHS).filter(
    (m) => !ONLY || ONLY.some((o) => m.name === o || (o === 'deep' && m.family === 'deep')),
  );
  // GEMM peak: the best of the paper's square and batch-64 shapes, re-measured between models
  // (the host's load moves), each model's bound taken at the peak measured right after it.
  const peaks: number[] = [];
  const measurePeak = () => {
    const p = Math.max(gemmRate(1024, 1024, 1024, QUICK ? 3 : 5), gemmRate(64, 1024, 1024, QUICK ? 5 : 9));
    peaks.push(p);
    return p;
  };
  // (each model's rows are re-bounded at the run's best rate at the end)
  measurePeak();
  const results = [];
  for (const bm of models) {
    const r = await measureModel(bm, tf, jax, measurePeak);
    results.push(r);
    process.stderr.write(`  ${bm.name} done at ${((performance.now() - t0) / 1e3).toFixed(0)} s\n`);
  }
  // The bound uses the best GEMM rate seen in the whole run: a peak measured in a busy moment
  // would make a bound the step can beat (×bound < 1).
  const peak = Math.max(...peaks);
  for (const r of results) {
    r.gemmPeakGflops = +peak.toFixed(1);
    for (const x of r.rows) {
      x.boundMs = +((x.gflop * 1e3) / peak).toFixed(3);
      x.overBound = x.ms === null ? null : +(x.ms / x.boundMs).toFixed(2);
    }
  }
  for (const r of results) printModel(r);
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    backend: getBackend().name,
    loadavgBefore: load0.map((l) => +l.toFixed(2)),
    loadavgAfter: loadavg().map((l) => +l.toFixed(2)),
    quick: QUICK,
    rounds: ROUNDS,
    batch: BATCH,
    gemmPeaksGflops: peaks.map((p) => +p.toFixed(1)),
    seconds: +((performance.now() - t0) / 1e3).toFixed(1),
    notes:
      "ms = median over interleaved rounds of each round's median; spread = fastest and slowest round; ×fwd = median of per-round " +
      'ratios to our base forward (R_f = fgd K=1, R_b = backprop); bound = FLOPs / GEMM peak of the same run; peak MB = peak extra ' +
      'memory of one step (ours: pooled tensor bytes, memoryInfo().peakBytes − liveBytes; tfjs: tf.profile peakBytes − numBytes before; ' +
      'jax-js: none exposed). The host is shared: numbers are noisy.',
    results,
  };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'models.json'), JSON.stringify(out, null, 2) + '\n');
  if (results.some((r) => r.family === 'deep'))
    writeFileSync(join(OUT, 'models-fig6.svg'), await vegaLiteToSvg(figure6(results)));
  console.log(
    `\n${out.seconds} s, load ${out.loadavgBefore.join(' ')} → ${out.loadavgAfter.join(' ')}; wrote ${OUT}/models.json` +
      (results.some((r) => r.family === 'deep') ? ' and models-fig6.svg' : ''),
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
