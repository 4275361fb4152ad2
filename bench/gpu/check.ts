// Device check for the gpu.js kernels on a real GPU (see README.md beside this file): runs the
// same kernel sources the gpujs backends use (kernels/gpujs/) under gpu.js's WebGPU mode
// (Dawn, asynchronous) and its synchronous 'gpu' mode (headless-gl), checks them against the
// float32 CPU reference (kernels/js) and prints one JSON object: per mode, per kernel and shape,
// pass/fail, worst error against the stated bound, ms per call and GFLOP/s.
// Usage (bundled): node check.js [--dawn path/to/linux-x64.dawn.node] [--out result.json] [--quick]
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import type { GemmArgs } from '../../kernels/backend';
import { GEMM_SOURCE } from '../../kernels/gpujs/gemm';
import { unaryJvpSource } from '../../kernels/gpujs/unary';
import { createBackend } from '../../kernels/gpujs/index';
import { jsBackend } from '../../kernels/js/index';
import { flatten, recordLaunches } from './sweep';

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const QUICK = argv.includes('--quick');
const SHAPES: [number, number, number][] = QUICK
  ? [[64, 784, 1024]]
  : [
      [64, 784, 1024],
      [64, 1024, 1024],
      [1024, 1024, 1024],
    ];
const RELU_N = 64 * 1024,
  RELU_K = 8,
  REPS = 5;
const U = 2 ** -24;
// A plain require the bundler leaves alone (for the native Dawn addon and optional packages).
const nodeRequire = createRequire(__filename);

