// Step costs measured side by side in one process: the base runtime (forward + loss, no
// derivatives), one FGD step and one backprop step (both through fgd's loop, so both include the
// parameter update), in interleaved rounds (the order rotates every round, so drift in the machine's
// speed hits all three alike), after an untimed warm-up round; medians over all timed steps.
// The divergence guard's parameter copy is off while timing (it is a cost of our loop, not of either
// method). Peak memory: bytes of pooled tensors alive at the peak of a step beyond those alive
// before it (the parameters and the minibatch), from memoryInfo() after resetPeakMemory(). Every
// buffer a step needs comes from the tensor pool — FGD's tangents holding v, backprop's gradient,
// activations, cotangents — so the pool's peak is the whole measure (runtime/fgd/estimators.ts).
import { fgd, tidy, memoryInfo, resetPeakMemory } from '../../runtime/index';
import type { Tensor } from '../../runtime/index';
import type { Model } from '../../runtime/models/index';
import type { MethodName } from './results';

export type Inputs = (step: number) => readonly [Tensor, Int32Array];

export interface Timings {
  base: number[];
  fgd: number[];
  backprop: number[];
  /** Pooled-tensor peak beyond what was alive before the steps (memoryInfo). */
  poolPeakBytes: Partial<Record<MethodName, number>>;
  status: Partial<Record<MethodName, string>>;
}

/** Options fgd takes to run `method` (backprop through the same loop: the reverse-mode engineer's `method`). */
export function methodOptions(method: MethodName, seed: number, directions: number): Record<string, unknown> {
  return method === 'backprop' ? { method: 'backprop' } : { seed, directions };
}

/** n steps of `method` from `params` (updated in place, lr tiny), each step's ms. */
function timeSteps(
  model: Model,
  params: unknown,
  inputs: Inputs,
  method: MethodName,
  n: number,
  seed: number,
  directions: number,
  from: number,
): { ms: number[]; peakBytes: number; status: string } {
  const ms: number[] = [];
  let prev = 0;
  resetPeakMemory();
  const before = memoryInfo().liveBytes;
  const r = fgd(model.loss, [params], {
    ...methodOptions(method, seed, directions),
    lr: 1e-12,
    decay: 0,
    iterations: n,
    guard: false,
    progress: false,
    inputs: (t: number) => inputs(from + t),
    onStep: (i) => {
      ms.push(i.elapsedMs - prev);
      prev = i.elapsedMs;
    },
  } as Parameters<typeof fgd>[2]);
  return { ms, peakBytes: memoryInfo().peakBytes - before, status: r.status };
}

function timeBase(model: Model, params: unknown, inputs: Inputs, n: number, from: number): number[] {
  const ms: number[] = [];
  for (let i = 1; i <= n; i++) {
    const t0 = performance.now();
    tidy(() => {
      const [x, labels] = inputs(from + i);
      return model.loss(params, x, labels).item();
    });
    ms.push(performance.now() - t0);
  }
  return ms;
}

export function measureSteps(
  model: Model,
  params: unknown,
  inputs: Inputs,
  methods: readonly MethodName[],
  o: { rounds: number; stepsPerRound: number; seed: number; directions: number },
): Timings {
  const out: Timings = { base: [], fgd: [], backprop: [], poolPeakBytes: {}, status: {} };
  const kinds: Array<'base' | MethodName> = ['base', ...methods];
  let from = 0;
  for (let round = 0; round <= o.rounds; round++) {
    const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]);
    for (const kind of order) {
      if (kind === 'base') {
        const ms = timeBase(model, params, inputs, o.stepsPerRound, from);
        if (round > 0) out.base.push(...ms);
      } else {
        const r = timeSteps(model, params, inputs, kind, o.stepsPerRound, o.seed, o.directions, from);
        if (round > 0) {
          out[kind].push(...r.ms);
          out.poolPeakBytes[kind] = Math.max(out.poolPeakBytes[kind] ?? 0, r.peakBytes);
        }
        if (r.status !== 'completed') out.status[kind] = r.status;
      }
      from += o.stepsPerRound;
    }
  }
  return out;
}
