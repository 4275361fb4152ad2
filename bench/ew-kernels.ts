// The elementwise-family kernels at the paper's sizes, js loop (today's path: plain arrays) against
// the wasm SIMD kernel on operands in the kernel memory, one thread and two (every call split):
// relu JVP over the MLP's hidden layer, the bias add JVP, maxPool2d JVP over the CNN's first
// activation, softmax cross-entropy (js in both: see kernels/wasm/elementwise.ts), and the
// optimizer update over the MLP's 1.86 M parameters (sgd fused path and adam). Also the hand-off
// threshold: relu JVP at growing sizes on one and two threads.
//
// Run: npx ts-node -T bench/ew-kernels.ts [--rounds 7] [--reps 15]   (table; JSON in bench/out/ew-kernels.json)
//
// Method: rounds interleave every case and mode; a mode's time in a round is the median of its
// repeats; the table shows the median over rounds and js/wasm within rounds (similar load).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { arg, median, timeIt } from './paper-mlp';
import { jsBackend } from '../kernels/js';
import { compileKernels, type KernelExports } from '../kernels/wasm/module';
import { Helper } from '../kernels/wasm/worker';
import { Engine } from '../kernels/wasm/engine';
import { EwCall } from '../kernels/wasm/ew-call';
import { WasmElementwise } from '../kernels/wasm/elementwise';
import { WasmPool } from '../kernels/wasm/pool';
import { WasmUpdate } from '../kernels/wasm/update';
import { wasmApi } from '../kernels/wasm/webassembly';

const ROUNDS = arg('rounds', 7),
  REPS = arg('reps', 15);

// Two engines over one 512 MiB kernel memory; in-place operands are views from byte 64 MiB up
// (until the tensor pool allocates there itself, the heap branch).
const { module: kernelModule, variant } = compileKernels();
const pages = 512 * 16;
const memory = new wasmApi.Memory({ initial: pages, maximum: pages, shared: true });
const K = new wasmApi.Instance(kernelModule, { env: { memory } }).exports as unknown as KernelExports;
const helper = new Helper({ module: kernelModule, memory, spinMs: 0.05 });
const one = new EwCall(new Engine(K, memory, undefined, { minParallelFlops: Infinity }), {
  minParallelBytes: Infinity,
});
const two = new EwCall(new Engine(K, memory, helper, { minParallelFlops: 0 }), { minParallelBytes: 0 });
let top = 64 << 20;
const inMem = (n: number): Float32Array => {
  const v = new Float32Array(memory.buffer, top, n);
  top += 4 * n + 64;
  return v;
};
const random = (v: Float32Array): Float32Array => {
  for (let i = 0; i < v.length; i++) v[i] = Math.sin(i * 12.9898) * 2;
  return v;
};
/** The same operand twice: plain (js) and in the kernel memory (wasm). */
const pair = (n: number) => {
  const plain = random(new Float32Array(n));
  const mem = inMem(n);
  mem.set(plain);
  return { plain, mem };
};

type Mode = 'js' | 'wasm 1T' | 'wasm 2T';
interface Case {
  name: string;
  /** Bytes read + written per call (for GB/s). */
  bytes: number;
  run: Record<Mode, () => void>;
}

const ew1 = new WasmElementwise(one),
  ew2 = new WasmElementwise(two);
const pool1 = new WasmPool(one),
  pool2 = new WasmPool(two);
const up1 = new WasmUpdate(one),
  up2 = new WasmUpdate(two);

function reluCase(rows: number, cols: number, op: 'relu' | 'tanh' | 'sigmoid' = 'relu', outside = false): Case {
  const n = rows * cols;
  const x = pair(n),
    dx = pair(n),
    y = pair(n),
    dy = pair(n);
  const args = (w: 'plain' | 'mem') => ({
    op,
    n,
    x: x[w],
    xOffset: 0,
    y: y[w],
    yOffset: 0,
    dx: dx[w],
    dxOffset: 0,
    dy: dy[w],
    dyOffset: 0,
  });
  const p = args('plain'),
    m = args(outside ? 'plain' : 'mem');
  return {
    name: `${op} JVP ${rows}×${cols}${outside ? ', operands outside the memory (wasm: copied)' : ''}`,
    bytes: 16 * n,
    run: { js: () => jsBackend.unary(p), 'wasm 1T': () => ew1.unary(m), 'wasm 2T': () => ew2.unary(m) },
  };
}

