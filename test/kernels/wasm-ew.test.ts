// The wasm elementwise family (kernels/wasm/elementwise.ts, reduce.ts, pool.ts over
// assembly/ew.as) with operands IN the kernel memory, against the js kernels (same bits: every op
// here is one float32 rounding of the js loop's float64 value, or the same float64 operations)
// and the table's float64 references; the fallback to js for operands elsewhere; and the
// two-thread split (same bits as one thread).
//
// In-place operands: these tests build their own engines over one memory (to spy on ewRun and to
// force every call to split), so they take Float32Array views of that memory at byte 32 MiB and
// up (`Arena` in wasm-ew-support.ts) where the tensor heap would place tensors; the kernels use
// only the arena's first bytes (the parameter block and small copies). The backend as the tensor
// layer reaches it, operands from its own heap: wasm-ew-backend.test.ts.
import { BINARY, UNARY, type BinaryOp, type UnaryOp } from '../../kernels/elementwise';
import type { BinaryArgs, MaxPool2dArgs, ReduceArgs, UnaryArgs } from '../../kernels/backend';
import { jsBackend } from '../../kernels/js';
import { WasmElementwise } from '../../kernels/wasm/elementwise';
import { WasmReduce } from '../../kernels/wasm/reduce';
import { WasmPool } from '../../kernels/wasm/pool';
import { rng, uniform } from '../support/random';
import { Arena, bitsEqual, makeEngines, type Engines } from './wasm-ew-support';

let E: Engines;
beforeAll(() => {
  E = makeEngines();
});
afterAll(() => E.dispose());

/** The three ways to run: one thread, two threads (every call split), and the js kernel. */
const modes = () => [
  { name: '1 thread', ew: new WasmElementwise(E.one), red: new WasmReduce(E.one), pool: new WasmPool(E.one) },
  { name: '2 threads', ew: new WasmElementwise(E.two), red: new WasmReduce(E.two), pool: new WasmPool(E.two) },
];

const SPECIALS = [0, -0, NaN, Infinity, -Infinity, 1e-40, -1e-40, 3.4e38, -2.5];

/** n float32 values in [-2, 2) with the special values sprinkled in. */
function values(seed: number, n: number, specials = true): Float32Array {
  const v = uniform(rng(seed), n, -2, 2);
  if (specials) for (let i = 0; i < SPECIALS.length && 7 * i < n; i++) v[7 * i] = SPECIALS[i];
  return v;
}

describe('unary in the kernel memory', () => {
  const OPS: UnaryOp[] = ['relu', 'neg', 'square']; // one float32 rounding: the js loop's bits
  test.each(OPS.flatMap((op) => [1, 3].map((K) => [op, K] as const)))('%s, K = %i: js bits and float64', (op, K) => {
    const n = 1027,
      xo = 3,
      dxo = 5;
    const x = values(1, n + xo),
      dx = values(2, K * n + dxo);
    const ref = { y: new Float32Array(n + 1).fill(7), dy: new Float32Array(K * n + 2).fill(7) };
    const args = (a: Arena | undefined): UnaryArgs => {
      const put = (v: Float32Array) => (a ? a.copy(v) : v.slice());
      return {
        op,
        n,
        x: put(x),
        xOffset: xo,
        y: put(ref.y),
        yOffset: 1,
        dx: put(dx),
        dxOffset: dxo,
        dy: put(ref.dy),
        dyOffset: 2,
        directions: K,
      };
    };
    const want = args(undefined);
    jsBackend.unary(want);
    for (const m of modes()) {
      const a = new Arena(E);
      const got = args(a);
      E.calls.mockClear();
      m.ew.unary(got);
      expect(E.calls).toHaveBeenCalled(); // it ran in wasm, not through the js fallback
      bitsEqual(got.y, want.y, `${m.name} y`);
      bitsEqual(got.dy!, want.dy!, `${m.name} dy`);
    }
    // The float64 definition: these ops are exact in float64, so y = fround(ref(x)), dy = fround(dref(x)·dx).
    const e = UNARY[op];
    for (let i = 0; i < n; i++) {
      const xi = x[xo + i];
      expect(Object.is(want.y[1 + i], Math.fround(e.ref(xi))) || (xi !== xi && want.y[1 + i] !== want.y[1 + i])).toBe(
        true,
      );
      for (let k = 0; k < K; k++) {
        const d = e.dref(xi) * dx[dxo + k * n + i],
          got = want.dy![2 + k * n + i];
        if (Number.isNaN(d)) expect(got).toBeNaN();
        else expect(got).toBe(Math.fround(d));
      }
    }
  });

  test('value only (no tangent)', () => {
    const a = new Arena(E);
    const x = a.copy(values(3, 10)),
      y = a.alloc(10),
      want = new Float32Array(10);
    new WasmElementwise(E.one).unary({ op: 'relu', n: 10, x, xOffset: 0, y, yOffset: 0 });
    jsBackend.unary({ op: 'relu', n: 10, x: x.slice(), xOffset: 0, y: want, yOffset: 0 });
    bitsEqual(y, want, 'relu');
  });
});

