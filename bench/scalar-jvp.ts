// Per-call cost of emitted forward-mode twins against their primals (goal, issue 2: JVP ≤ 2× primal), and
// against a hand-written dual-number object implementation (bench/dual/), on Beale, Rosenbrock and the
// ≥100-line fixture fixtures/large-numeric.ts (chainLoss: RK4 over a chain of oscillators, loops + arrays).
//
// Run: npx ts-node -T bench/scalar-jvp.ts [--processes 3] [--rounds 41] [--batch-ms 4]
//      (prints a table, writes bench/out/scalar-jvp.json)
//
// Method (the host is a shared 2-core machine): each variant is timed in batches of many calls, the batch
// size calibrated so one batch takes ~batch-ms; rounds interleave the variants of one function (rotating
// their order so none always runs right after another's garbage), and ratios are taken within a round,
// where the load is nearly the same for both sides. Per process: median ns/call, the median (and quartiles,
// in the JSON) of the per-round ratios, and the "best" ratio of the two minimum per-call times (each the
// batch least disturbed by other processes). JIT decisions differ from process to process (chainLoss's
// ratio moves by ~0.2 between runs), so the whole measurement runs in several fresh processes, one after
// the other; the table shows the median over processes and their range. A control variant runs the primal
// twice per call and should read 2.00 (JVP/(ctl/2) is the JVP against half of it, in the same round).
// Before timing, the twin's and the dual implementation's values and tangents are checked against each
// other, the primal and a central difference, so a broken port cannot give a fast number.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compile, expectNoDiagnostics, load } from '../test/support/compile';
import { lookupJvp } from '../runtime/registry';
import { Dual } from './dual/dual';
import { bealeDual, rosenbrockDual } from './dual/test-functions';
import { chainLossDual } from './dual/large-numeric';
import { writeResult } from './output';

interface Options {
  processes: number;
  rounds: number;
  batchMs: number;
  child: boolean;
}
function parseArgs(argv: string[]): Options {
  const opts: Options = { processes: 3, rounds: 41, batchMs: 4, child: false };
  const names: Record<string, 'processes' | 'rounds' | 'batchMs'> = {
    '--processes': 'processes',
    '--rounds': 'rounds',
    '--batch-ms': 'batchMs',
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--child') {
      opts.child = true;
      continue;
    }
    const key = names[argv[i]];
    if (!key) throw new Error(`unknown option ${argv[i]} (use --processes N, --rounds N, --batch-ms MS)`);
    const v = Number(argv[++i]);
    if (!(v > 0)) throw new Error(`${argv[i - 1]} needs a positive number, got ${argv[i]}`);
    opts[key] = key === 'batchMs' ? v : Math.round(v);
  }
  return opts;
}

/**
 * Each variant returns a number so its work cannot be dropped; `sink` keeps every result alive. Twin results
 * are destructured, as emitted code does (V8 then drops the [value, tangent] array after inlining).
 */
type Variant = (i: number) => number;
let sink = 0;

/**
 * A timing loop of its own for `fn`, so its call site stays monomorphic and V8 may inline `fn` as it would in
 * user code (a shared loop makes the call megamorphic and adds the same call overhead to every variant,
 * pulling small ratios towards 1). The source differs per variant (a counter): V8 caches `new Function` by source,
 * and identical sources would share one feedback vector, i.e. one megamorphic call site again.
 */
let runnerId = 0;
function batchRunner(fn: Variant): (n: number) => number {
  const src = `// timing loop ${runnerId++}\nlet s = 0;\nfor (let i = 0; i < n; i++) s += fn(i);\nreturn s;`;
  const loop = new Function('fn', 'n', src) as (f: Variant, n: number) => number;
  return (n) => {
    const t0 = process.hrtime.bigint();
    sink += loop(fn, n);
    return Number(process.hrtime.bigint() - t0) / n;
  };
}

