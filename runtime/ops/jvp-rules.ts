// THE forward-mode rule table: one line per tensor op, JAX-defjvp style — the op, its fused JVP
// (`xxxJvp(a, ȧ, b, ḃ, ...static) → [y, ẏ]`, undefined = zero tangent) and the rule it implements.
// `runtime/ops/manifest.ts` (read by the transformer) must list exactly these ops; a test checks it.
import { ELEMENTWISE_RULES } from './elementwise';
import { matmulJvp } from './matmul';
import { conv2dJvp } from './conv';
import { maxPool2dJvp } from './pool';
import { meanJvp, sumJvp } from './reduce';
import { reshapeJvp, transposeJvp } from './shape';
import { logSoftmaxJvp, softmaxCrossEntropyJvp } from './softmax';
import { itemJvp } from './item';

export interface JvpRule { readonly jvp: (...args: any[]) => [unknown, unknown]; readonly rule: string }

export const JVP_RULES: Readonly<Record<string, JvpRule>> = {
  // The elementwise ops' rules come from their table (kernels/elementwise.ts).
  ...Object.fromEntries(Object.entries(ELEMENTWISE_RULES).map(([op, r]) => [op, { jvp: r.jvp, rule: r.rule }])),
  matmul:              { jvp: matmulJvp,              rule: 'ẏ = ȧ·b + a·ḃ; [a;ȧ]·b is one gemm over stacked rows, a·ḃ accumulates (beta=1)' },
  conv2d:              { jvp: conv2dJvp,              rule: 'ẏ = conv(ẋ,w) + conv(x,ẇ); direct conv: [x; ẋ] stacked on the batch axis through w, then x through all ẇ_k as K·O channels; else im2col(x) once per chunk' },
  sum:                 { jvp: sumJvp,                 rule: 'ẏ = sum(ẋ) over the same axis' },
  mean:                { jvp: meanJvp,                rule: 'ẏ = mean(ẋ) over the same axis' },
  reshape:             { jvp: reshapeJvp,             rule: 'ẏ = reshape(ẋ) (a view)' },
  transpose:           { jvp: transposeJvp,           rule: 'ẏ = transpose(ẋ, perm) per direction' },
  logSoftmax:          { jvp: logSoftmaxJvp,          rule: 'ẏ = ẋ − Σ softmax(x)·ẋ per row' },
  maxPool2d:           { jvp: maxPool2dJvp,           rule: 'ẏ = ẋ[argmax] (ties go first), same pass' },
  softmaxCrossEntropy: { jvp: softmaxCrossEntropyJvp, rule: 'ẏ = mean_b(Σ_c p·ẋ − ẋ[label]) from the loss softmax' },
};

/** Tensor methods with rules (`t.item()` → [number, number tangent]). */
export const METHOD_RULES: Readonly<Record<string, JvpRule>> = {
  item: { jvp: itemJvp, rule: 'ẏ = ẋ.item()' },
};
