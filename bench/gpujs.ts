// GFLOP/s of the gpu.js gemm on gpu.js's webasm and cpu modes (the js reference backend beside
// them, same run), plus the fused relu JVP against its primal. Medians of a few calls after one
// warm-up call (which compiles the kernel). JSON goes to bench/out/gpujs.json.
// Run: npx ts-node --transpile-only bench/gpujs.ts [--reps 5] [--no-big]
//   --no-big skips 1024×1024×1024 (≈ 2 s per call on webasm, ≈ 7 s on cpu here).
import * as os from 'os';
import * as path from 'path';
import type { KernelBackend } from '../kernels/backend';
import { createBackend } from '../kernels/gpujs/index';
import { jsBackend } from '../kernels/js/index';
import { writeResult } from './output';

const argv = process.argv.slice(2);
const REPS = Number(argv[argv.indexOf('--reps') + 1]) || 5;
const BIG = !argv.includes('--no-big');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Median seconds of `reps` calls of f after one warm-up call. */
function time(f: () => void, reps: number): number {
  f();
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    f();
    t.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return median(t);
}

function rand(n: number): Float32Array {
  return Float32Array.from({ length: n }, () => Math.random() * 2 - 1);
}

function benchGemm(b: KernelBackend, m: number, k: number, n: number, reps: number): { ms: number; gflops: number } {
  const a = rand(m * k),
    bm = rand(k * n),
    c = new Float32Array(m * n);
  const s = time(
    () =>
      b.gemm({
        m,
        n,
        k,
        a,
        aOffset: 0,
        lda: k,
        transA: false,
        strideA: 0,
        b: bm,
        bOffset: 0,
        ldb: n,
        transB: false,
        strideB: 0,
        c,
        cOffset: 0,
        ldc: n,
        strideC: 0,
        batch: 1,
        alpha: 1,
        beta: 0,
      }),
    reps,
  );
  return { ms: +(s * 1e3).toFixed(2), gflops: +((2 * m * n * k) / s / 1e9).toFixed(3) };
}

function benchRelu(b: KernelBackend, n: number, K: number, reps: number): number {
  const x = rand(n),
    y = new Float32Array(n),
    dx = rand(K * n),
    dy = new Float32Array(K * n);
  const s = time(
    () => b.unary!({ op: 'relu', n, x, xOffset: 0, y, yOffset: 0, ...(K > 0 ? { dx, dy, directions: K } : {}) }),
    reps,
  );
  return +(s * 1e3).toFixed(3);
}

const shapes: [number, number, number][] = [
  [64, 784, 1024],
  [64, 1024, 1024],
  ...(BIG ? [[1024, 1024, 1024] as [number, number, number]] : []),
];
const backends: KernelBackend[] = [createBackend('webasm'), createBackend('cpu'), jsBackend];
const gemm: Record<string, unknown>[] = [];
for (const [m, k, n] of shapes) {
  for (const b of backends) {
    const reps = m * k * n > 1e8 ? Math.min(REPS, 3) : REPS;
    const r = benchGemm(b, m, k, n, reps);
    gemm.push({ backend: b.name, shape: `${m}x${k}x${n}`, reps, ...r });
    console.log(
      `gemm ${m}×${k}×${n} ${b.name.padEnd(12)} ${String(r.ms).padStart(9)} ms ${String(r.gflops).padStart(7)} GFLOP/s`,
    );
  }
}
const relu: Record<string, unknown>[] = [];
const N = 64 * 1024;
for (const b of backends) {
  const row = {
    backend: b.name,
    n: N,
    primalMs: benchRelu(b, N, 0, REPS),
    jvpK1Ms: benchRelu(b, N, 1, REPS),
    jvpK8Ms: benchRelu(b, N, 8, REPS),
  };
  relu.push(row);
  console.log(
    `relu n=${N} ${b.name.padEnd(12)} primal ${row.primalMs} ms, fused JVP K=1 ${row.jvpK1Ms} ms, K=8 ${row.jvpK8Ms} ms`,
  );
}
const out = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model,
  cores: os.cpus().length,
  loadavg: os.loadavg(),
  note: 'medians after one warm-up call; gpu.js webasm runs synchronously on one thread (its threads need the async contract)',
  gemm,
  relu,
};
const file = writeResult('gpujs.json', out);
console.log(`wrote ${path.relative(process.cwd(), file)}`);