/** The spacing of float32 numbers at |v| (the denormal spacing 2⁻¹⁴⁹ below 2⁻¹²⁶). */
function ulp32(v: number): number {
  const a = Math.abs(v);
  return a < 2 ** -126 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23);
}

/** Index of the first element farther than `tol` float32 ulps from want (NaN ↔ NaN, ±∞ exact), or −1. */
function firstBeyond(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): number {
  for (let i = 0; i < want.length; i++) {
    const g = got[i],
      w = want[i];
    const wf = Math.fround(w); // beyond FLT_MAX the float32 answer is ±∞
    if (Number.isNaN(w) ? Number.isNaN(g) : !Number.isFinite(wf) ? g === wf : Math.abs(g - w) <= tol * ulp32(w))
      continue;
    return i;
  }
  return -1;
}

describe('transcendental unary ops in the kernel memory (float32 approximations)', () => {
  // Where each op is swept (linear, or log-spaced for log); exp stops short of the overflow edge
  // (88.72), where a 1-ulp error decides between FLT_MAX and ∞; log starts at 1e-37: below
  // 1/FLT_MAX its derivative 1/x is ∞ in float32 (the tangent d·dx too, where float64 is finite).
  const RANGES: Record<string, [number, number, boolean]> = {
    tanh: [-30, 30, false],
    sigmoid: [-110, 110, false],
    exp: [-104, 88, false],
    log: [1e-37, 3e38, true],
    softplus: [-110, 110, false],
  };
  // Measured worst over 2²⁰-point sweeps: 2.65 ulp for a value, 3.51 ulp for a derivative; the
  // bounds add one ulp (and the tangent's one rounding of d·dx), so a wrong coefficient, a lost
  // term or a cancellation (e.g. tanh' as 1 − y² with y rounded: 2²⁴ ulp) fails.
  const VALUE_ULPS = 4,
    TANGENT_ULPS = 5;
  test.each(Object.keys(RANGES) as UnaryOp[])(
    '%s: float64 within 4 ulp (5 for tangents), js alike, 1 and 2 threads the same bits, K = 2',
    (op) => {
      const [lo, hi, logSpaced] = RANGES[op];
      const sweep = 20011,
        n = sweep + 1000 + SPECIALS.length,
        K = 2;
      const x = new Float32Array(n);
      for (let i = 0; i < sweep; i++)
        x[i] = logSpaced
          ? Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * i) / (sweep - 1))
          : lo + ((hi - lo) * i) / (sweep - 1);
      x.set(values(21, 1000, false), sweep);
      x.set(SPECIALS, sweep + 1000);
      const dx = uniform(rng(22), K * n, -1, 1);
      const e = UNARY[op];
      const y64 = Array.from(x, (v) => e.ref(v)),
        dy64 = Array.from(dx, (d, j) => e.dref(x[j % n]) * d);
      const outs = modes().map((m) => {
        const a = new Arena(E);
        const args: UnaryArgs = {
          op,
          n,
          x: a.copy(x),
          xOffset: 0,
          y: a.alloc(n),
          yOffset: 0,
          dx: a.copy(dx),
          dxOffset: 0,
          dy: a.alloc(K * n),
          dyOffset: 0,
          directions: K,
        };
        E.calls.mockClear();
        m.ew.unary(args);
        expect(E.calls).toHaveBeenCalled();
        return { y: args.y.slice(), dy: args.dy!.slice() };
      });
      bitsEqual(outs[1].y, outs[0].y, '2 threads y');
      bitsEqual(outs[1].dy, outs[0].dy, '2 threads dy');
      const bad = (got: Float32Array, want: number[], tol: number, what: string) => {
        const i = firstBeyond(got, want, tol);
        if (i >= 0)
          throw new Error(
            `${op} ${what}: element ${i} (x = ${x[i % n]}) is ${got[i]}, float64 ${want[i]} (> ${tol} ulp)`,
          );
      };
      bad(outs[0].y, y64, VALUE_ULPS, 'value');
      bad(outs[0].dy, dy64, TANGENT_ULPS, 'tangent');
      // The js kernel's values are within an ulp of float64, so within the bound plus one of these.
      // (Not its tangents: 1 − y² and y(1 − y) from a rounded y lose tanh' and sigmoid' tails that
      // this kernel keeps, e.g. tanh' at −30: js 0, float64 and wasm 1.7e−26.)
      const js = {
        op,
        n,
        x,
        xOffset: 0,
        y: new Float32Array(n),
        yOffset: 0,
      };
      jsBackend.unary(js);
      bad(outs[0].y, Array.from(js.y), VALUE_ULPS + 1, 'value vs js');
    },
  );
});

