// Every tensor op's JVP (one direction and vector mode) and VJP (recomputed and with the taped
// forward's saved state) on the simulated device backend (test/support/sim-device.ts) gives the js
// backend's bits. Operands, tangents and cotangents are made resident first (the output of a ×1
// kernel), so each rule reads them as a device backend would, and reads its results back through
// the tensor layer's sync: a host access that skips it sees NaN.
import { Rng } from '../../kernels/rng';
import { getBackend, setBackend } from '../../kernels/select';
import { METHOD_RULES, OP_RULES } from '../../runtime/ops/rules';
import { TENSOR_OPS } from '../../runtime/ops/manifest';
import { mulJvp } from '../../runtime/ops/elementwise';
import { tensor } from '../../runtime/tensor/create';
import { Tensor } from '../../runtime/tensor/tensor';
import { tidy } from '../../runtime/tensor/pool';
import { isResident } from '../../kernels/residency';
import { SIM_DEVICE, registerSimDevice } from '../support/sim-device';

registerSimDevice();
const initial = getBackend().name;
afterAll(() => {
  setBackend(initial);
});

type Gen = (rng: Rng) => Tensor;
const values = (rng: Rng, n: number, f: (r: Rng) => number) => Array.from({ length: n }, () => f(rng));
const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);
const normal =
  (shape: number[]): Gen =>
  (r) =>
    tensor(
      values(r, size(shape), (q) => q.normal()),
      shape,
    );
const positive =
  (shape: number[]): Gen =>
  (r) =>
    tensor(
      values(r, size(shape), (q) => 0.5 + Math.abs(q.normal())),
      shape,
    );

interface Case {
  op: string;
  name: string;
  /** The op's arguments: generators for Tensors, anything else as it is. */
  args: (Gen | unknown)[];
}
const unary = (op: string, gen = normal): Case => ({ op, name: `${op} [3,4]`, args: [gen([3, 4])] });
const conv = (stride: number, padding: number, C: number): Case => ({
  op: 'conv2d',
  name: `conv2d stride ${stride} padding ${padding} C=${C}`,
  args: [normal([2, C, 5, 5]), normal([3, C, 3, 3]), { stride, padding }],
});

const CASES: Case[] = [
  { op: 'matmul', name: 'matmul [3,4]·[4,5]', args: [normal([3, 4]), normal([4, 5])] },
  conv(1, 1, 3),
  conv(2, 0, 2),
  conv(1, 3, 2), // padding beyond k−1: the input gradient goes through col2im
  { op: 'add', name: 'add [3,4]+[4]', args: [normal([3, 4]), normal([4])] },
  { op: 'add', name: 'add [2,3,2,2]+[3,1,1]', args: [normal([2, 3, 2, 2]), normal([3, 1, 1])] },
  { op: 'sub', name: 'sub 2.5−[3,4]', args: [2.5, normal([3, 4])] },
  { op: 'mul', name: 'mul [3,4]·[3,4]', args: [normal([3, 4]), normal([3, 4])] },
  { op: 'div', name: 'div [3,4]/[4]', args: [normal([3, 4]), positive([4])] },
  ...['neg', 'square', 'relu', 'tanh', 'sigmoid', 'exp', 'softplus'].map((op) => unary(op)),
  unary('log', positive),
  { op: 'sum', name: 'sum all', args: [normal([3, 4, 2])] },
  { op: 'sum', name: 'sum axis 1', args: [normal([3, 4, 2]), 1] },
  { op: 'mean', name: 'mean axis 0', args: [normal([3, 4, 2]), 0] },
  { op: 'reshape', name: 'reshape [3,4]→[2,-1]', args: [normal([3, 4]), [2, -1]] },
  { op: 'transpose', name: 'transpose [3,4]', args: [normal([3, 4])] },
  { op: 'transpose', name: 'transpose [2,3,4] perm [1,2,0]', args: [normal([2, 3, 4]), [1, 2, 0]] },
  { op: 'logSoftmax', name: 'logSoftmax [3,5]', args: [normal([3, 5])] },
  { op: 'maxPool2d', name: 'maxPool2d 2×2 stride 2', args: [normal([2, 3, 4, 4]), { size: 2, stride: 2 }] },
  { op: 'maxPool2d', name: 'maxPool2d 3×3 stride 1', args: [normal([1, 2, 5, 5]), { size: 3, stride: 1 }] },
  { op: 'softmaxCrossEntropy', name: 'softmaxCrossEntropy [4,5]', args: [normal([4, 5]), [0, 4, 2, 2]] },
];

