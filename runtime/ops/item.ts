// `t.item()` inside annotated code: the number and its number tangent (one direction only: a
// number cannot carry K directions, so vector mode must keep values as Tensors).
// Reverse mode: x̄ = ȳ in x's (one-element) shape.
import { Tensor, empty } from '../tensor/tensor';
import type { OpRule } from './rule';
import { Tangent, activeTensor, directions, expectTensor, opError, shapeStr } from './tangents';

/** `t.item()` with its tangent: a number and the number tangent (single direction only). */
export function itemJvp(t: Tensor, dt: Tangent): [number, number] {
  expectTensor('item', 't', t);
  const dir = directions('item', [t, dt]);
  const tt = activeTensor(dt);
  if (dir.axis)
    throw opError(
      'item',
      `a number cannot carry ${dir.K} tangent directions (shape ${shapeStr(tt!.shape)}); keep the value a Tensor in vector mode`,
    );
  return [t.item(), tt ? tt.item() : 0];
}

export function itemVjp(
  gy: Tensor,
  _y: Tensor,
  args: readonly unknown[],
  needs: readonly boolean[],
): (Tensor | undefined)[] {
  if (!needs[0]) return [undefined];
  const gx = empty((args[0] as Tensor).shape);
  gx.buffer[gx.offset] = gy.buffer[gy.offset];
  return [gx];
}

/** Tensor methods with rules (`t.item()` → [number, number tangent]). */
export const METHOD_RULES: Record<string, OpRule> = {
  item: { jvp: itemJvp, vjp: itemVjp, rule: 'ẏ = ẋ.item()', vjpRule: 'x̄ = ȳ (one element)' },
};
