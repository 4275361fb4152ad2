// Every reverse-mode rule of OP_RULES on every backend: the dot-product test against the op's own
// JVP, ⟨ū, J·v⟩ = ⟨Jᵀ·ū, v⟩ for random ū and v, and ⟨Jᵀ·ū, v⟩ against float64 central differences
// of ⟨ū, f_ref(x + h·v)⟩ through the float64 references of kernels/reference/ops.ts. The case list
// must cover every op of the table (a new op without a case fails here).
import { Rng } from '../../kernels/rng';
import { setBackend, getBackend } from '../../kernels/select';
import { alongRefs, centralDifference } from '../support/fd';
import {
  Ref,
  binaryRef,
  conv2dRef,
  logSoftmaxRef,
  matmulRef,
  maxPool2dRef,
  softmaxCrossEntropyRef,
  sumRef,
  transposeRef,
  unaryRef,
} from '../../kernels/reference/ops';
import { METHOD_RULES, OP_RULES } from '../../runtime/ops/rules';
import { TENSOR_OPS } from '../../runtime/ops/manifest';
import { tensor } from '../../runtime/tensor/create';
import { Tensor } from '../../runtime/tensor/tensor';
import { tidy } from '../../runtime/tensor/pool';
import { BACKENDS, randomTensor, toRef } from './helpers';

interface Case {
  readonly op: string;
  readonly name: string;
  /** The op's arguments as a user passes them (Tensors, numbers, statics). */
  readonly args: (rng: Rng) => unknown[];
  /** Float64 reference of the op over its Tensor arguments (in order). */
  readonly ref: (...xs: Ref[]) => Ref;
}

const normal = (shape: number[]) => (rng: Rng) => randomTensor(rng, shape);
const away = (shape: number[]) => (rng: Rng) => randomTensor(rng, shape, { awayFromZero: true });
const positive = (shape: number[]) => (rng: Rng) => randomTensor(rng, shape, { positive: true });
/** Distinct values 0.1 apart (shuffled), so no max-pool window has a near tie that h could flip. */
const distinct = (shape: number[]) => (rng: Rng) => {
  const n = shape.reduce((p, d) => p * d, 1),
    v = Array.from({ length: n }, (_, i) => 0.1 * i - 0.05 * n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [v[i], v[j]] = [v[j], v[i]];
  }
  return tensor(v, shape);
};

const unary = (op: string, gen = normal): Case => ({
  op,
  name: `${op} [3,4]`,
  args: (r) => [gen([3, 4])(r)],
  ref: (x) => unaryRef(op, x),
});
const convCase = (stride: number, padding: number, C: number, H = 5): Case => ({
  op: 'conv2d',
  name: `conv2d stride ${stride} padding ${padding} C=${C} ${H}×${H}`,
  args: (r) => [normal([2, C, H, H])(r), normal([3, C, 3, 3])(r), { stride, padding }],
  ref: (x, w) => conv2dRef(x, w, [stride, stride], [padding, padding]),
});

