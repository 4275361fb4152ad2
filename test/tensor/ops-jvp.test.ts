// Every tensor op and its JVP rule, on every backend that loads here: the value against the
// float64 reference, the tangent against central finite differences of that reference along
// random directions (all inputs active, and each input alone), vector mode (K directions = K
// single runs), and pre-stacked [x; ẋ] inputs (the no-copy path) = separate ones.
import { Rng } from '../../kernels/rng';
import { setBackend } from '../../kernels/select';
import * as R from '../../kernels/reference/ops';
import { BINARY, BINARY_OPS, UNARY, UNARY_OPS } from '../../kernels/elementwise';
import { Ref } from '../../kernels/reference/ops';
import { alongRefs, centralDifference } from '../support/fd';
import { Tensor } from '../../runtime/tensor/tensor';
import * as ops from '../../runtime/ops/index';
import { JvpResult } from '../../runtime/ops/tangents';
import { allocOut } from '../../runtime/ops/tangents';
import { BACKENDS, direction, domainInput, expectClose, randomTensor, stackDirections, toRef } from './helpers';

type Pair = [Tensor, Tensor | undefined];
interface Case {
  name: string;
  shapes: number[][];
  jvp: (...pairs: Pair[]) => JvpResult;
  ref: (...xs: Ref[]) => Ref;
  input?: { positive?: boolean; awayFromZero?: boolean }[];
  /** Relative (and absolute) tolerance of the value vs float64, and of the tangent vs finite differences. */
  tol: { y: number; dy: number };
}

const EW = { y: 2e-6, dy: 1e-5 }; // elementwise: a float32 rounding or two
const RED = { y: 1e-5, dy: 1e-4 }; // sums of up to ~100 terms in float32
const GEMM = { y: 1e-4, dy: 2e-4 }; // dot products of up to 65 terms (blocked orders differ by backend)

// Every op of the elementwise table gets cases (a new entry is tested without touching this file).
const unaryCases = UNARY_OPS.flatMap((op) =>
  [[3, 17], [63], [1]].map((shape): Case => ({
    name: `${op} ${JSON.stringify(shape)}`,
    shapes: [shape],
    jvp: ([x, dx]) => (ops as any)[`${op}Jvp`](x, dx),
    ref: (x) => R.unaryRef(op, x),
    input: [domainInput(UNARY[op].domain)],
    tol: EW,
  })),
);

const binaryCases = BINARY_OPS.flatMap((op) =>
  [
    [
      [17, 3],
      [17, 3],
    ],
    [[5, 17], [17]],
    [[17], [5, 17]],
    [
      [2, 3, 5],
      [3, 5],
    ],
    [[1], [1]],
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
  ].map(([sa, sb]): Case => ({
    name: `${op} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`,
    shapes: [sa, sb],
    jvp: ([a, da], [b, db]) => (ops as any)[`${op}Jvp`](a, da, b, db),
    ref: (a, b) => R.binaryRef(op, a, b),
    input: BINARY[op].domain.map(domainInput),
    tol: EW,
  })),
);

const reduceCases = (['sum', 'mean'] as const).flatMap((op) =>
  (
    [
      [[3, 17], undefined],
      [[3, 17], 0],
      [[3, 17], 1],
      [[3, 17, 5], -1],
      [[3, 17, 5], 1],
      [[65], 0],
    ] as [number[], number | undefined][]
  ).map(([shape, axis]): Case => ({
    name: `${op} ${JSON.stringify(shape)} axis ${axis}`,
    shapes: [shape],
    jvp: ([x, dx]) => (ops as any)[`${op}Jvp`](x, dx, axis),
    ref: (x) => R.sumRef(x, axis, op === 'mean'),
    tol: RED,
  })),
);