/** A binary case: output n, operand a/b lengths and inners, tangent presence and strides. */
interface BinCase {
  name: string;
  n: number;
  aLen: number;
  aInner?: number;
  bLen: number;
  bInner?: number;
}
const BIN_CASES: BinCase[] = [
  { name: 'same shape', n: 1031, aLen: 1031, bLen: 1031 },
  { name: 'bias [N] over [M,N] (b repeats)', n: 13 * 37, aLen: 13 * 37, bLen: 37 },
  { name: 'bias [N] over [M,N] (a repeats)', n: 13 * 37, aLen: 37, bLen: 13 * 37 },
  { name: '[C,1,1] over [N,C,H,W] (b inner H·W)', n: 2 * 5 * 7 * 9, aLen: 2 * 5 * 7 * 9, bLen: 5, bInner: 63 },
  { name: '[C,1,1] over [C,H,W] (a inner H·W)', n: 3 * 6, aLen: 3, aInner: 6, bLen: 3 * 6 },
  { name: 'scalar b', n: 101, aLen: 101, bLen: 1 },
  { name: 'scalar a', n: 101, aLen: 1, bLen: 101 },
];
const TANGENTS = [
  { name: 'da and db', da: true, db: true, shared: false },
  { name: 'da only', da: true, db: false, shared: false },
  { name: 'db only', da: false, db: true, shared: false },
  { name: 'shared (stride 0) db', da: true, db: true, shared: true },
];

