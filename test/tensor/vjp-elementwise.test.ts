// Every elementwise VJP (runtime/ops/elementwise.ts ELEMENTWISE_RULES), on every backend that
// loads here, including broadcast operands ([B,N]+[N], [N,C,H,W]+[C,1,1], a number operand):
// (a) the dot-product test ⟨ū, J v⟩ = ⟨Jᵀū, v⟩ per argument, J v from the op's JVP and Jᵀū from
//     its VJP, on random ū, v;
// (b) Jᵀū against float64 central differences of the table's reference, column by column;
// plus the VJP contract (fresh tensors of each argument's shape, `needs`, numbers → undefined).
//
// Tolerance (both checks): each compared number is a sum of products ū_i·∂_i·v_j (or ū_i·∂_i) in
// float32 — one float32 rounding per factor and ≤ 120 terms summed per reduced element (the
// [2,3,4,5]+[3,1,1] case sums 40), so its error is ≤ (120 + 8)·2⁻²⁴ ≈ 7.6e-6 < 1e-5 of Σ|terms|
// (`scale` below), plus an absolute 5e-7·Σ|ū|·|v| because gpu.js forms tanh' = 1 − y² and
// sigmoid' = y(1 − y) from the float32 y (an absolute error of a few 2⁻²⁴ in ∂). Float64 central
// differences with h = 1e-6 add ~1e-10, negligible. A wrong sign, factor or missing broadcast
// sum is off by O(Σ|terms|), 10⁵ times the tolerance.
import { Rng } from '../../kernels/rng';
import { setBackend } from '../../kernels/select';
import { BINARY, BINARY_OPS, UNARY, UNARY_OPS } from '../../kernels/elementwise';
import { Ref, binaryRef, unaryRef } from '../../kernels/reference/ops';
import { Tensor } from '../../runtime/tensor/tensor';
import { memoryInfo } from '../../runtime/tensor/pool';
import { ELEMENTWISE_RULES } from '../../runtime/ops/elementwise';
import type { OpRule } from '../../runtime/ops/rule';
import { BACKENDS, domainInput, randomTensor, toRef } from './helpers';
import { centralDifference } from '../support/fd';

const RTOL = 1e-5,
  ATOL = 5e-7;

type Arg = Tensor | number;
interface Case {
  name: string;
  op: string;
  /** Argument shapes; a number operand is `number`. */
  shapes: (number[] | number)[];
  input: { positive?: boolean; awayFromZero?: boolean }[];
  ref: (...xs: Ref[]) => Ref;
}

const UNARY_SHAPES = [[3, 17], [63], [1]];
// [a, b]: equal shapes, a bias [N] on [B,N] (either side), [1,N], [B,1], a conv bias [C,1,1] on
// [N,C,H,W] (either side), [C,1,1] on [C,H,W], and number operands (either side).
const BINARY_SHAPES: (number[] | number)[][] = [
  [
    [5, 17],
    [5, 17],
  ],
  [[5, 17], [17]],
  [[17], [5, 17]],
  [
    [5, 17],
    [1, 17],
  ],
  [
    [5, 1],
    [5, 17],
  ],
  [
    [2, 3, 4, 5],
    [3, 1, 1],
  ],
  [
    [3, 1, 1],
    [2, 3, 4, 5],
  ],
  [
    [3, 4, 5],
    [3, 1, 1],
  ],
  [
    [2, 3, 5],
    [3, 5],
  ],
  [[5, 17], 1.75],
  [-0.75, [5, 17]],
];

// Cases come from the table: an op added there is tested here without touching this file.
const cases: Case[] = [
  ...UNARY_OPS.flatMap((op) =>
    UNARY_SHAPES.map((s): Case => ({
      name: `${op} ${JSON.stringify(s)}`,
      op,
      shapes: [s],
      input: [domainInput(UNARY[op].domain)],
      ref: (x) => unaryRef(op, x),
    })),
  ),
  ...BINARY_OPS.flatMap((op) =>
    BINARY_SHAPES.map(([sa, sb]): Case => ({
      name: `${op} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`,
      op,
      shapes: [sa, sb],
      input: BINARY[op].domain.map(domainInput),
      ref: (a, b) => binaryRef(op, a, b),
    })),
  ),
];

test('every rule of ELEMENTWISE_RULES has test cases, and every table op has a rule', () => {
  const tested = new Set(cases.map((c) => c.op));
  expect(Object.keys(ELEMENTWISE_RULES).sort()).toEqual([...UNARY_OPS, ...BINARY_OPS].sort());
  for (const op of Object.keys(ELEMENTWISE_RULES)) expect(tested.has(op)).toBe(true);
  for (const r of Object.values(ELEMENTWISE_RULES)) {
    expect(typeof r.jvp).toBe('function');
    expect(typeof r.vjp).toBe('function');
    expect(r.rule).toMatch(/^ẏ = /);
    expect(r.vjpRule).toMatch(/^x̄ = |^ā = /);
  }
});

const dot = (u: ArrayLike<number>, v: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i] * v[i];
  return s;
};
const absDot = (u: ArrayLike<number>, v: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += Math.abs(u[i] * v[i]);
  return s;
};
const absSum = (u: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += Math.abs(u[i]);
  return s;
};
const maxAbs = (u: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < u.length; i++) m = Math.max(m, Math.abs(u[i]));
  return m;
};

