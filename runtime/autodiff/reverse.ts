// One reverse-mode evaluation: run f with its tensor leaves tracked, read the scalar value, then
// the backward pass. Shared by `grad` and fgd's backprop estimator.
import { Tensor, isTensor } from '../tensor/tensor';
import { describeValue } from '../leaves';
import { Tape, withTape } from './tape';
import { backward } from './backward';

export interface ReverseResult {
  /** f's value (a number, or the element of a one-element Tensor). */
  value: number;
  /** Cotangent per tracked leaf (same order); undefined where f does not depend on it. */
  cotangents: (Tensor | undefined)[];
}

/** The scalar f returned, or an error naming what it returned instead. */
export function scalarValue(out: unknown, caller: string): number {
  if (typeof out === 'number') return out;
  if (isTensor(out) && out.size === 1) return out.item();
  throw new Error(
    `${caller}: the function must return a scalar (a number or a one-element Tensor) to take its gradient; it returned ${describeValue(out)}`,
  );
}

/** Runs `run` on a fresh tape tracking `leaves` and differentiates its scalar result. */
export function reverse(run: () => unknown, leaves: readonly Tensor[], caller: string): ReverseResult {
  const tape = new Tape();
  for (const t of leaves) tape.track(t);
  let out: unknown;
  try {
    out = withTape(tape, caller, run);
  } catch (e) {
    tape.dispose();
    throw e;
  }
  let value: number;
  try {
    value = scalarValue(out, caller);
    if (leaves.length > 0 && !isTensor(out)) {
      throw new Error(
        `${caller}: the function returned a number, so its Tensor arguments' gradients cannot be traced; return the one-element Tensor instead of calling .item() on it`,
      );
    }
  } catch (e) {
    tape.dispose(); // frees kept kernel state; the recorded tensors belong to the caller's tidy scope
    throw e;
  }
  if (leaves.length === 0) {
    tape.dispose();
    return { value, cotangents: [] };
  }
  const cot = backward(tape, out as Tensor, caller);
  return { value, cotangents: leaves.map((t) => cot.get(t)) };
}