/** Calls per batch so that one batch takes about `ms` (after JIT warm-up). */
function calibrate(run: (n: number) => number, ms: number): number {
  let n = 1;
  for (;;) {
    const ns = run(n) * n;
    if (ns > 20e6 || n >= 1 << 24) return Math.max(1, Math.round((n * ms * 1e6) / ns));
    n *= 2;
  }
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const median = (xs: number[]): number => quantile(xs, 0.5);

interface Timing {
  ns: number[];
  best: number[];
  ratio: number[];
  bestRatio: number[];
  ratioIqr: [number, number][];
  calls: number[];
  rows: number[][];
}
/** Interleaved rounds over `fns`; ratios are relative to fns[0] within each round. */
function measure(fns: Variant[], opts: Options): Timing {
  const runs = fns.map(batchRunner);
  const calls = runs.map((run) => calibrate(run, opts.batchMs));
  const times = fns.map(() => [] as number[]);
  const ratios = fns.map(() => [] as number[]);
  const rows: number[][] = [];
  for (let r = 0; r < opts.rounds; r++) {
    const row: number[] = new Array(fns.length);
    for (let j = 0; j < fns.length; j++) {
      const k = (j + r) % fns.length; // rotate the order
      row[k] = runs[k](calls[k]);
    }
    row.forEach((t, k) => {
      times[k].push(t);
      ratios[k].push(t / row[0]);
    });
    rows.push(row);
  }
  const best = times.map((t) => Math.min(...t));
  return {
    ns: times.map(median),
    best,
    ratio: ratios.map(median),
    bestRatio: best.map((b) => b / best[0]),
    ratioIqr: ratios.map((r) => [quantile(r, 0.25), quantile(r, 0.75)]),
    calls,
    rows,
  };
}

/** Throws unless a ≈ b (relative to max(1, |a|, |b|)): the bench times only implementations that agree. */
function agree(what: string, a: number, b: number, tol = 1e-9): void {
  if (!(Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b)))) throw new Error(`${what}: ${a} vs ${b}`);
}

interface Row {
  fn: string;
  primal_ns: number;
  jvp_ns: number;
  dual_ns: number;
  primal_best_ns: number;
  jvp_best_ns: number;
  dual_best_ns: number;
  jvp_ratio_median: number;
  jvp_ratio_iqr: [number, number];
  jvp_ratio_best: number;
  dual_ratio_median: number;
  dual_ratio_iqr: [number, number];
  dual_ratio_best: number;
  control_twice_ratio_median: number;
  jvp_vs_control_median: number;
  calls_per_batch: number[];
}

