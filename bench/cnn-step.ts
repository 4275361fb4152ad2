// The paper's CNN (batch 64, 1×28×28, K = 1): base forward and fgd step, interleaved rounds, and
// with --profile the time of every backend kernel call in one step (by kernel and shape) beside its
// FLOPs, so the parts of the step can be put against the FLOP bound (bench/NOTES.md "The CNN step").
// Run: npm run bench -- cnn-step [--rounds 5] [--profile 1]
//   (or node -r ./test/support/register-transform.js bench/cnn-step.ts ...: the model needs its twins)
import { cnn, initCnn } from '../runtime/models/cnn';
import { fgd } from '../runtime/fgd';
import { getBackend } from '../kernels/select';
import { randn } from '../runtime/tensor/create';
import { tidy } from '../runtime/tensor/pool';
import type { Tensor } from '../runtime/tensor/tensor';
import { arg, median, timeIt } from './paper-mlp';
import { writeResult } from './output';

const ROUNDS = arg('rounds', 5),
  STEPS = arg('steps', 3),
  PROFILE = arg('profile', 0),
  BATCH = 64;

const params = initCnn(1);
const x = randn([BATCH, 1, 28, 28], 7);
const labels = Int32Array.from({ length: BATCH }, (_, i) => (i * 7) % 10);
const forward = () => tidy(() => (cnn.loss(params, x, labels) as Tensor).item());
let seed = 100;
const steps = (n: number): number[] => {
  const per: number[] = [];
  let last = 0;
  fgd(cnn.loss, [params], {
    lr: 1e-9,
    decay: 0,
    iterations: n + 1,
    inputs: () => [x, labels],
    progress: false,
    guard: false,
    seed: seed++,
    onStep: (i) => {
      if (i.step > 1) per.push(i.elapsedMs - last);
      last = i.elapsedMs;
    },
  });
  return per;
};

/** Times every backend kernel call of a few fgd steps, keyed by kernel and shape; prints the table. */
function profileStep(): void {
  const be = getBackend() as unknown as Record<string, unknown>;
  const rows = new Map<string, { ms: number; calls: number; flops: number }>();
  const saved: [string, unknown][] = [];
  const key = (name: string, a: any): [string, number] => {
    if (name === 'conv2dNchw')
      return [`conv ${a.batch}×${a.c}×${a.h}² → ${a.o}`, 2 * a.batch * a.o * a.c * a.kh * a.kw * a.outH * a.outW];
    if (name === 'gemm') return [`gemm ${a.m}×${a.k}·${a.k}×${a.n} ×${a.batch}`, 2 * a.m * a.n * a.k * a.batch];
    if (name === 'unary' || name === 'binary') return [`${name} ${a.op ?? ''} ${a.n ?? a.size ?? ''}`, 0];
    return [name, 0];
  };
  for (const name of Object.keys(be)) {
    const f = be[name];
    if (typeof f !== 'function' || ['allocate', 'heapInfo', 'waitForThreads', 'dispose'].includes(name)) continue;
    saved.push([name, f]);
    be[name] = (a: unknown) => {
      const t0 = performance.now();
      const r = (f as (a: unknown) => unknown)(a);
      const [k, fl] = key(name, a);
      const row = rows.get(k) ?? { ms: 0, calls: 0, flops: 0 };
      row.ms += performance.now() - t0;
      row.calls++;
      row.flops += fl;
      rows.set(k, row);
      return r;
    };
  }
  const PSTEPS = 3;
  const stepMs = median(steps(PSTEPS));
  for (const [name, f] of saved) be[name] = f;
  const table = [...rows.entries()]
    .map(([k, r]) => ({
      kernel: k,
      calls: r.calls / (PSTEPS + 1),
      ms: +(r.ms / (PSTEPS + 1)).toFixed(2),
      GFLOP: +(r.flops / (PSTEPS + 1) / 1e9).toFixed(3),
      'GFLOP/s': r.flops ? +(r.flops / r.ms / 1e6).toFixed(1) : '',
    }))
    .sort((a, b) => b.ms - a.ms);
  const total = table.reduce((s, r) => s + r.ms, 0);
  console.table(table);
  console.log(
    `kernels ${total.toFixed(1)} ms of a ${stepMs.toFixed(1)} ms step (per step, averaged over ${PSTEPS + 1} incl. the first)`,
  );
}

/** GFLOP/s of our GEMM on m×k·k×n (median of reps), operands in the kernel memory as the model's are. */
function gemmRate(m: number, k: number, n: number, reps: number): number {
  const a = randn([m, k], 1),
    b = randn([k, n], 2),
    c = randn([m, n], 3);
  const be = getBackend();
  const call = () =>
    be.gemm({
      m,
      n,
      k,
      a: a.buffer,
      aOffset: a.offset,
      lda: k,
      transA: false,
      strideA: 0,
      b: b.buffer,
      bOffset: b.offset,
      ldb: n,
      transB: false,
      strideB: 0,
      c: c.buffer,
      cOffset: c.offset,
      ldc: n,
      strideC: 0,
      batch: 1,
      alpha: 1,
      beta: 0,
    });
  call();
  return (2 * m * k * n) / median(timeIt(call, reps)) / 1e6;
}
const peak = () => Math.max(gemmRate(1024, 1024, 1024, 3), gemmRate(64, 1024, 1024, 5));

forward();
steps(1);
const peaks = [peak()];
if (PROFILE) profileStep();
const fw: number[] = [],
  st: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  fw.push(median(timeIt(forward, 3)));
  st.push(median(steps(STEPS)));
}
peaks.push(peak());
const P = Math.max(...peaks);
// FLOPs (bench/models/flops.ts's rules): primal = 4 convs + 2 linears; the step adds the tangent
// (first conv: ẇ term only; the rest ẋ and ẇ terms), biases/relu/pool/CE are < 0.3% and left out.
const conv = (c: number, hw: number) => 2 * BATCH * 64 * c * 9 * hw;
const primal = conv(1, 784) + conv(64, 784) + 2 * conv(64, 196) + 2 * BATCH * 3136 * 1024 + 2 * BATCH * 1024 * 10;
const step = primal + (primal + primal - conv(1, 784));
const out = {
  gemmPeakGflops: P,
  boundForwardMs: primal / P / 1e6,
  boundStepMs: step / P / 1e6,
  forwardMs: median(fw),
  stepMs: median(st),
  Rf: median(st) / median(fw),
  fw,
  st,
};
console.log(
  `GEMM peak ${P.toFixed(1)} GFLOP/s (${peaks.map((p) => p.toFixed(1)).join(', ')}); bound: forward ${out.boundForwardMs.toFixed(1)} ms (×${(out.forwardMs / out.boundForwardMs).toFixed(2)}), step ${out.boundStepMs.toFixed(1)} ms (×${(out.stepMs / out.boundStepMs).toFixed(2)})`,
);
console.log(
  `CNN batch ${BATCH}: base forward ${out.forwardMs.toFixed(1)} ms, fgd step (K=1) ${out.stepMs.toFixed(1)} ms, R_f ${out.Rf.toFixed(2)} (${ROUNDS} rounds; forward ${fw.map((v) => v.toFixed(0)).join(' ')}; step ${st.map((v) => v.toFixed(0)).join(' ')})`,
);
writeResult('cnn-step.json', out);