describe('binary in the kernel memory', () => {
  const OPS: BinaryOp[] = ['add', 'sub', 'mul', 'div'];
  const cases = OPS.flatMap((op) =>
    BIN_CASES.flatMap((c) => TANGENTS.flatMap((t) => [1, 3].map((K) => [op, c.name, t.name, K, c, t] as const))),
  );
  test.each(cases)('%s, %s, %s, K = %i: js bits', (op, _c, _t, K, c, t) => {
    const seed = c.n * 7 + K;
    const dbStride = t.shared ? 0 : c.bLen;
    const src = {
      a: values(seed, c.aLen + 2, op !== 'div'),
      b: values(seed + 1, c.bLen + 1, op !== 'div'),
      da: values(seed + 2, K * c.aLen),
      db: values(seed + 3, (K - 1) * dbStride + c.bLen),
    };
    const args = (a: Arena | undefined, copyAll = true): BinaryArgs => {
      const put = (v: Float32Array, inMem: boolean) => (a && inMem ? a.copy(v) : v.slice());
      return {
        op,
        n: c.n,
        a: put(src.a, copyAll || c.aLen === c.n),
        aOffset: 2,
        aLen: c.aLen,
        aInner: c.aInner,
        b: put(src.b, copyAll || c.bLen === c.n),
        bOffset: 1,
        bLen: c.bLen,
        bInner: c.bInner,
        y: put(new Float32Array(c.n + 3).fill(5), true),
        yOffset: 3,
        da: t.da ? put(src.da, copyAll || c.aLen === c.n) : undefined,
        daOffset: 0,
        db: t.db ? put(src.db, copyAll || c.bLen === c.n) : undefined,
        dbOffset: 0,
        dbStride,
        dy: put(new Float32Array(K * c.n).fill(5), true),
        dyOffset: 0,
        directions: K,
      };
    };
    const want = args(undefined);
    jsBackend.binary(want);
    for (const m of modes()) {
      // Everything in place, then only the full-size operands (the repeating one is copied in).
      for (const copyAll of [true, false]) {
        const got = args(new Arena(E), copyAll);
        E.calls.mockClear();
        m.ew.binary(got);
        expect(E.calls).toHaveBeenCalled();
        bitsEqual(got.y, want.y, `${m.name} y`);
        bitsEqual(got.dy!, want.dy!, `${m.name} dy`);
      }
    }
  });

  test.each(OPS)('%s: float64 reference for value and tangent (bias over rows, K = 2)', (op) => {
    const M = 9,
      N = 22,
      n = M * N,
      K = 2;
    const a = new Arena(E);
    const A = a.copy(values(40, n, false)),
      B = a.copy(values(41, N, false).map((v) => (op === 'div' ? Math.sign(v || 1) * (0.5 + Math.abs(v)) : v)));
    const dA = a.copy(values(42, K * n, false)),
      dB = a.copy(values(43, K * N, false));
    const y = a.alloc(n),
      dy = a.alloc(K * n);
    new WasmElementwise(E.two).binary({
      op,
      n,
      a: A,
      aOffset: 0,
      aLen: n,
      b: B,
      bOffset: 0,
      bLen: N,
      y,
      yOffset: 0,
      da: dA,
      daOffset: 0,
      db: dB,
      dbOffset: 0,
      dy,
      dyOffset: 0,
      directions: K,
    });
    const e = BINARY[op];
    for (let i = 0; i < n; i++) {
      const av = A[i],
        bv = B[i % N];
      // One rounding of the exact value: |error| ≤ 2⁻²⁴·|value|.
      const r = e.ref(av, bv);
      expect(Math.abs(y[i] - r)).toBeLessThanOrEqual(2 ** -24 * Math.abs(r));
      const [ga, gb] = e.dref(av, bv);
      for (let k = 0; k < K; k++) {
        const t1 = ga * dA[k * n + i],
          t2 = gb * dB[k * N + (i % N)];
        // float32 rounding of the sum, plus float64 roundings of the partials (∂/∂b of div is two divisions).
        const bound = 2 ** -24 * Math.abs(t1 + t2) + 2 ** -50 * (Math.abs(t1) + Math.abs(t2)) + 1e-45;
        expect(Math.abs(dy[k * n + i] - (t1 + t2))).toBeLessThanOrEqual(bound);
      }
    }
  });
});

