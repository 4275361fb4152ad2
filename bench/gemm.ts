// GEMM and conv GFLOP/s: our wasm backend (1 and 2 threads), tfjs-wasm (XNNPACK, one thread in
// Node) and gpu.js webasm, on the paper's shapes. Rounds are interleaved across contenders and
// medians reported, since the host is shared and noisy. Writes bench/out/gemm.json.
// Run: npx ts-node --transpile-only bench/gemm.ts [--rounds N] [--no-gpujs] [--filter TEXT] [--against DIR]
// --against DIR adds DIR/kernels/wasm (another copy of the backend, e.g. an older commit's tree) as
// 'against 1T' / 'against 2T', with the median per-round time ratio this / against (an A/B in one process).
import { cpus, loadavg } from 'node:os';
import type { KernelBackend } from '../kernels/backend';
import { createWasmBackend, type WasmBackend } from '../kernels/wasm/index';
import { writeResult } from './output';
import { gemmArgs, rand } from './gemm-args';

const argv = process.argv.slice(2);
const ROUNDS = Number(argv[argv.indexOf('--rounds') + 1]) || 9;
const GPUJS_ROUNDS = 3; // gpu.js webasm runs at ~1 GFLOP/s: a 1024³ call takes seconds
const WITH_GPUJS = !argv.includes('--no-gpujs');
const FILTER = argv.includes('--filter') ? argv[argv.indexOf('--filter') + 1] : '';
const AGAINST = argv.includes('--against') ? argv[argv.indexOf('--against') + 1] : undefined;

/**
 * `ours`: how our backend runs the case (gpu.js only runs the plain ones; tfjs always its own op):
 * plain = operands in JS memory (copied in and out per call), cachedB = B packed once (bVersion),
 * inHeap = A, B and C allocated in the kernel memory (tensors from the pool: packed in place, a new
 * B packed every call, C written in place).
 */
interface Case {
  name: string;
  flops: number;
  kind: 'gemm' | 'conv';
  ours: 'plain' | 'cachedB' | 'inHeap' | 'direct';
  m?: number;
  k?: number;
  n?: number;
  conv?: Conv;
}
interface Conv {
  batch: number;
  c: number;
  o: number;
  h: number;
  w: number;
}
type Runner = () => void;
interface Contender {
  name: string;
  rounds: number;
  prepare(cs: Case): Runner | undefined;
}

const CASES: Case[] = [
  ...[
    [64, 784, 1024],
    [64, 1024, 1024],
    [1024, 1024, 1024],
  ].flatMap(([m, k, n]) =>
    (['plain', 'cachedB', 'inHeap'] as const).map((ours) => ({
      name: `gemm ${m}×${k}×${n}${ours === 'cachedB' ? ' (B packed once)' : ours === 'inHeap' ? ' (in kernel memory)' : ''}`,
      kind: 'gemm' as const,
      ours,
      m,
      k,
      n,
      flops: 2 * m * k * n,
    })),
  ),
  ...[
    [1, 64, 28],
    [64, 64, 28],
    [64, 64, 14],
  ].flatMap(([c, o, h]) =>
    (['plain', 'direct'] as const).map((ours) => {
      const conv = { batch: 64, c, o, h, w: h };
      const how = ours === 'plain' ? 'im2col+gemm' : 'conv2dNchw';
      return {
        name: `conv ${c}→${o} @${h}×${h} (${how})`,
        kind: 'conv' as const,
        ours,
        conv,
        flops: 2 * 64 * o * c * 9 * h * h,
      };
    }),
  ),
];

/** Conv as the tensor layer does it: im2col per image, then one batched GEMM W[o, c·9]·cols. */
function convRunner(be: KernelBackend, p: Conv): Runner {
  const K = p.c * 9,
    hw = p.h * p.w;
  const x = rand(p.batch * p.c * hw),
    w = rand(p.o * K);
  const cols = new Float32Array(p.batch * K * hw),
    y = new Float32Array(p.batch * p.o * hw);
  return () => {
    for (let i = 0; i < p.batch; i++) {
      be.im2col({
        x,
        xOffset: i * p.c * hw,
        c: p.c,
        h: p.h,
        w: p.w,
        kh: 3,
        kw: 3,
        strideH: 1,
        strideW: 1,
        padH: 1,
        padW: 1,
        outH: p.h,
        outW: p.w,
        cols,
        colsOffset: i * K * hw,
      });
    }
    be.gemm({
      m: p.o,
      n: hw,
      k: K,
      a: w,
      aOffset: 0,
      lda: K,
      transA: false,
      strideA: 0,
      b: cols,
      bOffset: 0,
      ldb: hw,
      transB: false,
      strideB: K * hw,
      c: y,
      cOffset: 0,
      ldc: hw,
      strideC: p.o * hw,
      batch: p.batch,
      alpha: 1,
      beta: 0,
    });
  };
}

/** Conv through the backend's direct conv2dNchw fast path. */
function directConvRunner(be: WasmBackend, p: Conv): Runner {
  const hw = p.h * p.w;
  const x = rand(p.batch * p.c * hw),
    weight = rand(p.o * p.c * 9),
    y = new Float32Array(p.batch * p.o * hw);
  return () =>
    be.conv2dNchw({
      x,
      xOffset: 0,
      batch: p.batch,
      c: p.c,
      h: p.h,
      w: p.w,
      weight,
      weightOffset: 0,
      o: p.o,
      kh: 3,
      kw: 3,
      strideH: 1,
      strideW: 1,
      padH: 1,
      padW: 1,
      outH: p.h,
      outW: p.w,
      y,
      yOffset: 0,
    });
}

