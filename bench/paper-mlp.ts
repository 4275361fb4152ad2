// What the step benches share (bench/fgd-step.ts, bench/backprop-step.ts): their command-line
// numbers, the timing helpers, and the paper's MLP (784-1024-1024-10, batch 64) compiled through
// the transformer from fixtures/mlp.ts as a user writes it, with its parameters and one minibatch.
import * as fs from 'fs';
import * as path from 'path';
import { compile, expectNoDiagnostics, load } from '../test/support/compile';
import { fillNormal } from '../kernels/rng';
import { tensor } from '../runtime/tensor/create';
import { Tensor } from '../runtime/tensor/tensor';

/** `--name value` from the command line, or `def`. */
export const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** ms of each of `reps` calls of fn. */
export function timeIt(fn: () => void, reps: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

export const SIZES: [number, number, number, number] = [784, 1024, 1024, 10];
export const BATCH = 64;

/** The fixture's MLP with seed-1 parameters, one normal minibatch x and its labels. */
export function paperMlp(): {
  mlpLoss: Function;
  params: Record<string, Tensor>;
  n: number;
  x: Tensor;
  labels: Int32Array;
} {
  const src = fs
    .readFileSync(path.resolve(__dirname, '../fixtures/mlp.ts'), 'utf8')
    .replace(/'\.\.\/runtime\/index'/g, "'forwardgrad'");
  const compiled = compile({ 'mlp.ts': src });
  expectNoDiagnostics(compiled);
  const mlp = load<{ mlpLoss: Function; initMlp: (seed: number, sizes: typeof SIZES) => Record<string, Tensor> }>(
    compiled,
    'mlp.ts',
  );
  const params = mlp.initMlp(1, SIZES);
  const n = Object.values(params).reduce((s, t) => s + t.size, 0);
  const x = tensor(fillNormal(new Float32Array(BATCH * SIZES[0]), 2, 0, 0) as Float32Array, [BATCH, SIZES[0]]);
  const labels = Int32Array.from({ length: BATCH }, (_, i) => i % SIZES[3]);
  return { mlpLoss: mlp.mlpLoss, params, n, x, labels };
}