function biasCase(rows: number, cols: number): Case {
  const n = rows * cols;
  const a = pair(n),
    b = pair(cols),
    da = pair(n),
    db = pair(cols),
    y = pair(n),
    dy = pair(n);
  const args = (w: 'plain' | 'mem') => ({
    op: 'add' as const,
    n,
    a: a[w],
    aOffset: 0,
    aLen: n,
    b: b[w],
    bOffset: 0,
    bLen: cols,
    y: y[w],
    yOffset: 0,
    da: da[w],
    daOffset: 0,
    db: db[w],
    dbOffset: 0,
    dy: dy[w],
    dyOffset: 0,
  });
  const p = args('plain'),
    m = args('mem');
  return {
    name: `bias add JVP [${rows},${cols}] + [${cols}]`,
    bytes: 16 * n,
    run: { js: () => jsBackend.binary(p), 'wasm 1T': () => ew1.binary(m), 'wasm 2T': () => ew2.binary(m) },
  };
}

function poolCase(): Case {
  const planes = 64 * 32,
    h = 28,
    w = 28,
    X = planes * h * w,
    P = planes * 14 * 14;
  const x = pair(X),
    dx = pair(X),
    y = pair(P),
    dy = pair(P);
  const args = (wh: 'plain' | 'mem') => ({
    x: x[wh],
    xOffset: 0,
    planes,
    h,
    w,
    kh: 2,
    kw: 2,
    strideH: 2,
    strideW: 2,
    outH: 14,
    outW: 14,
    y: y[wh],
    yOffset: 0,
    dx: dx[wh],
    dxOffset: 0,
    dy: dy[wh],
    dyOffset: 0,
  });
  const p = args('plain'),
    m = args('mem');
  return {
    name: 'maxPool2d JVP 64×32×28×28',
    bytes: 4 * (2 * X + 2 * P),
    run: { js: () => jsBackend.maxPool2d(p), 'wasm 1T': () => pool1.maxPool2d(m), 'wasm 2T': () => pool2.maxPool2d(m) },
  };
}

function softmaxCase(): Case {
  const rows = 64,
    cols = 10;
  const logits = pair(rows * cols),
    dl = pair(rows * cols);
  const labels = Int32Array.from({ length: rows }, (_, i) => i % cols);
  const dloss = new Float32Array(1);
  const run = (w: 'plain' | 'mem') => () =>
    jsBackend.softmaxCrossEntropy({
      logits: logits[w],
      logitsOffset: 0,
      rows,
      cols,
      labels,
      dlogits: dl[w],
      dlogitsOffset: 0,
      dloss,
    });
  // The wasm backend sends softmax cross-entropy to the js kernel: both rows time the same loop.
  return {
    name: 'softmaxCE JVP 64×10 (js in both)',
    bytes: 8 * rows * cols,
    run: { js: run('plain'), 'wasm 1T': run('mem'), 'wasm 2T': run('mem') },
  };
}

const PARAMS = 784 * 1024 + 1024 + 1024 * 1024 + 1024 + 1024 * 10 + 10; // 1.86 M

function updateCase(rule: 'sgd' | 'adam', snapshot: 'none' | 'fused' | 'memcpy' = 'none'): Case {
  const n = PARAMS;
  const p = pair(n),
    d = pair(n),
    m = pair(n),
    v = pair(n);
  for (const s of [m, v]) {
    s.plain.fill(0);
    s.mem.fill(0);
  }
  const ruleOf = (w: 'plain' | 'mem') =>
    rule === 'sgd'
      ? ({ name: 'sgd' } as const)
      : ({ name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, c1: 0.1, c2: 0.001, m: m[w], v: v[w] } as const);
  // lr 0: the parameters stay finite however many times the bench repeats the step.
  // The guard's snapshot of θ: written by the update in its pass, or a separate copy after it.
  const save = pair(n);
  const args = (w: 'plain' | 'mem') => ({
    rule: ruleOf(w),
    n,
    params: p[w],
    grad: d[w],
    scale: 0.5,
    lr: 0,
    ...(snapshot === 'fused' ? { save: save[w] } : {}),
  });
  const pl = args('plain'),
    me = args('mem');
  const copy = (w: 'plain' | 'mem') => (snapshot === 'memcpy' ? () => save[w].set(p[w]) : () => {});
  const [cp, cm] = [copy('plain'), copy('mem')];
  return {
    name: `update ${rule} (stepScaled) over 1.86 M${snapshot === 'none' ? '' : `, snapshot ${snapshot}`}`,
    bytes: 4 * n * ((rule === 'sgd' ? 3 : 7) + (snapshot === 'none' ? 0 : 1)),
    run: {
      js: () => (jsBackend.update(pl), cp()),
      'wasm 1T': () => (up1.update(me), cm()),
      'wasm 2T': () => (up2.update(me), cm()),
    },
  };
}

