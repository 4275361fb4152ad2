// Extra memory of one training step against depth (issue 9 goal: "extra memory of an FGD step flat
// in depth, and ≤ 0.1× our backprop's at L = 30"): the paper's depth-scaling MLP (deepMlp(L),
// width 1024, batch 64), one fgd step with filled directions, one with lazy directions
// (runtime/tensor/direction-storage.ts) and one backprop step, each as peakBytes − liveBytes of the
// tensor pool around a one-step run (tangents, activations, cotangents, op scratch; the arena of
// the wasm backend is fixed memory and not counted). Memory only: time one step elsewhere
// (bench/models.ts), single steps on this shared host say nothing.
//
// Run: node -r ./test/support/register-transform.js bench/depth-memory.ts [--depths 1,4,10,30]
//      (prints a table, writes bench/out/depth-memory.json)
import * as os from 'os';
import { writeResult } from './output';
import { getBackend } from '../kernels/select';
import { fillNormal } from '../kernels/rng';
import { fgd } from '../runtime/fgd';
import { deepMlpLoss, initDeepMlp } from '../runtime/models/deep-mlp';
import { tensor } from '../runtime/tensor/create';
import { dispose, memoryInfo, resetPeakMemory } from '../runtime/tensor/pool';
import { Tensor } from '../runtime/tensor/tensor';

const at = process.argv.indexOf('--depths');
const DEPTHS = at > 0 ? process.argv[at + 1].split(',').map(Number) : [1, 4, 10, 30];
const BATCH = 64;
const x = tensor(fillNormal(new Float32Array(BATCH * 784), 2, 0, 0) as Float32Array, [BATCH, 784]);
const labels = Int32Array.from({ length: BATCH }, (_, i) => i % 10);

type Method = 'fgd' | 'fgdLazy' | 'backprop';
/** Extra bytes of a two-step run (one step's buffers live at a time). */
function step(params: unknown, method: Method): number {
  const before = memoryInfo().liveBytes;
  resetPeakMemory();
  fgd(deepMlpLoss, [params], {
    lr: 1e-9,
    decay: 0,
    iterations: 2,
    inputs: () => [x, labels],
    progress: false,
    guard: false, // its snapshot of θ is parameter-sized for every method
    ...(method === 'backprop' ? { method: 'backprop' as const } : { seed: 5, regenerate: method === 'fgdLazy' }),
  });
  return +((memoryInfo().peakBytes - before) / 2 ** 20).toFixed(2);
}

const rows: Record<string, number>[] = [];
for (const L of DEPTHS) {
  const p = initDeepMlp(L, 1);
  const paramMB = +((4 * [...p.layers, p.out].reduce((s, t: Tensor) => s + t.size, 0)) / 2 ** 20).toFixed(2);
  const row: Record<string, number> = { L, paramMB };
  for (const m of ['fgd', 'fgdLazy', 'backprop'] as const) row[`${m}MB`] = step(p, m);
  row.lazyOverBackprop = +(row.fgdLazyMB / row.backpropMB).toFixed(3);
  rows.push(row);
  dispose([...p.layers, p.out]);
}
const result = {
  backend: getBackend().name,
  date: new Date().toISOString(),
  loadavg: os.loadavg().map((l) => +l.toFixed(2)),
  model: 'deepMlp(L), width 1024, batch 64, K = 1, sgd',
  rows,
  notes:
    'MB = peakBytes − liveBytes of the tensor pool over a two-step run (one step at a time is live), guard off. ' +
    'fgd: filled tangents (v for every weight); fgdLazy: lazy directions (v generated in the gemm and in the update).',
};
console.log(`backend ${result.backend}, ${result.model}, load ${result.loadavg.join(' ')}`);
console.table(rows);
console.log(`wrote ${writeResult('depth-memory.json', result)}`);
