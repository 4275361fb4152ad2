// The gemm.wasm kernels alone (no JavaScript driver around them): the microkernel on packed panels
// that stay in L1 (the FMA limit of this machine, one thread and two at once), and packA / packB /
// kernel / pack+kernel at the sizes bench/gemm.ts runs, each AssemblyScript file compiled with
// build.mjs's relaxed-SIMD flags. Rounds interleave the variants (the shared host's load changes by
// the second): the min over rounds is the comparable figure, the median shows the noise. A tool
// for trying kernel changes (bench/NOTES.md records what was tried); not part of `npm run bench`.
//
// Run: node --experimental-wasm-relaxed-simd bench/gemm-kernel.mjs [--rounds 9] [--only TEXT]
//      [--threads 2] a.as [b.as ...]   (e.g. a copy of kernels/wasm/assembly/gemm.as against an edited copy)
import { FLAGS, compileFile } from '../kernels/wasm/build.mjs';
import { Worker } from 'node:worker_threads';

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
};
const rounds = Number(opt('rounds', 9)),
  only = opt('only', ''),
  threads = Number(opt('threads', 1));
if (!argv.length) throw new Error('gemm-kernel: give one or more AssemblyScript files');

const MB = 1 << 20;
const PAGES = (64 * MB) / 65536;
// Each case's `run(k, base)` does its work once on exports k with its buffers from byte `base`:
// packed A, packed B, C, raw A, raw B, R bytes apart; flops are the whole gemm's (a rate to compare).
const R = 16 * MB;
/** The cases (a function so that the second thread's source can carry the same text). */
function makeCases(R) {
  const cases = [];
  // The FMA limit: 4 row blocks × 2 panels × k = 256 (A 16 KB, B 16 KB: both in L1), 2048 times
  // (≈ 5 ms, so that waking the second thread, ~0.1 ms, hardly counts).
  cases.push({
    name: 'ceiling 16×256×16 (L1), ×2048',
    flops: 2 * 16 * 16 * 256 * 2048,
    run: (k, b) => {
      for (let i = 0; i < 2048; i++) k.kernel(b, b + R, b + 2 * R, 16, 4, 0, 2, 256, 1, 0);
    },
  });
  for (const [m, kk, n] of [
    [64, 784, 1024],
    [64, 1024, 1024],
    [1024, 1024, 1024],
    [64, 1024, 10],
  ]) {
    const blocks = Math.ceil(m / 4),
      panels = Math.ceil(n / 8),
      nPad = panels * 8;
    const f = 2 * m * n * kk;
    const tag = `${m}×${kk}×${n}`;
    cases.push({ name: `${tag} packA`, flops: f, run: (k, b) => k.packA(b + 3 * R, kk, 0, m, kk, b) });
    cases.push({ name: `${tag} packB`, flops: f, run: (k, b) => k.packB(b + 4 * R, n, 0, kk, n, 0, panels, b + R) });
    cases.push({
      name: `${tag} packB transposed`,
      flops: f,
      run: (k, b) => k.packB(b + 4 * R, kk, 1, kk, n, 0, panels, b + R),
    });
    // A new B: packB, then the kernel; or kernelPackB (where exported), which packs the panels as it goes.
    cases.push({
      name: `${tag} packB+kernel`,
      flops: f,
      run: (k, b) => {
        if (!k.kernelPackB) {
          k.packB(b + 4 * R, n, 0, kk, n, 0, panels, b + R);
          k.kernel(b, b + R, b + 2 * R, nPad, blocks, 0, panels, kk, 1, 0);
        } else {
          const full = n >> 3;
          if (full < panels) k.packB(b + 4 * R, n, 0, kk, n, full, panels, b + R);
          k.kernelPackB(b, b + R, b + 2 * R, nPad, blocks, 0, full, kk, 1, 0, b + 4 * R, n);
          if (full < panels) k.kernel(b, b + R, b + 2 * R, nPad, blocks, full, panels, kk, 1, 0);
        }
      },
    });
    cases.push({
      name: `${tag} kernel`,
      flops: f,
      run: (k, b) => k.kernel(b, b + R, b + 2 * R, nPad, blocks, 0, panels, kk, 1, 0),
    });
  }
  return cases;
}
const cases = makeCases(R);

const variants = [];
for (const file of argv) {
  const module = new WebAssembly.Module(await compileFile(file, FLAGS.relaxed));
  const memory = new WebAssembly.Memory({ initial: PAGES * 2, maximum: PAGES * 2, shared: true });
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
  new Float32Array(memory.buffer).fill(0.25);
  const v = { file, k, module, memory, times: {} };
  if (threads === 2) {
    // The second thread runs the same case on its own buffers (base 64 MB), started by a word.
    v.ctl = new Int32Array(new SharedArrayBuffer(16));
    v.worker = new Worker(
      `const { workerData: { module, memory, ctl, R } } = require('node:worker_threads');
       const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
       const cases = (${makeCases.toString()})(R);
       for (;;) {
         Atomics.wait(ctl, 0, 0);
         const c = Atomics.load(ctl, 0) - 1;
         if (c < 0) break;
         cases[c].run(k, 64 * ${MB});
         Atomics.store(ctl, 0, 0);
         Atomics.store(ctl, 1, 1);
         Atomics.notify(ctl, 1);
       }`,
      { eval: true, workerData: { module, memory, ctl: v.ctl, R } },
    );
  }
  variants.push(v);
}

const selected = cases.map((c, i) => ({ c, i })).filter(({ c }) => c.name.includes(only));
for (const v of variants) for (let i = 0; i < 3; i++) for (const { c } of selected) c.run(v.k, 0);
for (let r = 0; r < rounds; r++) {
  for (const { c, i } of selected) {
    for (const v of variants) {
      const t0 = performance.now();
      if (v.worker) {
        Atomics.store(v.ctl, 1, 0);
        Atomics.store(v.ctl, 0, i + 1);
        Atomics.notify(v.ctl, 0);
      }
      c.run(v.k, 0);
      if (v.worker) while (Atomics.load(v.ctl, 1) === 0) Atomics.wait(v.ctl, 1, 0, 1);
      (v.times[c.name] ??= []).push(performance.now() - t0);
    }
  }
}
for (const { c } of selected) {
  for (const v of variants) {
    const t = [...v.times[c.name]].sort((a, b) => a - b);
    const g = (ms) => ((threads * c.flops) / ms / 1e6).toFixed(1);
    console.log(
      `${c.name.padEnd(32)} ${v.file.padEnd(28)} min ${t[0].toFixed(3)} ms (${g(t[0])} GFLOP/s of the gemm), median ${t[t.length >> 1].toFixed(3)} ms (${g(t[t.length >> 1])})`,
    );
  }
}
for (const v of variants) {
  if (v.worker) {
    v.worker.terminate();
  }
}
