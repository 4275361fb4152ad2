// Shared by the transformer (build time) and the tensor runtime: which exported tensor ops exist,
// the names of each op's JVP and VJP exports, and which arguments carry tangents. Pure data: it
// imports only the elementwise op table (kernels/elementwise.ts, itself import-free data), whose
// entries become manifest entries here, so a new elementwise op needs no line in this file.
// Must list exactly the ops of runtime/ops/rules.ts (OP_RULES, METHOD_RULES) with the same exports
// (checked by test/tensor/manifest.test.ts); the public primal ops are built from it (runtime/autodiff/primal.ts).

import { BINARY_OPS, UNARY_OPS } from '../../kernels/elementwise';

export type ArgKind = 'diff' | 'static';
export interface OpEntry { readonly jvp: string; readonly vjp: string; readonly args: readonly ArgKind[] }

const D = 'diff', S = 'static';

/** `op: { jvp: 'opJvp', vjp: 'opVjp', args }` for each elementwise op of the table. */
const elementwise = (ops: readonly string[], args: readonly ArgKind[]): Record<string, OpEntry> =>
  Object.fromEntries(ops.map((op) => [op, { jvp: `${op}Jvp`, vjp: `${op}Vjp`, args }]));

/** Free functions exported by `forwardgrad`. */
// prettier-ignore
export const TENSOR_OPS: Readonly<Record<string, OpEntry>> = {
  matmul:              { jvp: 'matmulJvp',              vjp: 'matmulVjp',               args: [D, D] },
  conv2d:              { jvp: 'conv2dJvp',              vjp: 'conv2dVjp',               args: [D, D, S] },  // (x, w, options?)
  ...elementwise(BINARY_OPS, [D, D]),  // add, sub, mul, div: Tensor or number operands
  ...elementwise(UNARY_OPS, [D]),      // neg, square, relu, tanh, sigmoid, exp, log, softplus, …
  sum:                 { jvp: 'sumJvp',                 vjp: 'sumVjp',                  args: [D, S] },  // (x, axis?)
  mean:                { jvp: 'meanJvp',                vjp: 'meanVjp',                 args: [D, S] },  // (x, axis?)
  reshape:             { jvp: 'reshapeJvp',             vjp: 'reshapeVjp',              args: [D, S] },  // (x, shape)
  transpose:           { jvp: 'transposeJvp',           vjp: 'transposeVjp',            args: [D, S] },  // (x, perm?)
  logSoftmax:          { jvp: 'logSoftmaxJvp',          vjp: 'logSoftmaxVjp',           args: [D] },
  maxPool2d:           { jvp: 'maxPool2dJvp',           vjp: 'maxPool2dVjp',            args: [D, S] },  // (x, options?)
  softmaxCrossEntropy: { jvp: 'softmaxCrossEntropyJvp', vjp: 'softmaxCrossEntropyVjp',  args: [D, S] },  // (logits, labels)
};

/** Tensor methods the transformer understands (receiver is always 'diff'). */
// prettier-ignore
export const TENSOR_METHODS: Readonly<Record<string, OpEntry>> = {
  item: { jvp: 'itemJvp', vjp: 'itemVjp',                 args: [] },                               // t.item() → itemJvp(t, dt) → [number, number]
};

/** Tensor properties that are never active (reading them needs no tangent). */
export const TENSOR_INACTIVE_PROPERTIES: readonly string[] = ['shape', 'size', 'rank'];
