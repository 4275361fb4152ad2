// The paper's depth-scaling experiment (§5.6, Figure 6): an MLP of L hidden layers of width 1024
// (no bias), one step of each method on a minibatch of 64 real digits: median time and the peak
// bytes of tensors alive during a step beyond those held before it (parameters, minibatch), for
// L = 1, 2, 4, 10, 30, 100 by default. Measured as in ./timing.ts (interleaved rounds, medians).
import { Batches, isTensor } from '../../runtime/index';
import type { Tensor } from '../../runtime/index';
import { deepMlp } from '../../runtime/models/index';
import { median } from './measures';
import { MethodName, ScalingPoint, ScalingResults, newRunId } from './results';
import { Inputs, measureSteps } from './timing';
import { loadData } from './train';

export const DEFAULT_DEPTHS = [1, 2, 4, 10, 30, 100];
export const DEEP_WIDTH = 1024;

export interface ScalingOptions {
  depths: number[];
  methods: MethodName[];
  seed: number;
  directions: number;
  rounds: number;
  stepsPerRound: number;
  data?: string;
  trainLimit?: number;
  say: (line: string) => void;
}

/** Number of trainable numbers in a parameter object (its Tensors, at any depth). */
export function countParameters(p: unknown): number {
  if (isTensor(p)) return (p as Tensor).shape.reduce((a, b) => a * b, 1);
  if (Array.isArray(p)) return p.reduce((a: number, q) => a + countParameters(q), 0);
  if (p && typeof p === 'object') return Object.values(p).reduce((a: number, q) => a + countParameters(q), 0);
  return 0;
}

export function runScaling(o: ScalingOptions): ScalingResults {
  const t0 = performance.now();
  const data = loadData({ data: o.data, trainLimit: o.trainLimit, model: 'mlp' });
  const points: ScalingPoint[] = [];
  for (const depth of o.depths) {
    const model = deepMlp(depth);
    o.say(`depth ${depth}: timing ${o.methods.join(' and ')} (${o.rounds} rounds × ${o.stepsPerRound} steps)`);
    const batches = new Batches(data.train, { batchSize: 64, seed: o.seed, layout: model.layout });
    const inputs: Inputs = (t) => {
      const b = batches.batch(t);
      return [b.x as Tensor, b.labels];
    };
    try {
      const params = model.init(o.seed);
      const t = measureSteps(model, params, inputs, o.methods, {
        rounds: o.rounds,
        stepsPerRound: o.stepsPerRound,
        seed: o.seed,
        directions: o.directions,
      });
      const parameters = countParameters(params);
      points.push({
        depth,
        parameters,
        baseMs: median(t.base),
        methods: o.methods.map((m) => {
          return {
            method: m,
            ms: median(t[m]),
            peakBytes: t.poolPeakBytes[m] ?? NaN,
            status: (t.status[m] ?? 'completed') as ScalingPoint['methods'][number]['status'],
          };
        }),
      });
    } finally {
      batches.dispose();
    }
  }
  return {
    kind: 'forwardgrad-scaling',
    version: 1,
    runId: newRunId(),
    createdAt: new Date().toISOString(),
    settings: {
      depths: o.depths,
      batchSize: 64,
      rounds: o.rounds,
      stepsPerRound: o.stepsPerRound,
      seed: o.seed,
      width: DEEP_WIDTH,
    },
    points,
    totalMs: performance.now() - t0,
  };
}
