// Shared by the transformer (build time) and the tensor runtime: which exported tensor ops exist,
// the names of each op's JVP and VJP exports, and which arguments carry tangents. Pure data: no imports.
// Must list exactly the ops of runtime/ops/rules.ts (OP_RULES, METHOD_RULES) with the same exports
// (checked by test/tensor/manifest.test.ts); the public primal ops are built from it (runtime/autodiff/primal.ts).

export type ArgKind = 'diff' | 'static';
export interface OpEntry {
  readonly jvp: string;
  readonly vjp: string;
  readonly args: readonly ArgKind[];
}

const D = 'diff',
  S = 'static';

/** Free functions exported by `forwardgrad`. */
// prettier-ignore
export const TENSOR_OPS: Readonly<Record<string, OpEntry>> = {
  matmul:              { jvp: 'matmulJvp',              vjp: 'matmulVjp',               args: [D, D] },
  conv2d:              { jvp: 'conv2dJvp',              vjp: 'conv2dVjp',               args: [D, D, S] },  // (x, w, options?)
  add:                 { jvp: 'addJvp',                 vjp: 'addVjp',                  args: [D, D] },  // Tensor or number operands
  sub:                 { jvp: 'subJvp',                 vjp: 'subVjp',                  args: [D, D] },
  mul:                 { jvp: 'mulJvp',                 vjp: 'mulVjp',                  args: [D, D] },
  div:                 { jvp: 'divJvp',                 vjp: 'divVjp',                  args: [D, D] },
  neg:                 { jvp: 'negJvp',                 vjp: 'negVjp',                  args: [D] },
  square:              { jvp: 'squareJvp',              vjp: 'squareVjp',               args: [D] },
  relu:                { jvp: 'reluJvp',                vjp: 'reluVjp',                 args: [D] },
  tanh:                { jvp: 'tanhJvp',                vjp: 'tanhVjp',                 args: [D] },
  sigmoid:             { jvp: 'sigmoidJvp',             vjp: 'sigmoidVjp',              args: [D] },
  exp:                 { jvp: 'expJvp',                 vjp: 'expVjp',                  args: [D] },
  log:                 { jvp: 'logJvp',                 vjp: 'logVjp',                  args: [D] },
  softplus:            { jvp: 'softplusJvp',            vjp: 'softplusVjp',             args: [D] },
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
