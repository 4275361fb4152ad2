// Tensor fgd in steady state (issue 3, "steady-state training allocates nothing per step"): on the
// annotated MLP fixture with a fresh minibatch tensor per step, steps 2..N take every buffer from the
// pool (no new allocation), and the run is bit-identical to Algorithm 1 written out by hand
// (v = normal stream (seed, step−1) at each leaf's offset, d = twin tangent, θ ← θ − η·d·v in float32).
import { fgd } from '../../runtime/fgd';
import type { FgdOptions } from '../../runtime/fgd';
import { lookupJvp } from '../../runtime/registry';
import { tensor } from '../../runtime/tensor/create';
import { memoryInfo, tidy } from '../../runtime/tensor/pool';
import { Tensor } from '../../runtime/tensor/tensor';
import { execFileSync } from 'child_process';
import * as path from 'path';
import { fillNormal, rngImplementation } from '../../kernels/rng';
import { MlpParams, initMlp, mlpLoss } from '../../fixtures/mlp';

const SIZES: [number, number, number, number] = [12, 16, 8, 5];
const B = 6,
  BATCHES = 3;
// A small data set; each step's minibatch is a new tensor made by `inputs` (as a data loader would).
const data = Float32Array.from({ length: BATCHES * B * SIZES[0] }, (_, i) => Math.sin(0.37 * i) * 1.5);
const labels = Array.from({ length: BATCHES }, (_, s) =>
  Int32Array.from({ length: B }, (_, i) => (i + 2 * s) % SIZES[3]),
);
const batch = (t: number) => t % BATCHES;
const inputs = (t: number) => [
  tensor(data.subarray(batch(t) * B * SIZES[0], (batch(t) + 1) * B * SIZES[0]), [B, SIZES[0]]),
  labels[batch(t)],
];
const leaves = (p: MlpParams): Tensor[] => Object.values(p);
const bits = (p: MlpParams): number[] =>
  leaves(p).flatMap((t) => Array.from(new Uint32Array(Float32Array.from(t.toArray()).buffer)));

/** Pool allocations after each step of an fgd run. */
function allocationsPerStep(options: Partial<FgdOptions>, iterations = 6): number[] {
  const p = initMlp(3, SIZES);
  const counts: number[] = [];
  const r = fgd(mlpLoss, [p], {
    lr: 0.02,
    iterations,
    seed: 5,
    inputs,
    progress: false,
    ...options,
    onStep: () => {
      counts.push(memoryInfo().allocations);
    },
  });
  expect(r.status).toBe('completed');
  return counts;
}

describe('tensor fgd: steady state allocates no pool buffers', () => {
  test.each([
    ['K=1, sgd', {}],
    ['K=1, adam', { optimizer: 'adam' as const }],
    ['K=3 vector mode', { directions: 3 }],
    ['K=2 separate runs', { directions: 2, vectorized: false }],
    ['K=1, rademacher', { distribution: 'rademacher' as const }],
  ])('%s', (_name, options) => {
    const counts = allocationsPerStep(options as Partial<FgdOptions>);
    expect(counts).toHaveLength(6);
    // Step 1 fills the pool; steps 2..6 reuse it.
    expect(counts.slice(1)).toEqual(counts.slice(1).map(() => counts[0]));
  });

  test('without tidy around the step the same twin call would allocate (the counter can fail)', () => {
    const p = initMlp(3, SIZES),
      twin = lookupJvp(mlpLoss)!;
    const run = () => {
      const [x, l] = inputs(1);
      (twin.fn(p, p, x, undefined, l) as Tensor[])[1].item();
    };
    run();
    const before = memoryInfo().allocations;
    run();
    expect(memoryInfo().allocations).toBeGreaterThan(before);
    tidy(run);
    const settled = memoryInfo().allocations;
    tidy(run);
    expect(memoryInfo().allocations).toBe(settled);
  });
});

describe('tensor fgd: bit-identical to Algorithm 1 by hand', () => {
  test('K=1, sgd, constant rate: same losses and parameter bits', () => {
    const seed = 11,
      lr = 0.03,
      N = 5;
    const p = initMlp(4, SIZES),
      q = initMlp(4, SIZES);
    const r = fgd(mlpLoss, [p], { lr, decay: 0, iterations: N, seed, inputs, progress: false });

    const twin = lookupJvp(mlpLoss)!,
      names = Object.keys(q) as (keyof MlpParams)[];
    const losses: number[] = [];
    for (let t = 1; t <= N; t++) {
      let offset = 0;
      const v = {} as Record<keyof MlpParams, Tensor>;
      for (const k of names) {
        v[k] = new Tensor(fillNormal(new Float32Array(q[k].size), seed, t - 1, offset) as Float32Array, q[k].shape);
        offset += q[k].size;
      }
      const [loss, d] = tidy(() => {
        const [x, l] = inputs(t);
        const [y, dy] = twin.fn(q, v, x, undefined, l) as [Tensor, Tensor];
        return [y.item(), dy.item()];
      });
      losses.push(loss);
      for (const k of names) {
        const w = q[k].toArray(),
          vk = v[k].toArray();
        for (let i = 0; i < w.length; i++) w[i] -= lr * Math.fround(d * vk[i]);
      }
    }
    expect(r.losses).toEqual(losses);
    expect(bits(p)).toEqual(bits(q));
    expect(losses[N - 1]).not.toBe(losses[0]); // the parameters did move
  });

  test('K=3: vector mode (in-place estimate over tangent row 0) equals 3 separate runs, bit for bit', () => {
    const a = initMlp(6, SIZES),
      b = initMlp(6, SIZES);
    const opts = {
      lr: 0.02,
      iterations: 4,
      seed: 8,
      directions: 3,
      inputs,
      progress: false,
      optimizer: 'momentum' as const,
    };
    const ra = fgd(mlpLoss, [a], opts),
      rb = fgd(mlpLoss, [b], { ...opts, vectorized: false });
    expect(ra.losses).toEqual(rb.losses);
    expect(bits(a)).toEqual(bits(b));
  });
});

describe('directions do not depend on the Philox implementation', () => {
  // kernels/rng.ts generates words in WebAssembly when it can and in JavaScript otherwise; a run's
  // directions (so its parameters) must be the same either way. The JavaScript path runs in a child
  // process started with WebAssembly hidden.
  const RNG = path.resolve(__dirname, '../../kernels/rng.ts');
  const slices = `[[0, 5000, 3, 1], [4093, 9000, 2 ** 40 + 17, 2 ** 33 + 5], [2 ** 34 + 3, 77, 9, 0]]`;
  const sample = `(r) => ${slices}.map(([off, n, seed, stream]) => ['fillNormal', 'fillRademacher', 'fillUniform']
    .map((f) => Array.from(r[f](new Float64Array(n), seed, stream, off))))`;

  test('normal, Rademacher and uniform slices are identical with and without WebAssembly', () => {
    expect(rngImplementation).toBe('wasm');
    const here = JSON.stringify((eval(sample) as (r: unknown) => unknown)(require(RNG)));
    const code = `const r = require(${JSON.stringify(RNG)}); if (r.rngImplementation !== 'js') throw new Error('expected the js path');
      process.stdout.write(JSON.stringify((${sample})(r)));`;
    const there = execFileSync(
      process.execPath,
      ['--no-expose-wasm', '-r', 'ts-node/register/transpile-only', '-e', code],
      { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    expect(there.length).toBeGreaterThan(100000);
    expect(there === here).toBe(true);
  });
});
