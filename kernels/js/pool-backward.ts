// Reverse of max pooling: each output's cotangent goes back to its window's winner (the argmax
// the forward pass recorded), accumulated, since overlapping windows (stride < size) can share one.
import type { MaxPool2dBackwardArgs } from '../backend';

export function maxPool2dBackward(g: MaxPool2dBackwardArgs): void {
  const { gy, argmax, n, gx } = g;
  for (let o = 0; o < n; o++) gx[g.gxOffset + argmax[o]] += gy[g.gyOffset + o];
}
