// Shared by the transformer (build time) and the tensor runtime: which exported tensor ops exist,
// the name of each op's JVP export, and which arguments carry tangents. Pure data: no imports.
// Must list exactly the ops of runtime/ops/jvp-rules.ts (checked by test/tensor/manifest.test.ts).

export type ArgKind = 'diff' | 'static';
export interface OpEntry {
  readonly jvp: string;
  /** The exported VJP (reverse mode); optional until every family has its VJPs. */
  readonly vjp?: string;
  readonly args: readonly ArgKind[];
}

const D = 'diff', S = 'static';

/** Free functions exported by `forwardgrad`. */
export const TENSOR_OPS: Readonly<Record<string, OpEntry>> = {
  matmul:              { jvp: 'matmulJvp',              args: [D, D] },
  conv2d:              { jvp: 'conv2dJvp',              args: [D, D, S] },       // (x, w, options?)
  add:                 { jvp: 'addJvp',                 args: [D, D] },          // Tensor or number operands
  sub:                 { jvp: 'subJvp',                 args: [D, D] },
  mul:                 { jvp: 'mulJvp',                 args: [D, D] },
  div:                 { jvp: 'divJvp',                 args: [D, D] },
  neg:                 { jvp: 'negJvp',                 args: [D] },
  square:              { jvp: 'squareJvp',              args: [D] },
  relu:                { jvp: 'reluJvp',                args: [D] },
  tanh:                { jvp: 'tanhJvp',                args: [D] },
  sigmoid:             { jvp: 'sigmoidJvp',             args: [D] },
  exp:                 { jvp: 'expJvp',                 args: [D] },
  log:                 { jvp: 'logJvp',                 args: [D] },
  softplus:            { jvp: 'softplusJvp', vjp: 'softplusVjp', args: [D] },
  sum:                 { jvp: 'sumJvp',                 args: [D, S] },          // (x, axis?)
  mean:                { jvp: 'meanJvp',                args: [D, S] },          // (x, axis?)
  reshape:             { jvp: 'reshapeJvp',             args: [D, S] },          // (x, shape)
  transpose:           { jvp: 'transposeJvp',           args: [D, S] },          // (x, perm?)
  logSoftmax:          { jvp: 'logSoftmaxJvp',          args: [D] },
  maxPool2d:           { jvp: 'maxPool2dJvp',           args: [D, S] },          // (x, options?)
  softmaxCrossEntropy: { jvp: 'softmaxCrossEntropyJvp', args: [D, S] },          // (logits, labels)
};

/** Tensor methods the transformer understands (receiver is always 'diff'). */
export const TENSOR_METHODS: Readonly<Record<string, OpEntry>> = {
  item: { jvp: 'itemJvp', args: [] },  // t.item() → itemJvp(t, dt) → [number, number]
};

/** Tensor properties that are never active (reading them needs no tangent). */
export const TENSOR_INACTIVE_PROPERTIES: readonly string[] = ['shape', 'size', 'rank'];
