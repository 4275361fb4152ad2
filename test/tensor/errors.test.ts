// Bad shapes, ranks, labels and options: each throws an Error naming the op and the shapes.
import * as ops from '../../runtime/ops/index';
import { tensor, zeros } from '../../runtime/tensor/create';
import { Tensor } from '../../runtime/tensor/tensor';

const z = (...shape: number[]): Tensor => zeros(shape);

describe('shape and argument errors', () => {
  test.each([
    ['matmul inner dims', () => ops.matmul(z(2, 3), z(4, 5)), 'matmul: expects a[M,K]·b[K,N], got a[2,3] and b[4,5]'],
    ['matmul rank', () => ops.matmul(z(2, 3, 1), z(3, 5)), 'matmul: expects a[M,K]·b[K,N], got a[2,3,1] and b[3,5]'],
    ['matmul non-tensor', () => ops.matmul([1, 2] as any, z(2, 1)), 'matmul: a must be a Tensor, got object'],
    ['add broadcast', () => ops.add(z(2, 3), z(2)), 'add: shapes [2,3] and [2] do not broadcast'],
    ['mul two numbers', () => ops.mul(2 as any, 3 as any), 'mul: needs at least one Tensor operand'],
    ['sum axis', () => ops.sum(z(2, 3), 2), 'sum: axis 2 is out of range for shape [2,3]'],
    ['mean axis not integer', () => ops.mean(z(2, 3), 0.5), 'mean: axis 0.5 is out of range for shape [2,3]'],
    [
      'reshape size',
      () => ops.reshape(z(2, 3), [4, 2]),
      'reshape: cannot reshape [2,3] (6 elements) to [4,2] (8 elements)',
    ],
    ['reshape two -1', () => ops.reshape(z(2, 3), [-1, -1]), 'reshape: cannot reshape [2,3] to [-1,-1]'],
    [
      'transpose perm length',
      () => ops.transpose(z(2, 3, 4), [1, 0]),
      'transpose: perm [1,0] is not a permutation of the 3 axes of [2,3,4]',
    ],
    [
      'transpose perm repeat',
      () => ops.transpose(z(2, 3), [1, 1]),
      'transpose: perm [1,1] is not a permutation of the 2 axes of [2,3]',
    ],
    [
      'conv2d channels',
      () => ops.conv2d(z(1, 3, 5, 5), z(2, 4, 3, 3)),
      'conv2d: expects x[N,C,H,W] and w[O,C,kh,kw] with the same C, got x[1,3,5,5] and w[2,4,3,3]',
    ],
    [
      'conv2d rank',
      () => ops.conv2d(z(3, 5, 5), z(2, 3, 3, 3)),
      'conv2d: expects x[N,C,H,W] and w[O,C,kh,kw] with the same C, got x[3,5,5]',
    ],
    [
      'conv2d kernel too big',
      () => ops.conv2d(z(1, 1, 2, 2), z(1, 1, 3, 3)),
      'conv2d: kernel 3×3 does not fit input 2×2 with padding 0,0',
    ],
    [
      'conv2d stride 0',
      () => ops.conv2d(z(1, 1, 4, 4), z(1, 1, 3, 3), { stride: 0 }),
      'conv2d: stride must be an integer ≥ 1, got 0',
    ],
    [
      'conv2d stride NaN',
      () => ops.conv2d(z(1, 1, 4, 4), z(1, 1, 3, 3), { stride: NaN }),
      'conv2d: stride must be an integer ≥ 1, got NaN',
    ],
    [
      'conv2d padding -1',
      () => ops.conv2d(z(1, 1, 4, 4), z(1, 1, 3, 3), { padding: -1 }),
      'conv2d: padding must be an integer ≥ 0, got -1',
    ],
    [
      'conv2d padding Infinity',
      () => ops.conv2d(z(1, 1, 4, 4), z(1, 1, 3, 3), { padding: [1, Infinity] }),
      'conv2d: padding[1] must be an integer ≥ 0, got Infinity',
    ],
    ['maxPool2d rank', () => ops.maxPool2d(z(4, 4), { size: 2 }), 'maxPool2d: expects x[N,C,H,W], got [4,4]'],
    [
      'maxPool2d size',
      () => ops.maxPool2d(z(1, 1, 4, 4), { size: 1.5 }),
      'maxPool2d: size must be an integer ≥ 1, got 1.5',
    ],
    [
      'maxPool2d window',
      () => ops.maxPool2d(z(1, 1, 2, 2), { size: 3 }),
      'maxPool2d: window 3×3 is larger than the input 2×2 (x[1,1,2,2])',
    ],
    [
      'xent rank',
      () => ops.softmaxCrossEntropy(z(2, 3, 1), [0, 1]),
      'softmaxCrossEntropy: expects non-empty logits[B,C], got [2,3,1]',
    ],
    [
      'xent label count',
      () => ops.softmaxCrossEntropy(z(2, 3), [0]),
      'softmaxCrossEntropy: 1 labels for logits [2,3] (expected 2)',
    ],
    [
      'xent label range',
      () => ops.softmaxCrossEntropy(z(2, 3), [0, 3]),
      'softmaxCrossEntropy: label 3 at index 1 is out of range [0, 3) for logits [2,3]',
    ],
    [
      'xent label negative Int32Array',
      () => ops.softmaxCrossEntropy(z(2, 3), Int32Array.of(-1, 0)),
      'softmaxCrossEntropy: label -1 at index 0 is out of range',
    ],
    [
      'xent label non-integer',
      () => ops.softmaxCrossEntropy(z(1, 3), [0.5]),
      'softmaxCrossEntropy: label 0.5 at index 0 is out of range',
    ],
    [
      'tangent shape',
      () => ops.reluJvp(z(2, 3), z(3, 2)),
      'relu: tangent shape [3,2] does not fit primal [2,3] (expected [2,3] or [K,2,3])',
    ],
    [
      'tangents disagree on K',
      () => ops.addJvp(z(2), z(3, 2), z(2), z(4, 2)),
      'add: tangents disagree on directions: K=3 vs K=4',
    ],
    [
      'number tangent in vector mode',
      () => ops.mulJvp(z(2), z(3, 2), 2, 1),
      "mul: a number operand's tangent cannot be combined with vector-mode tangents (K=3)",
    ],
    ['item of many', () => ops.itemJvp(z(2), undefined), 'item(): tensor of shape [2] has 2 elements, expected 1'],
    ['item vector mode', () => ops.itemJvp(z(1), z(3, 1)), 'item: a number cannot carry 3 tangent directions'],
    [
      'tensor nested data',
      () =>
        tensor(
          [
            [1, 2],
            [3, 4],
          ] as any,
          [2, 2],
        ),
      'tensor: data must be flat numbers (element 0 is an array); flatten it and pass the shape',
    ],
    ['tensor bad shape', () => tensor([1, 2], [2.5]), 'tensor: invalid shape [2.5]'],
    ['tensor data size', () => tensor([1, 2, 3], [2, 2]), 'tensor: 3 values do not fill shape [2,2] (4 elements)'],
    [
      'disposed tangent',
      () => {
        const t = z(2);
        t.dispose();
        return ops.reluJvp(z(2), t);
      },
      'relu: the tangent (shape [2]) was disposed',
    ],
    [
      'disposed input',
      () => {
        const t = z(2);
        t.dispose();
        return ops.relu(t);
      },
      'relu: x (shape [2]) was disposed',
    ],
  ])('%s', (_name, fn, message) => {
    expect(fn).toThrow(message);
  });
});