async function main(): Promise<void> {
  // Let the helper boot with this thread's event loop free, then wait for it.
  for (let t = 0; t < 300 && !helper.ready; t++) await new Promise((r) => setTimeout(r, 100));
  if (!helper.ready) throw new Error('bench: the helper thread did not start');
  const CASES: Case[] = [
    reluCase(64, 1024),
    reluCase(64, 1024, 'tanh'),
    reluCase(64, 1024, 'sigmoid'),
    reluCase(64, 1024, 'relu', true),
    biasCase(64, 1024),
    softmaxCase(),
    poolCase(),
    updateCase('sgd'),
    updateCase('adam'),
    updateCase('sgd', 'fused'),
    updateCase('sgd', 'memcpy'),
    // the hand-off threshold: relu JVP bytes 16·n = 64 KiB … 4 MiB
    reluCase(4, 1024),
    reluCase(16, 1024),
    reluCase(64, 1024),
    reluCase(256, 1024),
    reluCase(64 * 64, 28 * 28), // the CNN's first activation: 51 MB per call, DRAM-bound
  ];
  const MODES: Mode[] = ['js', 'wasm 1T', 'wasm 2T'];

  // Warm up (V8 tiers wasm and js up after a few calls).
  for (const c of CASES) for (const m of MODES) timeIt(c.run[m], 5);

  const times: Record<string, Record<Mode, number[]>> = {};
  for (const c of CASES) times[c.name + '#' + CASES.indexOf(c)] = { js: [], 'wasm 1T': [], 'wasm 2T': [] };
  for (let r = 0; r < ROUNDS; r++)
    for (const [i, c] of CASES.entries())
      for (const m of MODES) times[c.name + '#' + i][m].push(median(timeIt(c.run[m], REPS)));

  const fmt = (ms: number) => (ms < 0.1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(3)} ms`);
  const rows = CASES.map((c, i) => {
    const t = times[c.name + '#' + i];
    const med = (m: Mode) => median(t[m]);
    const ratio = (m: Mode) => median(t.js.map((j, r) => j / t[m][r]));
    return {
      case: c.name,
      bytes: c.bytes,
      jsMs: med('js'),
      wasm1Ms: med('wasm 1T'),
      wasm2Ms: med('wasm 2T'),
      speedup1: ratio('wasm 1T'),
      speedup2: ratio('wasm 2T'),
      gbs1: c.bytes / med('wasm 1T') / 1e6,
    };
  });
  console.log(`variant ${variant}, ${ROUNDS} rounds × ${REPS} reps, load ${os.loadavg()[0].toFixed(1)}`);
  console.log('| case | js | wasm 1T | wasm 2T | js / 1T | js / 2T | 1T GB/s |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.case} | ${fmt(r.jsMs)} | ${fmt(r.wasm1Ms)} | ${fmt(r.wasm2Ms)} | ${r.speedup1.toFixed(2)} | ${r.speedup2.toFixed(2)} | ${r.gbs1.toFixed(1)} |`,
    );
  const out = path.resolve(__dirname, 'out');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    path.join(out, 'ew-kernels.json'),
    JSON.stringify(
      { date: new Date().toISOString(), load: os.loadavg(), variant, rounds: ROUNDS, reps: REPS, rows },
      null,
      1,
    ),
  );
  void helper.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
