// forwardGradient's default `wrt` for a bare call (no `wrt` option; README "Runtime API"). Directions drawn for data
// would not bias the estimate for the parameters but add variance, and a "gradient" of integer labels is nonsense, so
// the default differentiates only what is plausibly a parameter, decided by one table of rules on the arguments
// that have a tangent slot (their declared type is differentiable):
//
//   argument (at run time)                          | default
//   ------------------------------------------------|------------------------------------------------------------
//   an integer typed array (Int8…Uint32, Clamped)   | never: labels and indices are data
//   a Tensor, or a plain object/tuple holding one   | yes (a model's parameters, or a Tensor input)
//   number, number[], Float32/64Array, objects of   | yes when no argument holds a Tensor; otherwise data (the
//     those                                         |   inputs and labels beside a model's parameters)
//
// `fgd` never uses this: its parameters are exactly its `params` argument.
import { tensorsIn } from './leaves';
import { functionName } from './jvp';
import type { Twin } from './registry';

const INTEGER_ARRAYS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array];

function isIntegerArray(x: unknown): boolean {
  return INTEGER_ARRAYS.some((C) => x instanceof C);
}

function holdsTensor(x: unknown): boolean {
  return tensorsIn(x).length > 0;
}

/** The argument indices a bare `forwardGradient(f, primals)` differentiates (rules above). */
export function defaultWrt(f: Function, twin: Twin, primals: readonly unknown[], caller: string): number[] {
  const slotted = twin.meta.tangentSlots.flatMap((s, i) => (s && !isIntegerArray(primals[i]) ? [i] : []));
  const withTensors = slotted.filter((i) => holdsTensor(primals[i]));
  const wrt = withTensors.length > 0 ? withTensors : slotted;
  if (wrt.length === 0) {
    throw new Error(
      `${caller}(${functionName(f, twin)}): no argument is differentiated by default (none has a differentiable type, or only integer arrays do); pass wrt with the argument indices to differentiate`,
    );
  }
  return wrt;
}