describe('operands outside the kernel memory', () => {
  test('copied through the arena: wasm runs, same bits as js (and as in place)', () => {
    const x = values(5, 64),
      dx = values(6, 64);
    const got = { y: new Float32Array(64), dy: new Float32Array(64) },
      want = { y: new Float32Array(64), dy: new Float32Array(64) };
    E.calls.mockClear();
    new WasmElementwise(E.one).unary({
      op: 'relu',
      n: 64,
      x,
      xOffset: 0,
      ...got,
      yOffset: 0,
      dx,
      dxOffset: 0,
      dyOffset: 0,
    });
    expect(E.calls).toHaveBeenCalledTimes(1);
    jsBackend.unary({ op: 'relu', n: 64, x, xOffset: 0, ...want, yOffset: 0, dx, dxOffset: 0, dyOffset: 0 });
    bitsEqual(got.y, want.y, 'relu y');
    bitsEqual(got.dy, want.dy, 'relu dy');
    // one operand in place, the other and the output elsewhere
    const a = new Arena(E);
    const b = a.copy(values(7, 64));
    new WasmElementwise(E.one).binary({
      op: 'mul',
      n: 64,
      a: x,
      aOffset: 0,
      aLen: 64,
      b,
      bOffset: 0,
      bLen: 64,
      y: got.y,
      yOffset: 0,
    });
    expect(E.calls).toHaveBeenCalledTimes(2);
    jsBackend.binary({ op: 'mul', n: 64, a: x, aOffset: 0, aLen: 64, b, bOffset: 0, bLen: 64, y: want.y, yOffset: 0 });
    bitsEqual(got.y, want.y, 'mul y');
  });

  test('too large to copy in at once: the exact ops go to js, tanh and the row sums run in slices (in-place bits)', () => {
    const e = E.one.e,
      saved = e.end;
    const n = 1000,
      K = 2;
    const x = values(8, n, false),
      dx = values(9, K * n, false);
    // tanh in place (the reference bits), then with every operand outside and a 600-float arena
    const a = new Arena(E);
    const inPlace = {
      op: 'tanh' as const,
      n,
      x: a.copy(x),
      xOffset: 0,
      y: a.alloc(n),
      yOffset: 0,
      dx: a.copy(dx),
      dxOffset: 0,
      dy: a.alloc(K * n),
      dyOffset: 0,
      directions: K,
    };
    new WasmElementwise(E.one).unary(inPlace);
    const outside = { ...inPlace, x, y: new Float32Array(n), dx, dy: new Float32Array(K * n) };
    const sums = {
      x: values(10, 20 * 50, false),
      y: new Float32Array(20),
      xOffset: 0,
      yOffset: 0,
      outer: 20,
      len: 50,
      inner: 1,
      scale: 0.5,
    };
    const sumsInPlace = { ...sums, x: a.copy(sums.x), y: a.alloc(20) };
    new WasmReduce(E.one).reduce(sumsInPlace);
    try {
      e.end = e.start + 600;
      E.calls.mockClear();
      new WasmElementwise(E.one).unary(outside);
      expect(E.calls.mock.calls.length).toBeGreaterThan(2 * K); // slices × directions
      new WasmReduce(E.one).reduce(sums);
      E.calls.mockClear();
      const r = { op: 'relu' as const, n, x, xOffset: 0, y: new Float32Array(n), yOffset: 0 };
      new WasmElementwise(E.one).unary(r);
      expect(E.calls).not.toHaveBeenCalled(); // js: the same bits
      const rj = { ...r, y: new Float32Array(n) };
      jsBackend.unary(rj);
      bitsEqual(r.y, rj.y, 'relu');
    } finally {
      e.end = saved;
    }
    bitsEqual(outside.y, inPlace.y, 'tanh y');
    bitsEqual(outside.dy, inPlace.dy, 'tanh dy');
    bitsEqual(sums.y, sumsInPlace.y, 'row sums');
  });

  test('an operand too short for the call is an Error naming the op, not a write past it', () => {
    const a = new Arena(E);
    const x = a.alloc(10),
      y = a.alloc(8);
    expect(() => new WasmElementwise(E.one).unary({ op: 'relu', n: 10, x, xOffset: 0, y, yOffset: 0 })).toThrow(
      /wasm relu: y needs elements \[0, 10\), has 8/,
    );
    expect(() =>
      new WasmReduce(E.one).reduce({ x, xOffset: 4, outer: 1, len: 10, inner: 1, scale: 1, y, yOffset: 0 }),
    ).toThrow(/wasm reduce: x needs/);
  });
});

describe('reduce in the kernel memory', () => {
  const CASES: [string, number, number, number][] = [
    ['sum of everything (inner 1)', 1, 4099, 1],
    ['rows (inner 1)', 37, 23, 1],
    ['columns (inner > 1)', 5, 19, 33],
    ['middle axis', 3, 7, 6],
  ];
  test.each(CASES)('%s: js and float64', (_name, outer, len, inner) => {
    const x = values(outer * 31 + len, 2 + outer * len * inner, false);
    const args = (mem: Arena | undefined): ReduceArgs => ({
      x: mem ? mem.copy(x) : x.slice(),
      xOffset: 2,
      outer,
      len,
      inner,
      scale: 1 / len,
      y: mem ? mem.alloc(outer * inner + 1) : new Float32Array(outer * inner + 1),
      yOffset: 1,
    });
    const want = args(undefined);
    jsBackend.reduce(want);
    for (const m of modes()) {
      const got = args(new Arena(E));
      E.calls.mockClear();
      m.red.reduce(got);
      expect(E.calls).toHaveBeenCalled();
      // inner > 1 sums each output in the js loop's order: same bits. inner = 1 sums in 4 float64
      // lanes: the float64 sums differ by ≤ len·2⁻⁵³·Σ|x|, under half a float32 ulp here.
      if (inner > 1) bitsEqual(got.y, want.y, m.name);
      else
        for (let o = 0; o < outer; o++) {
          let abs = 0;
          for (let j = 0; j < len; j++) abs += Math.abs(x[2 + o * len + j]);
          expect(Math.abs(got.y[1 + o] - want.y[1 + o])).toBeLessThanOrEqual(
            2 ** -23 * Math.abs(want.y[1 + o]) + (len * 2 ** -52 * abs) / len,
          );
        }
    }
    // float64 definition
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        let s = 0,
          abs = 0;
        for (let j = 0; j < len; j++) {
          s += x[2 + (o * len + j) * inner + i];
          abs += Math.abs(x[2 + (o * len + j) * inner + i]);
        }
        expect(Math.abs(want.y[1 + o * inner + i] - s / len)).toBeLessThanOrEqual((2 ** -24 * abs) / len + 1e-45);
      }
  });
});