describe('number operands and item()', () => {
  test('a number operand with a number tangent: d(x·s) = ẋ·s + x·ṡ', () => {
    const x = tensor([1, -2, 3]),
      dx = tensor([0.5, 0.5, 1]);
    const [y, dy] = ops.mulJvp(x, dx, 4, 0.25);
    expect([...y.toArray()]).toEqual([4, -8, 12]);
    expect([...dy!.toArray()]).toEqual([0.5 * 4 + 1 * 0.25, 0.5 * 4 - 2 * 0.25, 1 * 4 + 3 * 0.25]);
    const [z, dz] = ops.subJvp(1, 2, x, undefined); // 1 − x with ṡ = 2
    expect([...z.toArray()]).toEqual([0, 3, -2]);
    expect([...dz!.toArray()]).toEqual([2, 2, 2]);
  });

  test('a zero number tangent and an undefined tensor tangent give no tangent', () => {
    expect(ops.addJvp(tensor([1]), undefined, 2, 0)[1]).toBeUndefined();
  });

  test('itemJvp gives the number and its tangent', () => {
    expect(ops.itemJvp(tensor([2.5], []), tensor([-1.5], []))).toEqual([2.5, -1.5]);
    expect(ops.itemJvp(tensor([2.5], [1, 1]), undefined)).toEqual([2.5, 0]);
  });
});
