// Exact derivatives for the non-tensor leaves (numbers, number[], typed arrays) of differentiated
// arguments: the tape records tensor ops only, so these go through the forward-mode twin, one run
// per element along the basis vector e_i (like gd's ExactEstimator): n runs for n such elements,
// meant for the few scalars (a temperature, a scale) that sit beside tensor parameters.
import { tidy } from '../tensor/pool';
import { isTensor } from '../tensor/tensor';
import type { Twin } from '../registry';
import { zerosLike } from '../twin-support';
import { Leaf, argLeaves } from '../leaves';
import { scalarTangent } from '../directions';

/** The non-tensor leaves of args[wrt] (paths as argLeaves names them). */
export function scalarLeaves(args: unknown[], wrt: readonly number[]): Leaf[] {
  return argLeaves(args, wrt).filter((l) => l.kind !== 'tensor');
}

/**
 * ∂f/∂(every element of every non-tensor leaf of args[wrt]), one twin run each; `write(leaf, i, d)`
 * receives them. Tensor arguments get zero (undefined) tangents. Returns f's value from the last
 * run (NaN when no run was needed).
 */
export function basisSweep(
  twin: Twin,
  args: unknown[],
  wrt: readonly number[],
  thisArg: unknown,
  caller: string,
  write: (leaf: Leaf, i: number, d: number) => void,
): number {
  const primalLeaves = scalarLeaves(args, wrt);
  if (primalLeaves.length === 0) return NaN;
  const slots = twin.meta.tangentSlots;
  const tangents = args.map((p, i) => (slots[i] ? zerosLike(p) : undefined));
  const byPath = new Map(argLeaves(tangents, wrt).map((l) => [l.path, l]));
  let value = NaN;
  for (const leaf of primalLeaves) {
    const t = byPath.get(leaf.path)!;
    for (let i = 0; i < leaf.size; i++) {
      const v = t.data();
      v[i] = 1;
      t.commit();
      const d = tidy(() => {
        const twinArgs: unknown[] = [];
        for (let j = 0; j < slots.length; j++) {
          twinArgs.push(args[j]);
          if (slots[j]) twinArgs.push(tangents[j]);
        }
        const [y, dy] = twin.fn.apply(thisArg, twinArgs);
        value = isTensor(y) ? (y.size === 1 ? y.item() : NaN) : (y as number);
        return scalarTangent(dy, y, caller);
      });
      const v2 = t.data();
      v2[i] = 0;
      t.commit();
      write(leaf, i, d);
    }
  }
  return value;
}