function wasmContender(name: string, be: WasmBackend): Contender {
  return {
    name,
    rounds: ROUNDS,
    prepare: (cs) => {
      if (cs.kind === 'conv') return cs.ours === 'direct' ? directConvRunner(be, cs.conv!) : convRunner(be, cs.conv!);
      const g = gemmArgs(cs.m!, cs.k!, cs.n!, cs.ours === 'cachedB' ? 1 : undefined);
      if (cs.ours === 'inHeap') {
        const place = (src: Float32Array) => {
          const v = be.allocate(src.length);
          if (!v) throw new Error('bench/gemm: the tensor heap is full');
          v.set(src);
          return v;
        };
        Object.assign(g, { a: place(g.a), b: place(g.b), c: place(g.c) });
      }
      return () => be.gemm(g);
    },
  };
}

/** @tensorflow/tfjs-backend-wasm with its inputs created once (so XNNPACK keeps its packed B). */
async function tfjsContender(): Promise<Contender> {
  const tf = require('@tensorflow/tfjs');
  require('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  await tf.ready();
  return {
    name: 'tfjs-wasm',
    rounds: ROUNDS,
    prepare: (cs) => {
      if (cs.kind === 'gemm') {
        const a = tf.tensor2d(rand(cs.m! * cs.k!), [cs.m!, cs.k!]),
          b = tf.tensor2d(rand(cs.k! * cs.n!), [cs.k!, cs.n!]);
        return () => {
          const c = tf.matMul(a, b);
          c.dataSync();
          c.dispose();
        };
      }
      const p = cs.conv!; // tfjs-wasm convolves NHWC only; same flops
      const x = tf.tensor4d(rand(p.batch * p.h * p.w * p.c), [p.batch, p.h, p.w, p.c]);
      const w = tf.tensor4d(rand(9 * p.c * p.o), [3, 3, p.c, p.o]);
      return () => {
        const y = tf.conv2d(x, w, 1, 'same');
        y.dataSync();
        y.dispose();
      };
    },
  };
}

function gpujsContender(): Contender | undefined {
  try {
    const be: KernelBackend = require('../kernels/gpujs/index').createBackend('webasm');
    return {
      name: 'gpujs-webasm',
      rounds: GPUJS_ROUNDS,
      prepare: (cs) => {
        if (cs.ours !== 'plain') return undefined; // same gpu.js work as the plain row
        if (cs.kind === 'conv') return convRunner(be, cs.conv!);
        const g = gemmArgs(cs.m!, cs.k!, cs.n!);
        return () => be.gemm(g);
      },
    };
  } catch (e) {
    console.warn(`gpu.js webasm unavailable: ${(e as Error).message}`);
    return undefined;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const one = createWasmBackend({ threads: 1 });
  const two = createWasmBackend({ threads: 2 });
  if (!two.waitForThreads(30000)) throw new Error('the wasm helper thread did not start');
  const contenders: Contender[] = [wasmContender('wasm 1T', one), wasmContender('wasm 2T', two), await tfjsContender()];
  const others: WasmBackend[] = [];
  if (AGAINST) {
    const make = require(require('node:path').resolve(AGAINST, 'kernels/wasm/index'))
      .createWasmBackend as typeof createWasmBackend;
    others.push(make({ threads: 1 }), make({ threads: 2 }));
    if (!others[1].waitForThreads(30000)) throw new Error('the --against helper thread did not start');
    contenders.push(wasmContender('against 1T', others[0]), wasmContender('against 2T', others[1]));
  }
  const gp = WITH_GPUJS ? gpujsContender() : undefined;
  if (gp) contenders.push(gp);
  const load0 = loadavg();
  const rows: Record<string, unknown>[] = [];
  for (const cs of CASES.filter((c) => c.name.includes(FILTER))) {
    const runners = contenders.map((c) => c.prepare(cs));
    runners.forEach((r) => r?.()); // warm-up (and the first, packing call of the cached ones)
    const times: number[][] = contenders.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      contenders.forEach((c, i) => {
        const run = runners[i];
        if (!run || round >= c.rounds) return;
        const t0 = process.hrtime.bigint();
        run();
        times[i].push(Number(process.hrtime.bigint() - t0) / 1e6);
      });
    }
    const row: Record<string, unknown> = { case: cs.name, MFLOP: +(cs.flops / 1e6).toFixed(1) };
    contenders.forEach((c, i) => {
      if (times[i].length) row[c.name] = +(cs.flops / median(times[i]) / 1e6).toFixed(2);
    });
    const tf = row['tfjs-wasm'] as number;
    for (const key of ['wasm 1T', 'wasm 2T']) {
      if (row[key] !== undefined) row[`${key} / tfjs`] = +((row[key] as number) / tf).toFixed(2);
    }
    if (AGAINST) {
      const at = (name: string) => times[contenders.findIndex((c) => c.name === name)];
      for (const t of ['1T', '2T']) {
        const mine = at(`wasm ${t}`),
          theirs = at(`against ${t}`);
        row[`time ${t} / against`] = +median(mine.map((x, r) => x / theirs[r])).toFixed(3);
      }
    }
    rows.push(row);
    console.log(`${cs.name}: ${JSON.stringify(row)}`);
  }
  console.log(
    `\nGFLOP/s, median of ${ROUNDS} interleaved rounds (gpu.js: ${GPUJS_ROUNDS}); wasm variant: ${one.variant}`,
  );
  console.table(rows);
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    loadavgBefore: load0,
    loadavgAfter: loadavg(),
    rounds: ROUNDS,
    wasmVariant: one.variant,
    units: 'GFLOP/s (median); ratios against tfjs-wasm',
    rows,
  };
  if (FILTER) return; // a partial run does not overwrite the saved table
  console.log(`saved ${writeResult('gemm.json', result)}`);
  await one.dispose();
  await two.dispose();
  for (const o of others) await o.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