const convGeometries: [
  number[],
  number[],
  { stride?: number | [number, number]; padding?: number | [number, number] },
][] = [
  [[2, 3, 7, 6], [4, 3, 3, 2], {}], // non-square kernel
  [[1, 2, 9, 9], [3, 2, 3, 3], { stride: 2, padding: 1 }], // batch 1, stride 2, padding
  [[3, 1, 5, 7], [2, 1, 1, 1], {}], // 1×1 kernel
  [[2, 3, 8, 5], [5, 3, 3, 3], { stride: [2, 1], padding: [1, 0] }],
  [[1, 3, 17, 3], [1, 3, 2, 3], { padding: 1 }],
];
const pair = (v: number | [number, number] | undefined, d: number): [number, number] =>
  v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : v;

const cases: Case[] = [
  ...[
    [
      [3, 17],
      [17, 5],
    ],
    [
      [1, 63],
      [63, 1],
    ],
    [
      [65, 3],
      [3, 17],
    ],
    [
      [4, 65],
      [65, 63],
    ],
    [
      [129, 2],
      [2, 3],
    ],
  ].map(([sa, sb]): Case => ({
    name: `matmul ${JSON.stringify(sa)}·${JSON.stringify(sb)}`,
    shapes: [sa, sb],
    jvp: ([a, da], [b, db]) => ops.matmulJvp(a, da, b, db),
    ref: R.matmulRef,
    tol: GEMM,
  })),
  ...convGeometries.map(([sx, sw, o]): Case => ({
    name: `conv2d x${JSON.stringify(sx)} w${JSON.stringify(sw)} ${JSON.stringify(o)}`,
    shapes: [sx, sw],
    jvp: ([x, dx], [w, dw]) => ops.conv2dJvp(x, dx, w, dw, o),
    ref: (x, w) => R.conv2dRef(x, w, pair(o.stride, 1), pair(o.padding, 0)),
    tol: GEMM,
  })),
  ...(
    [
      [[2, 3, 6, 6], { size: 2 }],
      [[1, 2, 7, 5], { size: 3, stride: 2 }],
      [[2, 1, 5, 7], { size: [2, 3], stride: 1 }],
    ] as [number[], any][]
  ).map(([sx, o]): Case => ({
    name: `maxPool2d ${JSON.stringify(sx)} ${JSON.stringify(o)}`,
    shapes: [sx],
    jvp: ([x, dx]) => ops.maxPool2dJvp(x, dx, o),
    ref: (x) => R.maxPool2dRef(x, pair(o.size, 2), pair(o.stride ?? o.size, 2)),
    tol: EW,
  })),
  ...[
    [3, 17],
    [1, 5],
    [2, 3, 4],
  ].map((shape): Case => ({
    name: `logSoftmax ${JSON.stringify(shape)}`,
    shapes: [shape],
    jvp: ([x, dx]) => ops.logSoftmaxJvp(x, dx),
    ref: R.logSoftmaxRef,
    tol: RED,
  })),
  ...(
    [
      [
        [5, 17],
        [0, 16, 3, 3, 9],
      ],
      [[1, 3], [2]],
    ] as [number[], number[]][]
  ).map(([shape, labels]): Case => ({
    name: `softmaxCrossEntropy ${JSON.stringify(shape)}`,
    shapes: [shape],
    jvp: ([x, dx]) => ops.softmaxCrossEntropyJvp(x, dx, labels),
    ref: (x) => R.softmaxCrossEntropyRef(x, labels),
    tol: RED,
  })),
  ...(
    [
      [[3, 17], undefined],
      [[1, 65], undefined],
      [[2, 3, 4], undefined],
      [
        [2, 3, 4],
        [0, 2, 1],
      ],
      [
        [2, 3, 4, 5],
        [2, 0, 3, 1],
      ],
      [
        [3, 5],
        [0, 1],
      ],
    ] as [number[], number[] | undefined][]
  ).map(([shape, perm]): Case => ({
    name: `transpose ${JSON.stringify(shape)} perm ${JSON.stringify(perm)}`,
    shapes: [shape],
    jvp: ([x, dx]) => ops.transposeJvp(x, dx, perm),
    ref: (x) => R.transposeRef(x, perm),
    tol: EW,
  })),
  {
    name: 'reshape [3,17]→[17,-1]',
    shapes: [[3, 17]],
    jvp: ([x, dx]) => ops.reshapeJvp(x, dx, [17, -1]),
    ref: (x) => ({ data: x.data, shape: [17, 3] }),
    tol: EW,
  },
  ...unaryCases,
  ...binaryCases,
  ...reduceCases,
];

