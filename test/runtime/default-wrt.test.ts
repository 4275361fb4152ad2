// forwardGradient's default wrt for a bare call (runtime/default-wrt.ts, README "Runtime API"): differentiable
// arguments, never integer typed arrays, and only the Tensor-holding arguments when there are some. Each default is
// checked against the explicit wrt it must equal (same seed: the same directions, so bit-identical results), and
// the excluded arguments get no gradient entry.
import { Tensor, tensor, matmul, sub, square, mean } from '../../runtime/index';
import { forwardGradient } from '../../runtime/forward-gradient';
import { lookupJvp } from '../../runtime/registry';

/** @forwardGrad */
function weighted(w: number[], xs: number[], labels: number[]): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] * xs[i] * (labels[i] + 1);
  return s * s;
}

/** @forwardGrad */
function model(p: { W: Tensor }, x: Tensor, y: Tensor, classes: number[]): Tensor {
  void classes.length;
  return mean(square(sub(matmul(x, p.W), y)));
}

const X = tensor([1, 2, 0.5, -1, 3, 1], [2, 3]);
const Y = tensor([1, -1], [2, 1]);

test('the twins have the slots the rules start from', () => {
  expect(lookupJvp(weighted)?.meta.tangentSlots).toEqual([true, true, true]);
  expect(lookupJvp(model)?.meta.tangentSlots).toEqual([true, true, true, true]);
});

test('scalar function: every differentiable argument (unchanged), exactly the explicit full wrt', () => {
  const args = [
    [0.5, -1, 2],
    [1, 2, 3],
    [0, 1, 0],
  ];
  const d = forwardGradient(weighted, args, { seed: 4 });
  const e = forwardGradient(weighted, args, { seed: 4, wrt: [0, 1, 2] });
  expect(d.gradient).toEqual(e.gradient);
  expect(d.gradient.every((g) => Array.isArray(g))).toBe(true);
});

test('an integer typed array (labels) is never differentiated', () => {
  const labels = Int32Array.from([0, 1, 0]) as unknown as number[];
  const args = [[0.5, -1, 2], [1, 2, 3], labels];
  const d = forwardGradient(weighted, args, { seed: 4 });
  const e = forwardGradient(weighted, args, { seed: 4, wrt: [0, 1] });
  expect(d.gradient[2]).toBeUndefined();
  expect(d.gradient).toEqual(e.gradient);
  expect(d.directional).toEqual(e.directional);
});

test('with Tensor arguments only the Tensor-holding ones (parameter objects, Tensors); number[] beside them is data', () => {
  const p = { W: tensor([0.1, -0.2, 0.3], [3, 1]) };
  const args = [p, X, Y, [0, 1, 1]];
  const d = forwardGradient(model, args, { seed: 9 });
  const e = forwardGradient(model, args, { seed: 9, wrt: [0, 1, 2] });
  expect(d.gradient[3]).toBeUndefined();
  expect(d.directional).toEqual(e.directional);
  const gW = (d.gradient[0] as { W: Tensor }).W.toArray(),
    eW = (e.gradient[0] as { W: Tensor }).W.toArray();
  expect(Array.from(gW)).toEqual(Array.from(eW));
});

test('nothing left to differentiate by default is an error naming the function and the fix', () => {
  const ints = Int32Array.from([1, 2, 3]) as unknown as number[];
  expect(() => forwardGradient(weighted, [ints, ints, ints], { seed: 1 })).toThrow(
    /forwardGradient\(weighted\): no argument is differentiated by default.*pass wrt/,
  );
});
