// JVP rules for tensor ops, generated from the manifest the runtime also reads (runtime/ops/manifest.ts):
// a call of manifest op `op` imported from the runtime module becomes `const [y, dy] = <jvp>(a, da, …, static…)`.
import * as manifest from '../../runtime/ops/manifest';
import type { OpEntry } from '../../runtime/ops/manifest';

export interface TensorRules {
  readonly ops: Readonly<Record<string, OpEntry>>;
  readonly methods: Readonly<Record<string, OpEntry>>;
  readonly inactiveProperties: readonly string[];
}

export const DEFAULT_TENSOR_RULES: TensorRules = {
  ops: manifest.TENSOR_OPS,
  methods: manifest.TENSOR_METHODS,
  inactiveProperties: manifest.TENSOR_INACTIVE_PROPERTIES,
};

/** Properties whose values never carry a tangent, whatever the receiver: sizes and shapes. */
export function isInactiveProperty(name: string, rules: TensorRules): boolean {
  return name === 'length' || rules.inactiveProperties.includes(name);
}
