// Optimizers by name: `'sgd'`, `'momentum'`, `'adam'`, or `{ name, ...hyper-parameters }`.
import type { Buf } from '../../leaves';
import type { Optimizer } from './optimizer';
import { Sgd } from './sgd';
import { Momentum, MomentumOptions } from './momentum';
import { Adam, AdamOptions } from './adam';
import { checkOptions } from '../../options';

export type { Optimizer, OptimizerState } from './optimizer';
export { Sgd, Momentum, Adam };

export type OptimizerSpec =
  | 'sgd'
  | 'momentum'
  | 'adam'
  | { name: 'sgd' }
  | ({ name: 'momentum' } & MomentumOptions)
  | ({ name: 'adam' } & AdamOptions);

/** The keys of each `{ name, ...options }` spec: a misspelt hyper-parameter must not fall back to its default. */
const SPEC_KEYS: Record<string, readonly string[]> = {
  sgd: ['name'],
  momentum: ['name', 'momentum', 'nesterov'],
  adam: ['name', 'beta1', 'beta2', 'epsilon'],
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each factory's options, checked against SPEC_KEYS first
const FACTORIES: Record<string, (params: readonly Buf[], options: any) => Optimizer> = {
  sgd: () => new Sgd(),
  momentum: (p, o) => new Momentum(p, o),
  adam: (p, o) => new Adam(p, o),
};

/** The optimizer for `spec`, with per-element state shaped like `params`. */
export function createOptimizer(spec: OptimizerSpec | undefined, params: readonly Buf[]): Optimizer {
  const s = spec ?? 'sgd';
  const name = typeof s === 'string' ? s : s?.name;
  const make = FACTORIES[name as string];
  if (!make)
    throw new Error(
      `optimizer must be one of ${Object.keys(FACTORIES)
        .map((k) => `'${k}'`)
        .join(', ')} (or { name, ...options }), got ${JSON.stringify(spec)}`,
    );
  if (typeof s !== 'string') checkOptions(s, SPEC_KEYS[name as string], `optimizer '${name}'`);
  return make(params, typeof s === 'string' ? {} : s);
}