describe('maxPool2d in the kernel memory', () => {
  const CASES: [string, number, number, number, number, number, number, number][] = [
    // name, planes, h, w, kh, kw, sh, sw
    ['2×2 stride 2 (SIMD path, outW 6: a block of 4 and 2 more)', 5, 12, 13, 2, 2, 2, 2],
    ['2×2 stride 2, the CNN plane 28×28', 3, 28, 28, 2, 2, 2, 2],
    ['3×2 window, stride 2×1', 4, 7, 5, 3, 2, 2, 1],
    ['overlapping 3×3 stride 1', 2, 6, 6, 3, 3, 1, 1],
  ];
  test.each(CASES)('%s: js bits, argmax, K = 2 tangent', (_n, planes, h, w, kh, kw, sh, sw) => {
    const outH = Math.floor((h - kh) / sh) + 1,
      outW = Math.floor((w - kw) / sw) + 1;
    const X = planes * h * w,
      P = planes * outH * outW,
      K = 2;
    const x = values(planes * h + w, X + 1);
    // ties: a constant patch, and a window holding −∞ only
    x.fill(0.25, 10, 20);
    x.fill(-Infinity, X - 2 * w, X + 1);
    const dx = values(9, K * X + 3);
    const args = (mem: Arena | undefined, argmaxInMem: boolean): MaxPool2dArgs => ({
      x: mem ? mem.copy(x) : x.slice(),
      xOffset: 1,
      planes,
      h,
      w,
      kh,
      kw,
      strideH: sh,
      strideW: sw,
      outH,
      outW,
      y: mem ? mem.alloc(P) : new Float32Array(P),
      yOffset: 0,
      argmax: mem && argmaxInMem ? mem.allocInt(P) : new Int32Array(P),
      dx: mem ? mem.copy(dx) : dx.slice(),
      dxOffset: 3,
      dy: mem ? mem.alloc(K * P + 2) : new Float32Array(K * P + 2),
      dyOffset: 2,
      directions: K,
    });
    const want = args(undefined, false);
    jsBackend.maxPool2d(want);
    for (const m of modes())
      for (const argmaxInMem of [true, false]) {
        const got = args(new Arena(E), argmaxInMem);
        E.calls.mockClear();
        m.pool.maxPool2d(got);
        expect(E.calls).toHaveBeenCalled();
        bitsEqual(got.y, want.y, `${m.name} y`);
        expect(Array.from(got.argmax!)).toEqual(Array.from(want.argmax!));
        bitsEqual(got.dy!, want.dy!, `${m.name} dy`);
      }
    // The definition: each output is its window's max (NaN if the window holds one), at its argmax.
    for (let p = 0, o = 0; p < planes; p++)
      for (let oy = 0; oy < outH; oy++)
        for (let ox = 0; ox < outW; ox++, o++) {
          const win: number[] = [];
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) win.push(x[1 + p * h * w + (oy * sh + i) * w + ox * sw + j]);
          const best = win.some(Number.isNaN) ? NaN : Math.max(...win);
          expect(Object.is(want.y![o], best) || (best === 0 && want.y![o] === 0)).toBe(true);
          expect(Object.is(x[1 + want.argmax![o]], best) || best === 0).toBe(true);
        }
  });
});
