// Tensors never hide bad input (issue 10): max-pooling propagates NaN (the window's first NaN wins,
// its tangent is gathered from there) on every backend; constructors refuse a bad shape naming the
// op before allocating; zero-size dimensions give the same results on every backend.
import * as ops from '../../runtime/ops/index';
import { full, randn, tensor, zeros } from '../../runtime/tensor/create';
import { Tensor } from '../../runtime/tensor/tensor';
import { getBackend, setBackend } from '../../kernels/select';
import { BACKENDS } from './helpers';

let previous: string;
beforeAll(() => {
  previous = getBackend().name;
});
afterAll(() => {
  setBackend(previous);
});

describe.each(BACKENDS)('backend %s', (name) => {
  beforeAll(() => {
    setBackend(name);
  });

  test('maxPool2d: a window holding NaN yields NaN, and the tangent comes from the first NaN', () => {
    // Two 2×2 windows per row of a 2×4 plane: [1 NaN | NaN 3] over [4 2 | 5 NaN]; a third, NaN-free plane.
    const x = tensor([1, NaN, NaN, 3, 4, 2, 5, NaN, /* plane 2 */ 1, 2, 3, 4, 8, 7, 6, 5], [1, 2, 2, 4]);
    const dx = tensor(
      Array.from({ length: 16 }, (_, i) => 100 + i),
      [1, 2, 2, 4],
    );
    const [y, dy] = ops.maxPool2dJvp(x, dx, { size: 2 });
    expect(Array.from(y.toArray())).toEqual([NaN, NaN, 8, 6]);
    // First NaN in row-major window order: element 1 (window 0) and element 2 (window 1); plane 2's winners are 8 (12) and 6 (14).
    expect(Array.from(dy!.toArray())).toEqual([101, 102, 112, 114]);
    // NaN first in the window, and a window of -Infinity: both unchanged rules.
    expect(Array.from(ops.maxPool2d(tensor([NaN, 5, 6, 7], [1, 1, 2, 2])).toArray())).toEqual([NaN]);
    expect(Array.from(ops.maxPool2d(full([1, 1, 2, 2], -Infinity)).toArray())).toEqual([-Infinity]);
  });

  test.each<[string, () => Tensor, number[], number[]]>([
    ['matmul with K = 0 is zeros', () => ops.matmul(zeros([2, 0]), zeros([0, 3])), [2, 3], [0, 0, 0, 0, 0, 0]],
    ['matmul with M = 0 is empty', () => ops.matmul(zeros([0, 2]), zeros([2, 3])), [0, 3], []],
    ['sum of an empty tensor is 0', () => ops.sum(zeros([0, 3])), [], [0]],
    ['sum over an empty axis is zeros', () => ops.sum(zeros([0, 3]), 0), [3], [0, 0, 0]],
    ['sum over the other axis is empty', () => ops.sum(zeros([0, 3]), 1), [0], []],
    ['broadcast add with an empty operand', () => ops.add(zeros([0, 3]), full([3], 1)), [0, 3], []],
    ['relu of empty', () => ops.relu(zeros([0])), [0], []],
    ['transpose of empty', () => ops.transpose(zeros([0, 3]), [1, 0]), [3, 0], []],
    ['logSoftmax of no rows', () => ops.logSoftmax(zeros([0, 3])), [0, 3], []],
    ['conv2d with no images', () => ops.conv2d(zeros([0, 1, 4, 4]), full([2, 1, 3, 3], 1)), [0, 2, 2, 2], []],
    ['conv2d with no output channels', () => ops.conv2d(full([1, 1, 4, 4], 1), zeros([0, 1, 3, 3])), [1, 0, 2, 2], []],
    [
      'conv2d with no input channels is zeros',
      () => ops.conv2d(zeros([1, 0, 4, 4]), zeros([2, 0, 3, 3])),
      [1, 2, 2, 2],
      [0, 0, 0, 0, 0, 0, 0, 0],
    ],
    ['maxPool2d with no images', () => ops.maxPool2d(zeros([0, 1, 4, 4])), [0, 1, 2, 2], []],
  ])('zero-size: %s', (_name, op, shape, values) => {
    const y = op();
    expect(y.shape).toEqual(shape);
    expect(Array.from(y.toArray())).toEqual(values);
  });

  test('zero-size JVPs: conv2d with no input channels has a zero tangent', () => {
    const [y, dy] = ops.conv2dJvp(zeros([1, 0, 4, 4]), zeros([1, 0, 4, 4]), zeros([2, 0, 3, 3]), zeros([2, 0, 3, 3]));
    expect(Array.from(y.toArray())).toEqual(new Array(8).fill(0));
    expect(Array.from(dy!.toArray())).toEqual(new Array(8).fill(0));
  });
});

describe('constructors refuse bad shapes before allocating', () => {
  test.each<[string, () => unknown, RegExp]>([
    [
      'zeros negative',
      () => zeros([2, -1]),
      /^zeros: invalid shape \[2,-1\]: dimension 1 is -1 \(dimensions must be integers ≥ 0\)$/,
    ],
    ['zeros fractional', () => zeros([2.5]), /^zeros: invalid shape \[2\.5\]: dimension 0 is 2\.5/],
    ['zeros NaN', () => zeros([NaN, 2]), /^zeros: invalid shape \[NaN,2\]: dimension 0 is NaN/],
    ['zeros string dimension', () => zeros(['3'] as never), /^zeros: invalid shape \["3"\]: dimension 0 is "3"/],
    ['zeros missing', () => (zeros as Function)(), /^zeros: shape must be an array of dimensions, got undefined$/],
    ['zeros a number', () => zeros(5 as never), /^zeros: shape must be an array of dimensions, got 5$/],
    [
      'zeros huge',
      () => zeros([1e5, 1e5, 10]),
      /^zeros: shape \[100000,100000,10\] has 100000000000 elements, more than a Float32Array can hold \(4294967296\)$/,
    ],
    ['full huge', () => full([2 ** 31, 3], 1), /^full: shape \[2147483648,3\] has 6442450944 elements/],
    ['full negative', () => full([-1], 0), /^full: invalid shape \[-1\]/],
    ['tensor negative', () => tensor([], [-1, 0]), /^tensor: invalid shape \[-1,0\]/],
    [
      'tensor huge',
      () => tensor([1], [2 ** 20, 2 ** 20]),
      /^tensor: shape \[1048576,1048576\] has 1099511627776 elements/,
    ],
    ['tensor bad shape type', () => tensor([1], 'x' as never), /^tensor: shape must be an array of dimensions, got x$/],
    ['randn fractional', () => randn([0.5], 1), /^randn: invalid shape \[0\.5\]/],
    ['randn huge', () => randn([2 ** 33], 1), /^randn: shape \[8589934592\] has 8589934592 elements/],
  ])('%s', (_name, call, error) => {
    expect(call).toThrow(error);
  });

  test('a zero-size shape is valid', () => {
    expect(zeros([0, 3]).size).toBe(0);
    expect(tensor([], [2, 0]).shape).toEqual([2, 0]);
  });
});
