// THE op rule table: every tensor op's forward rule (fused JVP) and reverse rule (VJP), merged from
// the op families' tables (each family file keeps its JVP and VJP side by side). The tape, `grad`
// and the tests read it; runtime/ops/manifest.ts (read by the transformer) must name exactly these
// ops with the same JVP and VJP export names (test/tensor/manifest.test.ts checks it).
import type { OpRule } from './rule';
import { ELEMENTWISE_RULES } from './elementwise';
import { MATMUL_RULES } from './matmul';
import { CONV_RULES } from './conv';
import { POOL_RULES } from './pool';
import { REDUCE_RULES } from './reduce';
import { SHAPE_RULES } from './shape';
import { SOFTMAX_RULES } from './softmax';
export { METHOD_RULES } from './item';

// prettier-ignore
export const OP_RULES: Readonly<Record<string, OpRule>> = {
  ...MATMUL_RULES, ...CONV_RULES, ...ELEMENTWISE_RULES, ...REDUCE_RULES, ...SHAPE_RULES, ...SOFTMAX_RULES, ...POOL_RULES,
};