/** One process's measurement of every case (run in a child process). */
function measureCases(opts: Options): Row[] {
  const fixtures = path.resolve(__dirname, '../fixtures');
  const files = ['test-functions.ts', 'large-numeric.ts'].map((f) => path.join(fixtures, f));
  const result = compile(Object.fromEntries(files.map((f) => [f, fs.readFileSync(f, 'utf8')])));
  expectNoDiagnostics(result);
  const tf = load(result, files[0]);
  const large = load(result, files[1]);
  const twin = (f: Function) => lookupJvp(f)!.fn as (...a: any[]) => [number, number];
  const xs = Array.from({ length: 1024 }, (_, i) => Math.sin(i) * 1.2);
  const x = (i: number) => xs[i & 1023];
  const y = (i: number) => xs[(i + 1) & 1023];

  const bj = twin(tf.beale);
  const rj = twin(tf.rosenbrock);
  const cj = twin(large.chainLoss);
  const theta = [0.2, -0.3, 0.5, 0.1];
  const dtheta = [1, 0.5, -0.25, 2];
  const target = [0.1, -0.2, 0.05, 0.3];
  const zeroT = [0, 0, 0, 0];
  const thetaDual = theta.map((t, j) => new Dual(t, dtheta[j]));
  const theta2 = theta.map((t) => t + 1e-3);
  /** Value, twin, dual and a central difference agree along (dx, dy) = (1, 0) on 64 points. */
  const checkScalar = (
    name: string,
    f: (a: number, b: number) => number,
    jv: (...a: number[]) => [number, number],
    dualF: (a: Dual, b: Dual) => Dual,
  ): void => {
    for (let i = 0; i < 64; i++) {
      const [v, d] = jv(x(i), 1, y(i), 0);
      const e = dualF(new Dual(x(i), 1), new Dual(y(i), 0));
      agree(`${name} value`, v, f(x(i), y(i)));
      agree(`${name} dual value`, e.v, v);
      agree(`${name} dual tangent`, e.d, d);
      agree(`${name} tangent vs central difference`, d, (f(x(i) + 1e-6, y(i)) - f(x(i) - 1e-6, y(i))) / 2e-6, 1e-6);
    }
  };
  // `twice` is a control: the primal run twice per call (other arguments, so nothing is shared), which should
  // read 2.00; how far it is off shows the method's bias for that function.
  const cases: { fn: string; primal: Variant; jvp: Variant; dual: Variant; twice: Variant; check: () => void }[] = [
    {
      fn: 'beale',
      primal: (i) => tf.beale(x(i), y(i)),
      jvp: (i) => {
        const [, d] = bj(x(i), 1, y(i), 0);
        return d;
      },
      dual: (i) => bealeDual(new Dual(x(i), 1), new Dual(y(i), 0)).d,
      twice: (i) => tf.beale(x(i), y(i)) + tf.beale(y(i), x(i)),
      check: () => checkScalar('beale', tf.beale, bj, bealeDual),
    },
    {
      fn: 'rosenbrock',
      primal: (i) => tf.rosenbrock(x(i), y(i)),
      jvp: (i) => {
        const [, d] = rj(x(i), 1, y(i), 0);
        return d;
      },
      dual: (i) => rosenbrockDual(new Dual(x(i), 1), new Dual(y(i), 0)).d,
      twice: (i) => tf.rosenbrock(x(i), y(i)) + tf.rosenbrock(y(i), x(i)),
      check: () => checkScalar('rosenbrock', tf.rosenbrock, rj, rosenbrockDual),
    },
    {
      fn: 'chainLoss (large-numeric.ts: RK4, 6 masses × 50 steps)',
      primal: () => large.chainLoss(theta, target, 6, 50, 0.05),
      jvp: () => {
        const [, d] = cj(theta, dtheta, target, zeroT, 6, 0, 50, 0, 0.05, 0);
        return d;
      },
      dual: () => chainLossDual(thetaDual, target, 6, 50, 0.05).d,
      twice: () => large.chainLoss(theta, target, 6, 50, 0.05) + large.chainLoss(theta2, target, 6, 50, 0.05),
      check: () => {
        const [v, d] = cj(theta, dtheta, target, zeroT, 6, 0, 50, 0, 0.05, 0);
        const e = chainLossDual(thetaDual, target, 6, 50, 0.05);
        const at = (s: number) =>
          large.chainLoss(
            theta.map((t, j) => t + s * dtheta[j]),
            target,
            6,
            50,
            0.05,
          );
        agree('chainLoss value', v, large.chainLoss(theta, target, 6, 50, 0.05), 0);
        agree('chainLoss dual value', e.v, v, 0);
        agree('chainLoss tangent', e.d, d, 1e-12);
        const fd = (at(1e-5) - at(-1e-5)) / 2e-5; // the tangent is ~1e-3 here: compare relative to it
        if (!(Math.abs(d - fd) <= 1e-6 * Math.abs(fd)))
          throw new Error(`chainLoss tangent ${d} vs central difference ${fd}`);
      },
    },
  ];

  const rows: Row[] = [];
  for (const c of cases) {
    c.check();
    const m = measure([c.primal, c.jvp, c.dual, c.twice], opts);
    rows.push({
      fn: c.fn,
      primal_ns: m.ns[0],
      jvp_ns: m.ns[1],
      dual_ns: m.ns[2],
      primal_best_ns: m.best[0],
      jvp_best_ns: m.best[1],
      dual_best_ns: m.best[2],
      jvp_ratio_median: m.ratio[1],
      jvp_ratio_iqr: m.ratioIqr[1],
      jvp_ratio_best: m.bestRatio[1],
      dual_ratio_median: m.ratio[2],
      dual_ratio_iqr: m.ratioIqr[2],
      dual_ratio_best: m.bestRatio[2],
      control_twice_ratio_median: m.ratio[3],
      jvp_vs_control_median: median(m.rows.map((t) => (2 * t[1]) / t[3])),
      calls_per_batch: m.calls,
    });
  }

  if (!Number.isFinite(sink)) throw new Error('a timed variant returned a non-finite number');
  return rows;
}