interface Row {
  kernel: string;
  shape: string;
  pass: boolean;
  worst: number;
  bound: string;
  ms?: number;
  pipelinedMs?: number;
  gflops?: number;
  note?: string;
}
interface ModeResult {
  mode: string;
  available: boolean;
  error?: string;
  adapter?: string;
  rows: Row[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}
function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** The CPU reference product and Σ|a||b| per element (the float32 rounding-error scale). */
function reference(
  m: number,
  k: number,
  n: number,
  a: Float32Array,
  b: Float32Array,
): { c: Float32Array; abs: Float32Array } {
  const args = (x: Float32Array, y: Float32Array, c: Float32Array): GemmArgs => ({
    m,
    n,
    k,
    a: x,
    aOffset: 0,
    lda: k,
    transA: false,
    strideA: 0,
    b: y,
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
  });
  const c = new Float32Array(m * n),
    abs = new Float32Array(m * n);
  jsBackend.gemm(args(a, b, c));
  jsBackend.gemm(args(a.map(Math.abs), b.map(Math.abs), abs));
  return { c, abs };
}

/** Worst |got − want| / ((k + 8)·u·Σ|a||b|): ≤ 1 passes (the worst-case float32 dot-product error). */
function gemmError(got: ArrayLike<number>, ref: { c: Float32Array; abs: Float32Array }, k: number): number {
  let worst = 0;
  for (let i = 0; i < ref.c.length; i++) {
    const r = Math.abs(got[i] - ref.c[i]) / ((k + 8) * U * ref.abs[i] + 1e-30);
    if (!(r <= worst)) worst = Number.isNaN(r) ? Infinity : r;
  }
  return worst;
}

/** Flattens a gpu.js result (typed array, rows, or layers of rows). */
function flat(out: unknown, size: number): Float32Array {
  const res = new Float32Array(size);
  let o = 0;
  const walk = (v: unknown): void => {
    if (typeof (v as ArrayLike<number>)[0] === 'number') {
      res.set(v as ArrayLike<number>, o);
      o += (v as ArrayLike<number>).length;
    } else for (const p of v as unknown[]) walk(p);
  };
  walk(out);
  return res;
}

interface GpuLike {
  createKernel(source: string, settings: Record<string, unknown>): (...args: unknown[]) => unknown;
}

/**
 * Replays every kernel launch of the gpujs backends (sweep.ts) under `gpu`'s mode and compares
 * with gpu.js's cpu mode: |got − cpu| ≤ 2e-6 + 2e-5·|cpu| (device math functions may differ by ulps).
 */
async function sweepRows(gpu: GpuLike): Promise<Row[]> {
  const rows: Row[] = [];
  for (const l of recordLaunches()) {
    const row: Row = {
      kernel: `sweep:${l.name}`,
      shape: l.output.join('x'),
      pass: false,
      worst: Infinity,
      bound: '2e-6 + 2e-5·|cpu|',
    };
    try {
      const k = gpu.createKernel(l.source, { output: l.output, constants: l.constants, precision: 'single' });
      const got = flatten(await k(...l.args));
      if (got.length !== l.expected.length)
        throw new Error(`${got.length} outputs, cpu mode gave ${l.expected.length}`);
      let worst = 0;
      for (let i = 0; i < got.length; i++) {
        const r = Math.abs(got[i] - l.expected[i]) / (2e-6 + 2e-5 * Math.abs(l.expected[i]));
        if (!(r <= worst)) worst = Number.isNaN(r) ? Infinity : r;
      }
      Object.assign(row, { worst, pass: worst <= 1 });
    } catch (e) {
      row.note = (e as Error).message.split('\n')[0];
    }
    rows.push(row);
  }
  return rows;
}

/** Starts Dawn and exposes navigator.gpu the way gpu.js's WebGPU backend expects it. */
function setupDawn(): { release(): void } {
  const candidates = [opt('--dawn'), path.join(__dirname, 'linux-x64.dawn.node'), 'webgpu'].filter(
    (p): p is string => !!p,
  );
  const errors: string[] = [];
  for (const p of candidates) {
    try {
      const dawn = nodeRequire(p) as { create(flags: string[]): unknown; globals: Record<string, unknown> };
      if (typeof dawn.create !== 'function') continue;
      Object.assign(globalThis, dawn.globals);
      (globalThis as { navigator?: unknown }).navigator = { gpu: dawn.create([]) };
      return {
        release: () => {
          delete (globalThis as { navigator?: unknown }).navigator;
        },
      };
    } catch (e) {
      errors.push(`${p}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`cannot load Dawn: ${errors.join('; ')}`);
}

async function webgpuMode(): Promise<ModeResult> {
  const result: ModeResult = { mode: 'webgpu', available: false, rows: [] };
  let dawn: { release(): void } | undefined;
  try {
    dawn = setupDawn();
    const nav = (
      globalThis as unknown as {
        navigator: { gpu: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } };
      }
    ).navigator;
    const adapter = await nav.gpu.requestAdapter();
    if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned null (no Vulkan driver visible to Dawn?)');
    result.adapter = adapter.info
      ? `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.device} ${adapter.info.description}`
      : 'unknown';
    const { GPU } = require('gpu.js'); // bundled, the same copy the kernels use
    const gpu = new GPU({ mode: 'webgpu' });
    result.available = true;
    for (const [m, k, n] of SHAPES) {
      const a = rand(m * k, 1),
        b = rand(k * n, 2),
        ref = reference(m, k, n, a, b);
      const constants = { k4: k >> 2, kTail: k & 3, sAi: k, sAp: 1, sBj: 1, sBp: n, strideA: 0, strideB: 0 };
      const kern = gpu.createKernel(GEMM_SOURCE, { output: [n, m, 1], constants, precision: 'single' });
      const got = flat(await kern(a, b), m * n);
      const times: number[] = [];
      for (let r = 0; r < REPS; r++) {
        const t0 = performance.now();
        await kern(a, b);
        times.push(performance.now() - t0);
      }
      // Pipelined: REPS launches queued back to back, one readback at the end.
      const pipe = gpu.createKernel(GEMM_SOURCE, { output: [n, m, 1], constants, precision: 'single', pipeline: true });
      await (await pipe(a, b)).toArray();
      const t0 = performance.now();
      let last: { toArray(): Promise<unknown> } | undefined;
      for (let r = 0; r < REPS; r++) last = await pipe(a, b);
      await last!.toArray();
      const pipelinedMs = (performance.now() - t0) / REPS;
      const worst = gemmError(got, ref, k),
        ms = median(times);
      result.rows.push({
        kernel: 'gemm',
        shape: `${m}x${k}x${n}`,
        pass: worst <= 1,
        worst,
        bound: '(k+8)·u·Σ|a||b|',
        ms,
        pipelinedMs,
        gflops: (2 * m * n * k) / (Math.min(ms, pipelinedMs) * 1e6),
        note: 'ms: upload+compute+readback per call',
      });
    }
    const relu = gpu.createKernel(unaryJvpSource('relu'), {
      output: [RELU_N, RELU_K + 1],
      constants: { n: RELU_N },
      precision: 'single',
    });
    result.rows.push(await reluJvp((x, dx) => relu(x, dx)));
    result.rows.push(...(await sweepRows(gpu)));
    gpu.destroy?.();
  } catch (e) {
    result.error = (e as Error).message;
  } finally {
    dawn?.release();
  }
  return result;
}

type Launch = (x: Float32Array, dx: Float32Array) => unknown;

/** The fused relu JVP (primal + K tangents, stacked [K + 1, n]) against the CPU: must agree exactly. */
async function reluJvp(launch: Launch): Promise<Row> {
  const n = RELU_N,
    K = RELU_K;
  const x = rand(n, 3),
    dx = rand(K * n, 4);
  for (let i = 0; i < n; i += 7) x[i] = 0; // relu'(0) = 0
  const y = new Float32Array(n),
    dy = new Float32Array(K * n);
  jsBackend.unary({ op: 'relu', n, x, xOffset: 0, y, yOffset: 0, dx, dy, directions: K });
  const got = flat(await launch(x, dx), (K + 1) * n);
  const times: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    await launch(x, dx);
    times.push(performance.now() - t0);
  }
  let mismatches = 0;
  for (let i = 0; i < n; i++) if (got[i] !== y[i]) mismatches++;
  for (let i = 0; i < K * n; i++) if (got[n + i] !== dy[i]) mismatches++;
  return {
    kernel: 'relu-jvp',
    shape: `n=${n},K=${K}`,
    pass: mismatches === 0,
    worst: mismatches,
    bound: 'exact (mismatch count)',
    ms: median(times),
  };
}

/** The synchronous backends through the real backend object (gpu = headless-gl; webasm for scale). */
async function backendMode(mode: 'gpu' | 'webasm'): Promise<ModeResult> {
  const result: ModeResult = { mode, available: false, rows: [] };
  try {
    const backend = createBackend(mode);
    result.available = true;
    for (const [m, k, n] of mode === 'webasm' ? SHAPES.slice(0, 1) : SHAPES) {
      const a = rand(m * k, 1),
        b = rand(k * n, 2),
        ref = reference(m, k, n, a, b),
        c = new Float32Array(m * n);
      const args: GemmArgs = {
        m,
        n,
        k,
        a,
        aOffset: 0,
        lda: k,
        transA: false,
        strideA: 0,
        b,
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
      };
      backend.gemm(args);
      const worst = gemmError(c, ref, k);
      const times: number[] = [];
      for (let r = 0; r < (mode === 'webasm' ? 2 : REPS); r++) {
        const t0 = performance.now();
        backend.gemm(args);
        times.push(performance.now() - t0);
      }
      const ms = median(times);
      result.rows.push({
        kernel: 'gemm',
        shape: `${m}x${k}x${n}`,
        pass: worst <= 1,
        worst,
        bound: '(k+8)·u·Σ|a||b|',
        ms,
        gflops: (2 * m * n * k) / (ms * 1e6),
      });
    }
    // Output as the stacked kernel returns it: y, then the K tangents.
    const out = new Float32Array((RELU_K + 1) * RELU_N);
    result.rows.push(
      await reluJvp((x, dx) => {
        backend.unary({
          op: 'relu',
          n: RELU_N,
          x,
          xOffset: 0,
          y: out,
          yOffset: 0,
          dx,
          dy: out,
          dyOffset: RELU_N,
          directions: RELU_K,
        });
        return out;
      }),
    );
    backend.destroy();
    if (mode === 'webasm') {
      const { GPU } = require('gpu.js');
      result.rows.push(...(await sweepRows(new GPU({ mode }))));
    }
  } catch (e) {
    result.error = (e as Error).message;
  }
  return result;
}

async function main(): Promise<void> {
  const started = Date.now();
  const modes = [await webgpuMode(), await backendMode('gpu'), await backendMode('webasm')];
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    shapes: SHAPES.map((s) => s.join('x')),
    seconds: (Date.now() - started) / 1000,
    pass: modes.every((m) => m.rows.every((r) => r.pass)) && modes.some((m) => m.mode !== 'webasm' && m.available),
    modes,
  };
  const text = JSON.stringify(report, null, 2);
  console.log(text);
  const out = opt('--out');
  if (out) fs.writeFileSync(out, text + '\n');
  process.exit(0); // Dawn can keep the event loop alive
}

void main();
