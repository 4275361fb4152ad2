import { jvp } from '../../runtime/jvp';
import { Tensor } from '../../runtime/tensor/tensor';
import { Rng } from '../../kernels/rng';
import { mixed, pair, Scaler, sumSquares } from './support/hand-twins';
import { centralDifference } from '../support/fd';
import { beale } from '../../runtime/models/testfns'; // its twin comes from the real transform

describe('jvp', () => {
  test('value and directional derivative agree with central differences at random points', () => {
    const r = new Rng(11);
    for (let n = 0; n < 20; n++) {
      const x = 4 * r.uniform() - 2,
        y = 4 * r.uniform() - 2,
        vx = r.normal(),
        vy = r.normal();
      const [value, tangent] = jvp(beale, [x, y], [vx, vy]);
      expect(value).toBe(beale(x, y));
      const fd = centralDifference((t) => beale(x + t * vx, y + t * vy));
      expect(Math.abs(tangent - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }
  });

  test('undefined tangents are constants: zeros materialised for numbers, arrays, objects', () => {
    const p = { w: [1, 2], b: 0.5 },
      xs = Float64Array.of(3, -1);
    const [, d0] = jvp(mixed, [p, xs, 'a'], [undefined, undefined, undefined]);
    expect(d0).toBe(0);
    const [, dOnlyB] = jvp(mixed, [p, xs, 'a'], [{ w: undefined, b: 1 }, undefined, undefined]); // undefined fields are zero too
    expect(dOnlyB).toBeCloseTo(3 * 0.25, 12);
    const [, dw] = jvp(mixed, [p, xs, 'a'], [{ w: [1, 0], b: 0 }, undefined, undefined]);
    expect(dw).toBeCloseTo(2 * (1 * 3) * 3, 12);
    const [, dx] = jvp(mixed, [p, xs, 'a'], [undefined, Float64Array.of(0, 1), undefined]);
    expect(dx).toBeCloseTo(2 * (2 * -1) * 2, 12);
  });

  test('Tensor tangents may be undefined (rules accept it)', () => {
    const t = new Tensor(Float32Array.of(1, 2, 3), [3]);
    const [y, dy] = jvp<Tensor, Tensor | undefined>(sumSquares, [t], [undefined]);
    expect(y.item()).toBe(14);
    expect(dy).toBeUndefined();
    const [, d1] = jvp<Tensor, Tensor>(sumSquares, [t], [new Tensor(Float32Array.of(1, 0, 0), [3])]);
    expect(d1.item()).toBe(2);
  });

  test('methods: thisArg is passed to the twin', () => {
    const s = new Scaler(3);
    expect(jvp(s.apply, [2], [1], { thisArg: s })).toEqual([12, 12]);
  });

  test('a function without a twin: the error names it and says how to fix the build', () => {
    function plain(x: number) {
      return x * x;
    }
    expect(() => jvp(plain, [1], [1])).toThrow(
      /jvp: function 'plain' has no forward-mode twin.*@forwardGrad.*tspc.*forwardgrad\/esbuild.*forwardgrad\/jest/s,
    );
    expect(() => jvp(42 as unknown as Function, [1], [1])).toThrow(/jvp: expected a function, got number/);
  });

  test.each([
    ['wrong arity', () => jvp(beale, [1], [1]), /jvp\(beale\): expected 2 argument\(s\), got 1/],
    ['tangent count', () => jvp(beale, [1, 2], [1]), /got 2 primal\(s\) but 1 tangent\(s\)/],
    [
      'number vs array',
      () => jvp(beale, [1, 2], [1, [2]]),
      /argument 1: tangent must be a number to mirror the primal number, got number\[1\]/,
    ],
    [
      'array length',
      () => jvp(mixed, [{ w: [1, 2], b: 0 }, Float64Array.of(1, 2), 'a'], [{ w: [1], b: 0 }, undefined, undefined]),
      /argument 0\.w: tangent must be number\[2\].*got number\[1\]/,
    ],
    [
      'typed array kind',
      () =>
        jvp(mixed, [{ w: [1, 2], b: 0 }, Float64Array.of(1, 2), 'a'], [undefined, Float32Array.of(1, 2), undefined]),
      /argument 1: tangent must be Float64Array\(2\).*got Float32Array\(2\)/,
    ],
    [
      'unknown field',
      () => jvp(mixed, [{ w: [1, 2], b: 0 }, Float64Array.of(1, 2), 'a'], [{ c: 1 }, undefined, undefined]),
      /tangent has field 'c'/,
    ],
    [
      'non-differentiable arg',
      () => jvp(mixed, [{ w: [1], b: 0 }, Float64Array.of(1), 'a'], [undefined, undefined, 'x']),
      /argument 2 is not differentiable.*must be undefined/,
    ],
    [
      'tensor shape',
      () => jvp(sumSquares, [new Tensor(new Float32Array(3), [3])], [new Tensor(new Float32Array(4), [4])]),
      /tangent must be a Tensor of shape \[3\] or \[K,3\].*got Tensor\[4\]/,
    ],
    ['primals not an array', () => jvp(beale, 3 as unknown as number[], [1]), /primals must be an array/],
  ])('%s is a clear error', (_n, call, message) => {
    expect(call).toThrow(message);
  });

  test('a vector-mode Tensor tangent [K, ...shape] is accepted and kept', () => {
    const t = new Tensor(Float32Array.of(1, 2), [2]);
    const [, dy] = jvp<Tensor, Tensor>(sumSquares, [t], [new Tensor(Float32Array.of(1, 0, 0, 1), [2, 2])]);
    expect(Array.from(dy.toArray())).toEqual([2, 4]);
  });

  test('non-scalar outputs are returned as they are', () => {
    expect(jvp(pair, [3], [1])).toEqual([
      [3, 6],
      [1, 2],
    ]);
  });
});