/** Runs this script with --child once per process, one after the other, and collects their rows. */
function measureInProcesses(opts: Options): Row[][] {
  const tsNode = require.resolve('ts-node/dist/bin.js');
  const runs: Row[][] = [];
  for (let p = 0; p < opts.processes; p++) {
    const args = [
      tsNode,
      '-T',
      __filename,
      '--child',
      '--rounds',
      String(opts.rounds),
      '--batch-ms',
      String(opts.batchMs),
    ];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
    if (r.status !== 0) throw new Error(`measuring process ${p + 1} failed (exit ${r.status}):\n${r.stderr}`);
    runs.push(JSON.parse(r.stdout.slice(r.stdout.indexOf(ROWS_MARKER) + ROWS_MARKER.length)) as Row[]);
    process.stderr.write(`process ${p + 1}/${opts.processes} done\n`);
  }
  return runs;
}

const ROWS_MARKER = '\n@@rows@@\n';
const fmt = (x: number, d = 2): string => x.toFixed(d);

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.child) {
    process.stdout.write(ROWS_MARKER + JSON.stringify(measureCases(opts)));
    return;
  }
  const load0 = os.loadavg();
  const runs = measureInProcesses(opts);
  const load1 = os.loadavg();
  const summary = runs[0].map((r0, c) => {
    const per = runs.map((rows) => rows[c]);
    const across = (f: (r: Row) => number) => per.map(f);
    const range = (xs: number[]): [number, number] => [Math.min(...xs), Math.max(...xs)];
    return {
      fn: r0.fn,
      primal_ns: median(across((r) => r.primal_ns)),
      jvp_ns: median(across((r) => r.jvp_ns)),
      dual_ns: median(across((r) => r.dual_ns)),
      jvp_ratio_median: median(across((r) => r.jvp_ratio_median)),
      jvp_ratio_process_range: range(across((r) => r.jvp_ratio_median)),
      jvp_ratio_best: Math.min(...across((r) => r.jvp_best_ns)) / Math.min(...across((r) => r.primal_best_ns)),
      dual_ratio_median: median(across((r) => r.dual_ratio_median)),
      dual_ratio_best: Math.min(...across((r) => r.dual_best_ns)) / Math.min(...across((r) => r.primal_best_ns)),
      control_twice_ratio_median: median(across((r) => r.control_twice_ratio_median)),
      jvp_vs_control_median: median(across((r) => r.jvp_vs_control_median)),
    };
  });

  const cols: [string, number][] = [
    ['function', 58],
    ['primal ns', 11],
    ['JVP ns', 11],
    ['JVP/primal', 12],
    ['range', 12],
    ['best', 7],
    ['dual ns', 11],
    ['dual/primal', 13],
    ['best', 8],
    ['2×primal ctl', 14],
    ['JVP/(ctl/2)', 13],
  ];
  console.log(cols.map(([h, w], j) => (j === 0 ? h.padEnd(w) : h.padStart(w))).join(''));
  for (const r of summary) {
    const cells = [
      fmt(r.primal_ns, 1),
      fmt(r.jvp_ns, 1),
      fmt(r.jvp_ratio_median),
      `${fmt(r.jvp_ratio_process_range[0])}–${fmt(r.jvp_ratio_process_range[1])}`,
      fmt(r.jvp_ratio_best),
      fmt(r.dual_ns, 1),
      fmt(r.dual_ratio_median, 1),
      fmt(r.dual_ratio_best, 1),
      fmt(r.control_twice_ratio_median),
      fmt(r.jvp_vs_control_median),
    ];
    console.log(r.fn.padEnd(cols[0][1]) + cells.map((c, j) => c.padStart(cols[j + 1][1])).join(''));
  }
  const over = summary.filter((r) => r.jvp_ratio_median > 2);
  console.log(
    `goal JVP ≤ 2× primal (median ratio): ${over.length ? 'NOT met for ' + over.map((r) => r.fn).join(', ') : 'met'}`,
  );
  console.log(
    `${opts.processes} processes × ${opts.rounds} interleaved rounds, ~${opts.batchMs} ms per batch; ratio = median over processes of` +
      ` each one's median per-round ratio, range = over processes, best = ratio of minimum times; load average before` +
      ` ${load0.map((l) => fmt(l)).join(' ')}, after ${load1.map((l) => fmt(l)).join(' ')} on ${os.cpus().length} CPUs`,
  );
  const out = writeResult('scalar-jvp.json', {
    node: process.version,
    date: new Date().toISOString(),
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    loadavg_before: load0,
    loadavg_after: load1,
    processes: opts.processes,
    rounds: opts.rounds,
    batch_ms: opts.batchMs,
    goal: 'jvp_ratio_median <= 2',
    summary,
    per_process: runs,
  });
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

main();
