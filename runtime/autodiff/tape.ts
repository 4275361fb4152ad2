// The tape: while `grad` (or fgd's backprop estimator) runs a function, every public tensor op with
// a tracked tensor argument appends one node {op, args, y}; its output becomes tracked. Untracked
// ops (no tape, or no tracked argument) record nothing and cost one check (runtime/autodiff/primal.ts).
import { Tensor } from '../tensor/tensor';
import type { OpRule } from '../ops/rule';
// No import of runtime/ops/manifest.ts here, not even a type: the transformer loads that file, and
// the CLI's require hook must not see it inside an annotated file's import closure (fgd → tape).

export interface TapeNode {
  readonly op: string;
  readonly rule: OpRule;
  /** The op's arguments exactly as passed (diff and static). */
  readonly args: readonly unknown[];
  readonly y: Tensor;
  /** Per argument: a tracked Tensor in a diff slot (its cotangent is wanted). */
  readonly needs: readonly boolean[];
  /** Kernel state kept by the rule's `taped` forward pass (freed after the node's VJP). */
  saved: { dispose(): void } | undefined;
}

export class Tape {
  readonly nodes: TapeNode[] = [];
  private readonly tracked = new Set<Tensor>();

  /** Marks t as a differentiation leaf (or an op output): ops using it will be recorded. */
  track(t: Tensor): void {
    this.tracked.add(t);
  }
  isTracked(x: unknown): boolean {
    return x instanceof Tensor && this.tracked.has(x);
  }

  /** Runs the op (through its taped forward when it has one) and appends its node. */
  record(
    op: string,
    rule: OpRule,
    kinds: readonly ('diff' | 'static')[],
    args: unknown[],
    forward: () => Tensor,
  ): Tensor {
    let y: Tensor, saved: { dispose(): void } | undefined;
    if (rule.taped) ({ y, saved } = rule.taped(args));
    else y = forward();
    const needs = args.map((a, i) => kinds[i] === 'diff' && this.isTracked(a));
    this.nodes.push({ op, rule, args, y, needs, saved });
    this.tracked.add(y);
    return y;
  }

  /** Frees kernel state still held (after an error, or when no backward pass runs). */
  dispose(): void {
    for (const n of this.nodes) {
      n.saved?.dispose();
      n.saved = undefined;
    }
    this.nodes.length = 0;
    this.tracked.clear();
  }
}

let active: Tape | undefined;

/** The tape recording now, if any (read by every public op). */
export function activeTape(): Tape | undefined {
  return active;
}

/** Runs fn with `tape` recording; nested tapes are refused (reverse over reverse is not supported). */
export function withTape<T>(tape: Tape, caller: string, fn: () => T): T {
  if (active)
    throw new Error(
      `${caller}: called while another reverse-mode pass is recording (grad inside a function given to grad or to fgd's backprop); nested reverse mode is not supported`,
    );
  active = tape;
  try {
    return fn();
  } finally {
    active = undefined;
  }
}
