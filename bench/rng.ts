// Throughput of the counter-based RNG fills (numbers per second), median of a few repeats.
// Run: npx ts-node --transpile-only bench/rng.ts
import { fillNormal, fillRademacher, fillUniform, normalFloat32Implementation, rngImplementation } from '../kernels/rng';

function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; }

const N = 1 << 20;
const rows: Array<{ fill: string; out: string; mNumbersPerS: number }> = [];
for (const [name, fill] of [['normal', fillNormal], ['uniform', fillUniform], ['rademacher', fillRademacher]] as const) {
  for (const out of [new Float32Array(N), new Float64Array(N)]) {
    fill(out, 1, 0, 0); // warm-up
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = process.hrtime.bigint();
      fill(out, 1, r, 0);
      times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    rows.push({ fill: name, out: out.constructor.name, mNumbersPerS: +(N / median(times) / 1e6).toFixed(1) });
  }
}
console.log(`Philox words: ${rngImplementation}; Float32Array normals: ${normalFloat32Implementation}; load ${require('os').loadavg().map((l: number) => l.toFixed(2)).join(' ')}`);
console.table(rows);
