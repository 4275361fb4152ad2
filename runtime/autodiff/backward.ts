// The backward pass over a tape: seed ȳ = 1 at the scalar output, walk the nodes in reverse, ask
// each op's VJP for its arguments' cotangents, accumulate them per tensor (in place).
// Memory: a node's output y and its cotangent ȳ are freed right after the node's VJP (every later
// node, the only users of y, has already run), and so is any kept kernel state, so activations
// and cotangents are alive only as long as the reverse sweep needs them.
import { Tensor, empty } from '../tensor/tensor';
import type { Tape } from './tape';

/**
 * Runs the backward pass from `out` (one element) and returns the cotangents of the tracked
 * tensors that are not op outputs (the leaves), keyed by tensor. Consumes the tape: every node's
 * output and kept state is freed. Leaves that `out` does not depend on are absent.
 */
export function backward(tape: Tape, out: Tensor, caller: string): Map<Tensor, Tensor> {
  const cot = new Map<Tensor, Tensor>();
  if (tape.isTracked(out)) {
    const seed = empty(out.shape);
    seed.buffer[seed.offset] = 1;
    cot.set(out, seed);
  }
  const nodes = tape.nodes;
  try {
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      const gy = cot.get(node.y);
      if (gy !== undefined) {
        cot.delete(node.y);
        if (node.y.isDisposed || node.args.some((a, j) => node.needs[j] && (a as Tensor).isDisposed)) {
          throw new Error(
            `${caller}: a tensor used by ${node.op} (op ${i + 1} of ${nodes.length}) was disposed before the backward pass; ` +
              'do not dispose intermediate tensors (or wrap them in tidy) inside the function being differentiated',
          );
        }
        const gs = node.rule.vjp(gy, node.y, node.args, node.needs, node.saved);
        let gyPlaced = false;
        for (let j = 0; j < gs.length; j++) {
          let g = gs[j];
          if (g === undefined) continue;
          if (!node.needs[j]) {
            if (g !== gy) g.dispose();
            continue;
          }
          // Two results over one buffer (an op passing ȳ through twice) must not alias in the map.
          for (let k = 0; k < j; k++)
            if (gs[k]?.storage === g.storage) {
              g = copyOf(g);
              break;
            }
          const target = node.args[j] as Tensor,
            prev = cot.get(target);
          if (prev === undefined) {
            cot.set(target, g);
            if (g === gy) gyPlaced = true;
          } else {
            addInto(prev, g);
            if (g !== gy) g.dispose();
          }
        }
        if (!gyPlaced) gy.dispose();
      }
      node.saved?.dispose();
      node.saved = undefined;
      node.y.dispose();
    }
  } finally {
    tape.dispose();
  }
  return cot;
}

function copyOf(t: Tensor): Tensor {
  const c = empty(t.shape);
  c.buffer.set(t.toArray(), c.offset);
  return c;
}

/** acc += g elementwise (same shape). */
function addInto(acc: Tensor, g: Tensor): void {
  const a = acc.buffer,
    b = g.buffer,
    ao = acc.offset,
    bo = g.offset;
  for (let i = 0; i < acc.size; i++) a[ao + i] += b[bo + i];
}