/** t through a ×1 kernel: the same elements, resident on a device backend. */
const resident = (t: Tensor): Tensor => mulJvp(t, undefined, 1, undefined)[0];
const isGen = (a: unknown): a is Gen => typeof a === 'function';
const bitsOf = (xs: readonly (Tensor | number | undefined)[]): (number | null)[] =>
  xs.flatMap((x) =>
    x === undefined
      ? [null]
      : typeof x === 'number'
        ? Array.from(new Uint32Array(Float64Array.of(x).buffer))
        : Array.from(new Uint32Array(Float32Array.from(x.toArray()).buffer)),
  );

/** Every result of case c on the selected backend, as bits. */
function run(c: Case, K: number): (number | null)[] {
  return tidy(() => {
    const rng = new Rng(c.name.length * 7919 + K);
    const rule = OP_RULES[c.op],
      kinds = TENSOR_OPS[c.op].args;
    const args = c.args.map((a) => (isGen(a) ? resident(a(rng)) : a));
    const at = args.flatMap((a, i) => (a instanceof Tensor && kinds[i] === 'diff' ? [i] : []));
    const tangents = at.map((i) => {
      const x = args[i] as Tensor;
      return resident(K === 1 ? normal([...x.shape])(rng) : normal([K, ...x.shape])(rng));
    });
    const out: (Tensor | number | undefined)[] = [];
    // all tangents active, then each alone
    for (const only of [-1, ...at]) {
      const jvpArgs = args.flatMap((a, i) =>
        kinds[i] === 'diff'
          ? [a, at.includes(i) && (only < 0 || only === i) ? tangents[at.indexOf(i)] : undefined]
          : [a],
      );
      out.push(...(rule.jvp(...jvpArgs) as [Tensor, Tensor | undefined]));
    }
    if (K === 1) {
      const y = out[0] as Tensor;
      const u = resident(normal([...y.shape])(rng));
      const needs = args.map((_, i) => at.includes(i));
      out.push(...rule.vjp(u, y, args, needs));
      const taped = rule.taped?.(args);
      if (taped) {
        out.push(taped.y, ...rule.vjp(u, taped.y, args, needs, taped.saved));
        taped.saved.dispose();
      }
    }
    return bitsOf(out);
  });
}

test('the cases cover every op of the rule table', () => {
  expect([...new Set(CASES.map((c) => c.op))].sort()).toEqual(Object.keys(OP_RULES).sort());
});

test('resident() makes its result resident on the device backend', () => {
  setBackend(SIM_DEVICE);
  try {
    const t = resident(tensor([1, 2, 3], [3]));
    expect(isResident(t.kernelBuffer)).toBe(true);
    expect(Array.from(t.toArray())).toEqual([1, 2, 3]);
  } finally {
    setBackend('js');
  }
});

describe.each([1, 3])('K=%i: device = js, bit for bit', (K) => {
  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    setBackend('js');
    const js = run(c, K);
    setBackend(SIM_DEVICE);
    try {
      expect(run(c, K)).toEqual(js);
    } finally {
      setBackend('js');
    }
    expect(js.some((b) => b !== null)).toBe(true);
  });
});

test('item (the Tensor method rule): JVP and VJP', () => {
  const once = () =>
    tidy(() => {
      const x = resident(tensor([2.5], [])),
        dx = resident(tensor([-0.75], []));
      const [y, dy] = METHOD_RULES.item.jvp(x, dx) as unknown as [number, number];
      const [gx] = METHOD_RULES.item.vjp(resident(tensor([1.5], [])), x, [x], [true]);
      return bitsOf([y, dy, gx]);
    });
  setBackend('js');
  const js = once();
  setBackend(SIM_DEVICE);
  try {
    expect(once()).toEqual(js);
  } finally {
    setBackend('js');
  }
});