/** A number argument is a shape-[] ref holding it (binaryRef broadcasts it like the op). */
const refOf = (x: Arg): Ref => (typeof x === 'number' ? { data: Float64Array.of(x), shape: [] } : toRef(x));

describe.each(BACKENDS)('elementwise VJPs on backend %s', (backendName) => {
  beforeAll(() => {
    setBackend(backendName);
  });
  afterAll(() => {
    setBackend('js');
  });

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const rule: OpRule = ELEMENTWISE_RULES[c.op];
    const rng = new Rng(c.name.length * 104729 + c.op.charCodeAt(0));
    const xs: Arg[] = c.shapes.map((s, i) => (typeof s === 'number' ? s : randomTensor(rng, s, c.input[i])));
    const jvp = (tangents: (Tensor | undefined)[]): [Tensor, Tensor | undefined] =>
      rule.jvp(...xs.flatMap((x, i) => [x, tangents[i]])) as [Tensor, Tensor | undefined];
    const y = jvp(xs.map(() => undefined))[0];
    const u = randomTensor(rng, y.shape);
    const tensorArgs = xs
      .map((x, i) => [x, i] as const)
      .filter(([x]) => x instanceof Tensor)
      .map(([, i]) => i);

    test.each(tensorArgs)('dot product: ⟨ū, J v⟩ = ⟨Jᵀū, v⟩ for argument %i', (i) => {
      const v = randomTensor(rng, (xs[i] as Tensor).shape);
      const [, jv] = jvp(xs.map((_, j) => (j === i ? v : undefined)));
      const grads = rule.vjp(
        u,
        y,
        xs,
        xs.map((_, j) => j === i),
      );
      const g = grads[i]!;
      expect(g.shape).toEqual((xs[i] as Tensor).shape);
      const lhs = dot(u.toArray(), jv!.toArray()),
        rhs = dot(g.toArray(), v.toArray());
      const scale = absDot(u.toArray(), jv!.toArray());
      expect(scale).toBeGreaterThan(0);
      expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(RTOL * scale + ATOL * absSum(u.toArray()) * maxAbs(v.toArray()));
    });

    test('Jᵀū matches float64 central differences of the reference, per input element', () => {
      const grads = rule.vjp(
        u,
        y,
        xs,
        xs.map(() => true),
      );
      const ref0 = xs.map(refOf),
        ud = u.toArray();
      for (const i of tensorArgs) {
        const g = grads[i]!.toArray();
        for (let j = 0; j < g.length; j++) {
          const shifted = (t: number): Ref[] =>
            ref0.map((r, k) => (k !== i ? r : { data: r.data.map((d, q) => (q === j ? d + t : d)), shape: r.shape }));
          const col = centralDifference((t) => c.ref(...shifted(t)).data); // column j of J
          const want = dot(ud, col),
            scale = absDot(ud, col);
          const covered = ud.reduce((s, uq, q) => s + (col[q] !== 0 ? Math.abs(uq) : 0), 0);
          const err = Math.abs(g[j] - want),
            tol = RTOL * scale + ATOL * covered + 1e-9;
          if (!(err <= tol))
            throw new Error(`argument ${i} element ${j}: ${g[j]}, expected ${want} (tolerance ${tol})`);
        }
      }
    });

    test("contract: fresh tensors of each argument's shape, numbers and unneeded arguments undefined, ȳ untouched", () => {
      const before = Float32Array.from(u.toArray());
      const all = rule.vjp(
        u,
        y,
        xs,
        xs.map(() => true),
      );
      expect(all).toHaveLength(xs.length);
      xs.forEach((x, i) => {
        if (typeof x === 'number') {
          expect(all[i]).toBeUndefined();
          return;
        }
        expect(all[i]!.shape).toEqual(x.shape);
        expect(all[i]!.storage).not.toBe(u.storage);
        // Each argument alone gives the same cotangent as all at once (shared work, same numbers).
        const alone = rule.vjp(
          u,
          y,
          xs,
          xs.map((_, j) => j === i),
        );
        expect(alone.every((g, j) => (j === i ? g !== undefined : g === undefined))).toBe(true);
        expect(Array.from(alone[i]!.toArray())).toEqual(Array.from(all[i]!.toArray()));
      });
      expect(
        rule
          .vjp(
            u,
            y,
            xs,
            xs.map(() => false),
          )
          .every((g) => g === undefined),
      ).toBe(true);
      expect(Array.from(u.toArray())).toEqual(Array.from(before));
    });

    test('no buffer leaks: repeated VJPs whose results are disposed allocate nothing new', () => {
      const step = (): void => {
        for (const g of rule.vjp(
          u,
          y,
          xs,
          xs.map(() => true),
        ))
          g?.dispose();
      };
      step();
      const before = memoryInfo().allocations;
      step();
      step();
      expect(memoryInfo().allocations).toBe(before);
    });
  });

  test.each([...UNARY_OPS, ...BINARY_OPS])('%s: a cotangent of the wrong shape is an error naming the op', (op) => {
    const rule = ELEMENTWISE_RULES[op],
      x = randomTensor(new Rng(1), [2, 3], { positive: true });
    const args = op in UNARY ? [x] : [x, x];
    const y = rule.jvp(...args.flatMap((a) => [a, undefined]))[0] as Tensor;
    expect(() =>
      rule.vjp(
        randomTensor(new Rng(2), [3, 2]),
        y,
        args,
        args.map(() => true),
      ),
    ).toThrow(`${op}: the output cotangent ȳ has shape [3,2], expected the output's [2,3]`);
  });
});