/** Runs a case with the given tangents; returns the value and tangent as float64 arrays. */
function run(c: Case, xs: Tensor[], vs: (Tensor | undefined)[]): { y: Tensor; dy: Tensor | undefined } {
  const [y, dy] = c.jvp(...xs.map((x, i): Pair => [x, vs[i]]));
  return { y, dy };
}

describe.each(BACKENDS)('ops and JVP rules on backend %s', (backendName) => {
  beforeAll(() => {
    setBackend(backendName);
  });
  afterAll(() => {
    setBackend('js');
  });

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const rng = new Rng(c.name.length * 7919 + 13);
    const xs = c.shapes.map((s, i) => randomTensor(rng, s, c.input?.[i]));
    const vs = c.shapes.map((s) => randomTensor(rng, s));
    const refs = () => xs.map(toRef);

    test('value matches the float64 reference; shape is right', () => {
      const { y, dy } = run(
        c,
        xs,
        xs.map(() => undefined),
      );
      const expected = c.ref(...refs());
      expect(y.shape).toEqual(expected.shape);
      expect(dy).toBeUndefined();
      expectClose(y.toArray(), expected.data, c.tol.y, c.tol.y, 'value');
    });

    // Every input active, then each input alone (the others' tangents undefined = zero).
    const subsets = [xs.map(() => true), ...(xs.length > 1 ? xs.map((_, i) => xs.map((__, j) => j === i)) : [])];
    test.each(subsets.map((s) => [s.map((a) => (a ? 'ẋ' : '0')).join(','), s] as const))(
      'tangent (%s) matches central differences',
      (_label, active) => {
        const tangents = vs.map((v, i) => (active[i] ? v : undefined));
        const { y, dy } = run(c, xs, tangents);
        const fd = centralDifference(
          alongRefs(
            c.ref,
            refs(),
            tangents.map((t) => (t ? toRef(t) : undefined)),
          ),
        );
        expect(dy!.shape).toEqual(y.shape);
        expectClose(dy!.toArray(), fd, c.tol.dy, c.tol.dy, 'tangent');
      },
    );

    test('vector mode: K=3 directions equal 3 single-direction runs', () => {
      const K = 3;
      const dirs = c.shapes.map((s) => Array.from({ length: K }, () => randomTensor(rng, s)));
      const { y, dy } = run(
        c,
        xs,
        dirs.map((d) => stackDirections(d)),
      );
      expect(dy!.shape).toEqual([K, ...y.shape]);
      for (let k = 0; k < K; k++) {
        const single = run(
          c,
          xs,
          dirs.map((d) => d[k]),
        );
        expectClose(y.toArray(), single.y.toArray(), 1e-6, 1e-6, 'value');
        expectClose(direction(dy!, k).toArray(), single.dy!.toArray(), 1e-5, 1e-5, `direction ${k}`);
      }
    });

    test.each([
      [1, false],
      [2, true],
    ])('inputs with [x; ẋ] already stacked in one buffer (K=%i) give the same result', (K, axis) => {
      const dirs = c.shapes.map((s) => Array.from({ length: K }, () => randomTensor(rng, s)));
      const tangents = dirs.map((d) => (axis ? stackDirections(d) : d[0]));
      const stacked = xs.map((x, i) => {
        const [p, t] = allocOut(x.shape, { K, axis, active: true });
        p.toArray().set(x.toArray());
        t!.toArray().set(tangents[i].toArray());
        return [p, t!] as const;
      });
      const a = run(c, xs, tangents),
        b = run(
          c,
          stacked.map((s) => s[0]),
          stacked.map((s) => s[1]),
        );
      expectClose(b.y.toArray(), a.y.toArray(), 1e-6, 1e-6, 'value');
      expectClose(b.dy!.toArray(), a.dy!.toArray(), 1e-5, 1e-5, 'tangent');
    });
  });
});
