// The public tensor ops (`relu`, `matmul`, …), built once per op from the manifest's argument kinds
// and the rule table: the op's fused JVP with no tangents gives y; when a tape is recording and a
// tensor argument is tracked, the call is recorded instead (runtime/autodiff/tape.ts).
import { TENSOR_OPS } from '../ops/manifest';
import { OP_RULES } from '../ops/rules';
import type { Tensor } from '../tensor/tensor';
import { activeTape } from './tape';

/** The primal op `op`: f(...args) = OP_RULES[op].jvp(arg, undefined, ..., static...)[0], taped when tracked. */
export function primal<F extends (...args: any[]) => Tensor>(op: string): F {
  const entry = TENSOR_OPS[op],
    rule = OP_RULES[op];
  if (!entry || !rule) throw new Error(`primal: '${op}' is not in both the manifest and OP_RULES`);
  const kinds = entry.args,
    jvp = rule.jvp as (...a: unknown[]) => [Tensor, unknown];
  const sig = kinds.map((k) => (k === 'diff' ? 'D' : 'S')).join('');
  // Fixed-arity closures for the signatures in use (no argument arrays on the untaped path).
  let fn: (...args: any[]) => Tensor;
  switch (sig) {
    case 'D':
      fn = (x: unknown) => {
        const tape = activeTape();
        if (tape === undefined || !tape.isTracked(x)) return jvp(x, undefined)[0];
        return tape.record(op, rule, kinds, [x], () => jvp(x, undefined)[0]);
      };
      break;
    case 'DD':
      fn = (a: unknown, b: unknown) => {
        const tape = activeTape();
        if (tape === undefined || !(tape.isTracked(a) || tape.isTracked(b))) return jvp(a, undefined, b, undefined)[0];
        return tape.record(op, rule, kinds, [a, b], () => jvp(a, undefined, b, undefined)[0]);
      };
      break;
    case 'DS':
      fn = (x: unknown, s: unknown) => {
        const tape = activeTape();
        if (tape === undefined || !tape.isTracked(x)) return jvp(x, undefined, s)[0];
        return tape.record(op, rule, kinds, [x, s], () => jvp(x, undefined, s)[0]);
      };
      break;
    case 'DDS':
      fn = (a: unknown, b: unknown, s: unknown) => {
        const tape = activeTape();
        if (tape === undefined || !(tape.isTracked(a) || tape.isTracked(b)))
          return jvp(a, undefined, b, undefined, s)[0];
        return tape.record(op, rule, kinds, [a, b, s], () => jvp(a, undefined, b, undefined, s)[0]);
      };
      break;
    default: {
      // Any other signature: interleave undefined tangents after each diff argument.
      const call = (args: unknown[]) => jvp(...args.flatMap((a, i) => (kinds[i] === 'diff' ? [a, undefined] : [a])))[0];
      fn = (...args: unknown[]) => {
        const tape = activeTape();
        if (tape === undefined || !args.some((a) => tape.isTracked(a))) return call(args);
        return tape.record(op, rule, kinds, args, () => call(args));
      };
      Object.defineProperty(fn, 'length', { value: kinds.length });
    }
  }
  Object.defineProperty(fn, 'name', { value: op });
  return fn as F;
}