const CASES: Case[] = [
  { op: 'matmul', name: 'matmul [3,4]·[4,5]', args: (r) => [normal([3, 4])(r), normal([4, 5])(r)], ref: matmulRef },
  convCase(1, 0, 1),
  convCase(1, 1, 3),
  convCase(2, 0, 3),
  convCase(2, 1, 1),
  convCase(1, 1, 1, 6),
  convCase(2, 1, 3, 6),
  convCase(1, 3, 2), // padding beyond k−1: the input gradient cannot be one direct conv (col2im path on every backend)
  {
    op: 'conv2d',
    name: 'conv2d 2×1 kernel, stride [1,2], padding [1,0]',
    args: (r) => [normal([2, 2, 4, 5])(r), normal([3, 2, 2, 1])(r), { stride: [1, 2], padding: [1, 0] }],
    ref: (x, w) => conv2dRef(x, w, [1, 2], [1, 0]),
  },
  {
    op: 'add',
    name: 'add [3,4]+[4] (bias)',
    args: (r) => [normal([3, 4])(r), normal([4])(r)],
    ref: (a, b) => binaryRef('add', a, b),
  },
  {
    op: 'add',
    name: 'add [2,3,2,2]+[3,1,1] (conv bias)',
    args: (r) => [normal([2, 3, 2, 2])(r), normal([3, 1, 1])(r)],
    ref: (a, b) => binaryRef('add', a, b),
  },
  {
    op: 'sub',
    name: 'sub [3,4]−[3,1]',
    args: (r) => [normal([3, 4])(r), normal([3, 1])(r)],
    ref: (a, b) => binaryRef('sub', a, b),
  },
  {
    op: 'sub',
    name: 'sub 2.5−[3,4] (number operand)',
    args: (r) => [2.5, normal([3, 4])(r)],
    ref: (b) => binaryRef('sub', 2.5, b),
  },
  {
    op: 'mul',
    name: 'mul [3,4]·[4]',
    args: (r) => [normal([3, 4])(r), normal([4])(r)],
    ref: (a, b) => binaryRef('mul', a, b),
  },
  {
    op: 'mul',
    name: 'mul [3,4]·[3,4]',
    args: (r) => [normal([3, 4])(r), normal([3, 4])(r)],
    ref: (a, b) => binaryRef('mul', a, b),
  },
  {
    op: 'div',
    name: 'div [3,4]/[4]',
    args: (r) => [normal([3, 4])(r), positive([4])(r)],
    ref: (a, b) => binaryRef('div', a, b),
  },
  unary('neg'),
  unary('square'),
  unary('relu', away),
  unary('tanh'),
  unary('sigmoid'),
  unary('exp'),
  unary('log', positive),
  unary('softplus'),
  { op: 'sum', name: 'sum all', args: (r) => [normal([3, 4, 2])(r)], ref: (x) => sumRef(x) },
  { op: 'sum', name: 'sum axis 1', args: (r) => [normal([3, 4, 2])(r), 1], ref: (x) => sumRef(x, 1) },
  { op: 'sum', name: 'sum axis -1', args: (r) => [normal([3, 4, 2])(r), -1], ref: (x) => sumRef(x, -1) },
  { op: 'mean', name: 'mean all', args: (r) => [normal([3, 4, 2])(r)], ref: (x) => sumRef(x, undefined, true) },
  { op: 'mean', name: 'mean axis 0', args: (r) => [normal([3, 4, 2])(r), 0], ref: (x) => sumRef(x, 0, true) },
  {
    op: 'reshape',
    name: 'reshape [3,4]→[2,-1]',
    args: (r) => [normal([3, 4])(r), [2, -1]],
    ref: (x) => ({ data: x.data, shape: [2, 6] }),
  },
  { op: 'transpose', name: 'transpose [3,4]', args: (r) => [normal([3, 4])(r)], ref: (x) => transposeRef(x) },
  {
    op: 'transpose',
    name: 'transpose [2,3,4] perm [1,2,0]',
    args: (r) => [normal([2, 3, 4])(r), [1, 2, 0]],
    ref: (x) => transposeRef(x, [1, 2, 0]),
  },
  {
    op: 'transpose',
    name: 'transpose [2,3,4] perm [0,2,1]',
    args: (r) => [normal([2, 3, 4])(r), [0, 2, 1]],
    ref: (x) => transposeRef(x, [0, 2, 1]),
  },
  { op: 'logSoftmax', name: 'logSoftmax [3,5]', args: (r) => [normal([3, 5])(r)], ref: logSoftmaxRef },
  {
    op: 'maxPool2d',
    name: 'maxPool2d 2×2 stride 2',
    args: (r) => [distinct([2, 3, 4, 4])(r), { size: 2, stride: 2 }],
    ref: (x) => maxPool2dRef(x, [2, 2], [2, 2]),
  },
  {
    op: 'maxPool2d',
    name: 'maxPool2d 3×3 stride 1 (overlapping windows)',
    args: (r) => [distinct([1, 2, 5, 5])(r), { size: 3, stride: 1 }],
    ref: (x) => maxPool2dRef(x, [3, 3], [1, 1]),
  },
  {
    op: 'softmaxCrossEntropy',
    name: 'softmaxCrossEntropy [4,5]',
    args: (r) => [normal([4, 5])(r), [0, 4, 2, 2]],
    ref: (l) => softmaxCrossEntropyRef(l, [0, 4, 2, 2]),
  },
];

