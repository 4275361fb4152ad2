// What one tensor op is, in one table entry beside its kernels' callers (JAX's primitive + defjvp +
// transpose on adjacent lines): its fused forward-mode rule and its reverse-mode rule.
// Each op family file (elementwise.ts, matmul.ts, conv.ts, …) exports a table of these; the
// merged table (runtime/ops/rules.ts) is what the tape and the tests read, and
// runtime/ops/manifest.ts (read by the transformer) must name exactly the same ops.
import type { Tensor } from '../tensor/tensor';

/**
 * Reverse-mode rule of an op: given ȳ (the cotangent of the op's output, same shape as y, never
 * with a direction axis), the output y and the op's arguments exactly as the user passed them
 * (diff and static, in order), return one cotangent per argument: a new Tensor of that argument's
 * shape (broadcasts summed back), or undefined for static and number arguments and wherever
 * `needs[i]` is false. Returned tensors are fresh (the tape owns and frees them); the rule never
 * disposes ȳ, y or the arguments. `saved` is what the op's `taped` forward kept (kernel state such
 * as maxPool2d's argmax or the loss softmax); without it (a rule called on its own) the rule
 * recomputes that state. The rule never frees `saved`: the tape disposes it after the VJP.
 */
export type VjpFn = (
  gy: Tensor,
  y: Tensor,
  args: readonly unknown[],
  needs: readonly boolean[],
  saved?: unknown,
) => (Tensor | undefined)[];

export interface OpRule {
  /** Fused primal+tangent: `xxxJvp(a, ȧ, b, ḃ, ...static) → [y, ẏ]` (undefined tangent = zero). */
  readonly jvp: (...args: any[]) => [unknown, unknown];
  /** Cotangents of the arguments (see VjpFn). */
  readonly vjp: VjpFn;
  /** The forward rule in math, e.g. 'ẏ = ȧ·b + a·ḃ'. */
  readonly rule: string;
  /** The reverse rule in math, e.g. 'ā = ȳ·bᵀ, b̄ = aᵀ·ȳ'. */
  readonly vjpRule: string;
  /**
   * Optional forward pass used while taping, for ops whose VJP reuses kernel state of the forward
   * pass: returns y and the state (anything with `dispose()`: a pooled tensor, an IntScratch).
   */
  readonly taped?: (args: readonly unknown[]) => { y: Tensor; saved: { dispose(): void } };
}
