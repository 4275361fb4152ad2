// A/B timing of rng.wasm kernel variants, without the JavaScript around them (no copy-out, no
// chunk loop): each AssemblyScript file is compiled with build.mjs's RNG flags and its `normals`
// (or --fn philox) export writes 2^20 numbers in 64 calls of 1024 groups into its own memory.
// Rounds interleave the variants (the shared host's load changes by the second); the min over
// rounds is the comparable figure there, the median shows the noise. Not part of `npm run bench`:
// a tool for trying kernel changes (bench/NOTES.md records what was tried).
//
// Run: node bench/rng-kernel.mjs [--fn normals|philox] [--rounds 15] a.as [b.as ...]
//      (e.g. a copy of kernels/wasm/assembly/rng.as against an edited copy)
import { FLAGS, compileFile } from '../kernels/wasm/build.mjs';

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = argv[i + 1];
  argv.splice(i, 2);
  return v;
};
const fn = opt('fn', 'normals'),
  rounds = Number(opt('rounds', 15));
if (!argv.length) throw new Error('rng-kernel: give one or more AssemblyScript files');

const variants = [];
for (const file of argv) {
  const memory = new WebAssembly.Memory({ initial: 16, maximum: 16, shared: true });
  const k = new WebAssembly.Instance(new WebAssembly.Module(await compileFile(file, FLAGS.rng)), { env: { memory } })
    .exports;
  if (typeof k[fn] !== 'function') throw new Error(`rng-kernel: ${file} has no export ${fn}`);
  variants.push({ file, run: k[fn], times: [] });
}
const GROUPS = 1024,
  CALLS = 64,
  N = 16 * GROUPS * CALLS;
for (const v of variants) for (let i = 0; i < 50; i++) v.run(1, 2, 3, 4, i * 4 * GROUPS, 0, GROUPS, 65536); // leave the baseline tier
for (let r = 0; r < rounds; r++) {
  for (const v of variants) {
    const t0 = performance.now();
    for (let c = 0; c < CALLS; c++) v.run(1, 2, 3, 4, c * 4 * GROUPS, 0, GROUPS, 65536);
    v.times.push(performance.now() - t0);
  }
}
for (const v of variants) {
  const t = [...v.times].sort((a, b) => a - b);
  console.log(
    `${v.file}: ${fn} of 2^20: min ${t[0].toFixed(2)} ms (${(N / t[0] / 1e3).toFixed(0)} M/s), median ${t[t.length >> 1].toFixed(2)} ms`,
  );
}
