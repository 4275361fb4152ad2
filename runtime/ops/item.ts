// `t.item()` inside annotated code: the number and its number tangent (one direction only: a
// number cannot carry K directions, so vector mode must keep values as Tensors).
import { Tensor } from '../tensor/tensor';
import { Tangent, activeTensor, directions, expectTensor, opError, shapeStr } from './tangents';

/** `t.item()` with its tangent: a number and the number tangent (single direction only). */
export function itemJvp(t: Tensor, dt: Tangent): [number, number] {
  expectTensor('item', 't', t);
  const dir = directions('item', [t, dt]);
  const tt = activeTensor(dt);
  if (dir.axis) throw opError('item', `a number cannot carry ${dir.K} tangent directions (shape ${shapeStr(tt!.shape)}); keep the value a Tensor in vector mode`);
  return [t.item(), tt ? tt.item() : 0];
}
