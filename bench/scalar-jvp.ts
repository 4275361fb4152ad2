// Per-call cost of emitted forward-mode twins against their primals (goal: JVP ≤ 2× primal), and against a
// hand-written dual-number object implementation, on Beale, Rosenbrock and the ≥100-line fixture
// (fixtures/large-numeric.ts). Run: npx ts-node -T bench/scalar-jvp.ts   (writes bench/results/scalar-jvp.json)
import * as fs from 'fs';
import * as path from 'path';
import { compile, expectNoDiagnostics, load } from '../test/support/compile';
import { lookupJvp } from '../runtime/registry';

/** Dual numbers as objects: what a user would write without a compiler (value + tangent per operation). */
class Dual {
  constructor(readonly v: number, readonly d: number) {}
  add(o: Dual | number): Dual { return typeof o === 'number' ? new Dual(this.v + o, this.d) : new Dual(this.v + o.v, this.d + o.d); }
  sub(o: Dual | number): Dual { return typeof o === 'number' ? new Dual(this.v - o, this.d) : new Dual(this.v - o.v, this.d - o.d); }
  mul(o: Dual | number): Dual { return typeof o === 'number' ? new Dual(this.v * o, this.d * o) : new Dual(this.v * o.v, this.d * o.v + this.v * o.d); }
  rsub(c: number): Dual { return new Dual(c - this.v, -this.d); }
}
function bealeDual(x: Dual, y: Dual): Dual {
  const a = x.rsub(1.5).add(x.mul(y));
  const b = x.rsub(2.25).add(x.mul(y).mul(y));
  const c = x.rsub(2.625).add(x.mul(y).mul(y).mul(y));
  return a.mul(a).add(b.mul(b)).add(c.mul(c));
}
function rosenbrockDual(x: Dual, y: Dual): Dual {
  const u = x.rsub(1);
  const w = y.sub(x.mul(x));
  return u.mul(u).add(w.mul(w).mul(100));
}

let sink = 0;
/**
 * Median nanoseconds per call of each function, timed in interleaved batches of `n` calls (round r runs every
 * function once), and the median over rounds of each one's time relative to the first: on a shared machine
 * the ratio of neighbouring batches is steadier than the ratio of medians.
 */
function measure(fns: ((i: number) => number)[], n: number, rounds = 21): { ns: number[]; ratio: number[] } {
  for (const fn of fns) for (let i = 0; i < n; i++) sink += fn(i); // warm up (JIT)
  const times = fns.map(() => [] as number[]);
  const ratios = fns.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    const row = fns.map((fn) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) sink += fn(i);
      return Number(process.hrtime.bigint() - t0) / n;
    });
    row.forEach((t, k) => { times[k].push(t); ratios[k].push(t / row[0]); });
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { ns: times.map(median), ratio: ratios.map(median) };
}

function main(): void {
  const fixtures = path.resolve(__dirname, '../fixtures');
  const files = ['test-functions.ts', 'large-numeric.ts'].map((f) => path.join(fixtures, f));
  const result = compile(Object.fromEntries(files.map((f) => [f, fs.readFileSync(f, 'utf8')])));
  expectNoDiagnostics(result);
  const tf = load(result, files[0]);
  const large = load(result, files[1]);
  const twin = (f: Function) => lookupJvp(f)!.fn as (...a: any[]) => [number, number];
  const xs = Array.from({ length: 1024 }, (_, i) => Math.sin(i) * 1.2);
  const rows: { fn: string; primal_ns: number; jvp_ns: number; ratio: number; dual_ns?: number; dual_ratio?: number }[] = [];

  const bj = twin(tf.beale);
  const rj = twin(tf.rosenbrock);
  const scalar: [string, (i: number) => number, (i: number) => number, (i: number) => number][] = [
    ['beale', (i) => tf.beale(xs[i & 1023], xs[(i + 1) & 1023]), (i) => bj(xs[i & 1023], 1, xs[(i + 1) & 1023], 0)[1],
      (i) => bealeDual(new Dual(xs[i & 1023], 1), new Dual(xs[(i + 1) & 1023], 0)).d],
    ['rosenbrock', (i) => tf.rosenbrock(xs[i & 1023], xs[(i + 1) & 1023]), (i) => rj(xs[i & 1023], 1, xs[(i + 1) & 1023], 0)[1],
      (i) => rosenbrockDual(new Dual(xs[i & 1023], 1), new Dual(xs[(i + 1) & 1023], 0)).d],
  ];
  for (const [name, primal, jvp, dual] of scalar) {
    const m = measure([primal, jvp, dual], 100_000);
    rows.push({ fn: name, primal_ns: m.ns[0], jvp_ns: m.ns[1], ratio: m.ratio[1], dual_ns: m.ns[2], dual_ratio: m.ratio[2] });
  }
  const cj = twin(large.chainLoss);
  const theta = [0.2, -0.3, 0.5, 0.1]; const dtheta = [1, 0, 0, 0]; const target = [0.1, -0.2, 0.05, 0.3];
  const zeroT = [0, 0, 0, 0];
  const m = measure([() => large.chainLoss(theta, target, 6, 50, 0.05), () => cj(theta, dtheta, target, zeroT, 6, 0, 50, 0, 0.05, 0)[1]], 200);
  rows.push({ fn: 'chainLoss (112-line fixture, RK4, 6 masses × 50 steps)', primal_ns: m.ns[0], jvp_ns: m.ns[1], ratio: m.ratio[1] });

  console.log('function'.padEnd(58) + 'primal ns'.padStart(11) + 'JVP ns'.padStart(11) + 'JVP/primal'.padStart(12) + 'dual-object ns'.padStart(16) + 'dual/primal'.padStart(13));
  for (const r of rows) {
    console.log(r.fn.padEnd(58) + r.primal_ns.toFixed(1).padStart(11) + r.jvp_ns.toFixed(1).padStart(11) + r.ratio.toFixed(2).padStart(12)
      + (r.dual_ns ? r.dual_ns.toFixed(1) : '-').padStart(16) + (r.dual_ratio ? r.dual_ratio.toFixed(2) : '-').padStart(13));
  }
  console.log(`goal JVP ≤ 2× primal: ${rows.every((r) => r.ratio <= 2) ? 'met' : 'NOT met for ' + rows.filter((r) => r.ratio > 2).map((r) => r.fn).join(', ')}`);
  const out = path.resolve(__dirname, 'results/scalar-jvp.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ node: process.version, date: new Date().toISOString(), rows, sink: Number.isFinite(sink) }, null, 2));
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

main();