const dotF = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const absDot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] * b[i]);
  return s;
};

test('the cases cover every op of the rule table', () => {
  expect([...new Set(CASES.map((c) => c.op))].sort()).toEqual(Object.keys(OP_RULES).sort());
});

const initial = getBackend().name;
afterAll(() => {
  setBackend(initial);
});

describe.each(BACKENDS)('VJP rules on %s', (backend) => {
  beforeAll(() => {
    setBackend(backend);
  });

  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) =>
    tidy(() => {
      const rng = new Rng(c.name.length * 7919 + 1);
      const rule = OP_RULES[c.op],
        kinds = TENSOR_OPS[c.op].args;
      const args = c.args(rng);
      const tensorAt = args.flatMap((a, i) => (a instanceof Tensor && kinds[i] === 'diff' ? [i] : []));
      const v = tensorAt.map((i) => randomTensor(rng, (args[i] as Tensor).shape));
      const jvpArgs = args.flatMap((a, i) =>
        kinds[i] === 'diff' ? [a, a instanceof Tensor ? v[tensorAt.indexOf(i)] : undefined] : [a],
      );
      const [y, dy] = rule.jvp(...jvpArgs) as [Tensor, Tensor];
      const u = randomTensor(rng, y.shape);
      const needs = args.map((_, i) => tensorAt.includes(i));
      const gs = rule.vjp(u, y, args, needs);
      // one entry per argument of the op (an omitted trailing static option included)
      expect(gs.length).toBe(kinds.length);
      kinds.forEach((_, i) => {
        if (needs[i]) expect(gs[i]!.shape).toEqual((args[i] as Tensor).shape);
        else expect(gs[i]).toBeUndefined();
      });
      // ⟨ū, J·v⟩ (forward rule) = Σ_i ⟨Jᵢᵀ·ū, vᵢ⟩ (reverse rule). Both sides are float32 sums of a few
      // dozen products: agreement to 1e-5 of Σ|terms| (≈ 100 float32 roundings) is tight for that.
      const lhs = dotF(u.toArray(), dy.toArray());
      let rhs = 0,
        scale = absDot(u.toArray(), dy.toArray());
      tensorAt.forEach((i, j) => {
        rhs += dotF(gs[i]!.toArray(), v[j].toArray());
        scale += absDot(gs[i]!.toArray(), v[j].toArray());
      });
      expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-5 * scale + 1e-6);
      // Float64 central differences of ⟨ū, f_ref(x + h·v)⟩ at the same (float32-representable) point.
      const fd = centralDifference(
        alongRefs(
          (...xs) => ({ data: Float64Array.of(dotF(toRef(u).data, c.ref(...xs).data)), shape: [] }),
          tensorAt.map((i) => toRef(args[i] as Tensor)),
          v.map(toRef),
        ),
      )[0];
      expect(Math.abs(rhs - fd)).toBeLessThanOrEqual(1e-5 * scale + 1e-6);
      // Asking for one argument gives the same cotangent and leaves the others undefined.
      if (tensorAt.length === 2) {
        const only = rule.vjp(
          u,
          y,
          args,
          args.map((_, i) => i === tensorAt[1]),
        );
        expect(only[tensorAt[0]]).toBeUndefined();
        expect(Array.from(only[tensorAt[1]]!.toArray())).toEqual(Array.from(gs[tensorAt[1]]!.toArray()));
      }
    }),
  );

  test('item: x̄ = ȳ', () =>
    tidy(() => {
      const x = tensor([2.5], [1, 1]),
        g = METHOD_RULES.item.vjp(tensor(-1.5, []), x, [x], [true]);
      expect(g[0]!.shape).toEqual([1, 1]);
      expect(g[0]!.item()).toBe(-1.5);
    }));
});
