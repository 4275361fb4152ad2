// Mixed scalar/tensor annotated code through the transformer: a number times a tensor, a number
// loss from tensor sums via item(), inactive shape reads, vector-mode tangents through tensor code.
import { compileAndLoad } from '../support/compile';
import { lookupJvp } from '../../runtime/registry';
import { tensor } from '../../runtime/tensor/create';
import { Tensor } from '../../runtime/tensor/tensor';
import { expectClose } from './helpers';
import { centralDifference } from '../support/fd';

const SOURCE = `
import { Tensor, mul, sum, square, tanh, mean, add } from 'forwardgrad';
/** @forwardGrad */
export function f(w: Tensor, s: number): number {
  const scaled = mul(tanh(w), s);                 // number × tensor, both active
  const l = sum(square(scaled)).item();           // number from a tensor reduction
  return l * s + w.shape[0] + mean(add(w, 1), 0).item();   // shape read stays inactive
}
/** @forwardGrad */
export function g(w: Tensor): Tensor {
  return sum(mul(square(w), 0.5));
}`;

/** f in float64, for central differences. */
function fRef(w: number[], s: number): number {
  let l = 0,
    m = 0;
  for (const v of w) {
    l += (Math.tanh(v) * s) ** 2;
    m += v + 1;
  }
  return l * s + w.length + m / w.length;
}

describe('mixed scalar/tensor code through the transformer', () => {
  const mod = compileAndLoad(SOURCE);
  const w = [0.3, -1.2, 0.8],
    dw = [0.5, -0.25, 1],
    s = 1.7,
    ds = -0.6;

  test('value and tangent match central differences of a float64 reference', () => {
    const [y, dy] = lookupJvp(mod.f)!.fn(tensor(w), tensor(dw), s, ds) as [number, number];
    expect(y).toBeCloseTo(fRef(w, s), 5);
    const fd = centralDifference((t) =>
      fRef(
        w.map((v, i) => v + t * dw[i]),
        s + t * ds,
      ),
    );
    expectClose([dy], [fd], 1e-5, 1e-5, 'tangent');
    expect(mod.f(tensor(w), s)).toBeCloseTo(y, 5);
  });

  test('a vector-mode tangent flows through tensor-only code', () => {
    const [y, dy] = lookupJvp(mod.g)!.fn(tensor(w), tensor([...dw, 1, 2, 3], [2, 3])) as [Tensor, Tensor];
    expect(y.item()).toBeCloseTo(0.5 * w.reduce((p, v) => p + v * v, 0), 5);
    expect(dy.shape).toEqual([2]);
    expectClose(
      dy.toArray(),
      [w.reduce((p, v, i) => p + v * dw[i], 0), w.reduce((p, v, i) => p + v * (i + 1), 0)],
      1e-6,
      1e-6,
      'tangents',
    );
  });

  test('item() in vector mode is a clear run-time error', () => {
    expect(() => lookupJvp(mod.f)!.fn(tensor(w), tensor([...dw, ...dw], [2, 3]), s, 0)).toThrow(
      'item: a number cannot carry 2 tangent directions',
    );
  });
});
