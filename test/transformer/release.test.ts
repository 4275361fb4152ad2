// Twins free dead tensors (transformer/emit/release.ts): forward mode needs no stored activations, so one jvp of the
// depth-scaling model must hold one layer's worth of intermediates, not L layers' (the paper's Fig. 6). Checked on
// the real model (runtime/models/deep-mlp.ts, compiled by the jest transform), bit-identical to the same code built
// with releaseDeadTensors: false; and on the programs where freeing would be wrong, which keep both their values and
// every tensor the caller can see.
import { deepMlp, DeepMlpParams, initDeepMlp } from '../../runtime/models/deep-mlp';
import { jvp } from '../../runtime/jvp';
import { fgd } from '../../runtime/fgd';
import { grad } from '../../runtime/grad';
import { keep, memoryInfo, resetPeakMemory, tidy } from '../../runtime/tensor/pool';
import { randn } from '../../runtime/tensor/create';
import { Tensor } from '../../runtime/tensor/tensor';
import { releaseTemp } from '../../runtime/twin-support';
import { reluJvp } from '../../runtime/ops/elementwise';
import { compile, expectNoDiagnostics, load, transformedSource } from '../support/compile';

// Small sizes keep the test fast; what is measured is how memory scales with L, which the width does not change.
const SIZES = { inputs: 24, width: 32, classes: 10 };
const B = 4;
const ACTIVATION = B * SIZES.width * 4; // bytes of one [B, width] float32 tensor

const bits = (t: Tensor): number[] => Array.from(new Uint32Array(Float32Array.from(t.toArray()).buffer));

interface Setup {
  p: DeepMlpParams;
  dp: DeepMlpParams;
  x: Tensor;
  labels: Int32Array;
}
function setup(L: number): Setup {
  const p = initDeepMlp(L, 3, SIZES);
  const dp = initDeepMlp(L, 4, SIZES); // any direction will do: the memory is what is measured
  const x = randn([B, SIZES.inputs], 5);
  const labels = Int32Array.from({ length: B }, (_, i) => i % SIZES.classes);
  return { p, dp, x, labels };
}

/** Bytes one jvp of the loss holds at its worst beyond what was alive before it, and the value and tangent bits. */
function measure(loss: Function, s: Setup): { extra: number; value: number[]; tangent: number[] } {
  return tidy(() => {
    const before = memoryInfo().liveBytes;
    resetPeakMemory();
    const [y, dy] = jvp<Tensor, Tensor>(loss, [s.p, s.x, s.labels], [s.dp, undefined, undefined]);
    return { extra: memoryInfo().peakBytes - before, value: bits(y), tangent: bits(dy) };
  });
}

// The same two functions as runtime/models/deep-mlp.ts, built without freeing: the reference ("before").
const DEEP_MLP_SRC = `import { Tensor, matmul, relu, softmaxCrossEntropy } from 'forwardgrad';
export interface DeepMlpParams { layers: Tensor[]; out: Tensor }
/** @forwardGrad */
export function deepMlpLogits(p: DeepMlpParams, x: Tensor): Tensor {
  let h = x;
  for (const w of p.layers) h = relu(matmul(h, w));
  return matmul(h, p.out);
}
/** @forwardGrad */
export function deepMlpLoss(p: DeepMlpParams, x: Tensor, labels: Int32Array): Tensor {
  return softmaxCrossEntropy(deepMlpLogits(p, x), labels);
}
`;
const kept = compile({ 'deep.ts': DEEP_MLP_SRC }, { releaseDeadTensors: false });
const freed = compile({ 'deep.ts': DEEP_MLP_SRC });

describe('deep MLP: one jvp holds one layer of intermediates, whatever the depth', () => {
  const DEPTHS = [1, 4, 16, 30, 100];
  const withRelease = new Map<number, ReturnType<typeof measure>>();
  const without = new Map<number, ReturnType<typeof measure>>();
  beforeAll(() => {
    expectNoDiagnostics(kept);
    expectNoDiagnostics(freed);
    const reference = load(kept, 'deep.ts').deepMlpLoss as Function;
    for (const L of DEPTHS) {
      const s = setup(L);
      without.set(L, measure(reference, s));
      withRelease.set(L, measure(deepMlp(L).loss, s));
    }
    // the report's numbers
    console.log(DEPTHS.map((L) => `L=${L}: ${without.get(L)!.extra} → ${withRelease.get(L)!.extra} bytes`).join('\n'));
  });

  test('values and tangents are bit-identical to the twin that frees nothing', () => {
    for (const L of DEPTHS) {
      expect(withRelease.get(L)!.value).toEqual(without.get(L)!.value);
      expect(withRelease.get(L)!.tangent).toEqual(without.get(L)!.tangent);
    }
  });

  test('peak is flat in L: the same for every L ≥ 2, and ≤ peak(1) + one activation pair', () => {
    // From L = 2 on, the worst moment is the same in every layer: the previous h, the matmul output and the relu
    // output (each primal + tangent). L = 1 never holds an owned previous h (h is still the input x), so it is
    // lower by exactly one [B, width] primal + tangent pair: the stated constant. Without freeing it grows by a layer per L.
    const base = withRelease.get(1)!.extra;
    for (const L of DEPTHS.slice(1)) {
      expect(withRelease.get(L)!.extra).toBe(withRelease.get(4)!.extra);
      expect(withRelease.get(L)!.extra).toBeLessThanOrEqual(base + 2 * ACTIVATION);
    }
  });

  test('the measurement can fail: without freeing, each layer adds its matmul and relu outputs (primal + tangent)', () => {
    // 2 tensors × (primal + tangent) per layer kept until the tidy scope ends
    const perLayer = 2 * 2 * ACTIVATION;
    expect(without.get(16)!.extra - without.get(1)!.extra).toBeGreaterThanOrEqual(15 * perLayer);
  });

  test('one fgd step: beyond its parameter-sized directions v, flat in L (and not without freeing)', () => {
    // fgd keeps v in pooled tangent tensors, one per parameter (ARCHITECTURE "Tensor memory"): that part grows with
    // the parameters, as it must; what is left is the twin's intermediates.
    const paramBytes = (p: DeepMlpParams) => 4 * (p.layers.reduce((n, w) => n + w.size, 0) + p.out.size);
    const step = (loss: Function, L: number): number => {
      const s = setup(L);
      const before = memoryInfo().liveBytes;
      resetPeakMemory();
      // guard off: its snapshot of θ is pooled too (parameter-sized like v, for every method)
      const r = fgd(loss, [s.p], {
        lr: 1e-3,
        iterations: 1,
        seed: 7,
        progress: false,
        guard: false,
        inputs: () => [s.x, s.labels],
      });
      expect(r.status).toBe('completed');
      return memoryInfo().peakBytes - before - paramBytes(s.p);
    };
    const reference = load(kept, 'deep.ts').deepMlpLoss as Function;
    const loss = deepMlp(1).loss;
    const freedPeak = [1, 4, 16].map((L) => step(loss, L)),
      keptPeak = [1, 4, 16].map((L) => step(reference, L));
    console.log(`fgd step beyond v, L = 1, 4, 16: ${keptPeak.join(', ')} → ${freedPeak.join(', ')} bytes`);
    expect(freedPeak[2]).toBe(freedPeak[1]);
    expect(freedPeak[2]).toBeLessThanOrEqual(freedPeak[0] + 2 * ACTIVATION);
    // the same bound fails without freeing: each layer's matmul and relu outputs (primal + tangent) stay
    expect(keptPeak[2] - keptPeak[0]).toBeGreaterThanOrEqual(15 * 2 * 2 * ACTIVATION);
  });

  test('the emitted twin frees the temporary and the previous h (and the primal function is untouched)', () => {
    const text = transformedSource(freed, 'deep.ts');
    expect(text).toContain('fg.releaseTemp(matmul_1, dmatmul_1);');
    expect(text).toMatch(/if \(h_owned\)\s+fg\.releaseTemp\(h, dh\);/);
    expect(text).toContain(
      '    for (const w of p.layers)\n        h = relu(matmul(h, w));\n    return matmul(h, p.out);',
    );
    expect(transformedSource(kept, 'deep.ts', { releaseDeadTensors: false })).not.toContain('releaseTemp');
  });
});

// ---- where freeing would be wrong ----

const CASES_SRC = `import { Tensor, add, full, mul, relu, sum, tanh } from 'forwardgrad';
/** returns its argument: its result is not a value the caller's twin owns */
function same(t: Tensor): Tensor { return t; }
/** @forwardGrad */
export function returned(x: Tensor): Tensor { let h = relu(x); h = tanh(h); return h; }
/** @forwardGrad */
export function pushed(x: Tensor): Tensor {
  const out: Tensor[] = [];
  let h = tanh(x);
  for (let i = 0; i < 3; i++) { h = tanh(h); out.push(h); }
  return add(add(out[0], out[1]), out[2]);
}
/** @forwardGrad */
export function aliased(x: Tensor): Tensor { let h = tanh(x); const g = h; h = mul(h, h); return add(g, h); }
/** @forwardGrad */
export function parameter(x: Tensor): Tensor { x = tanh(x); x = mul(x, x); return sum(x); }
/** @forwardGrad */
export function oneBranchOwns(x: Tensor, c: number): Tensor {
  let h = x;
  if (c > 0) h = tanh(x);
  h = mul(h, h);
  h = tanh(h);
  return sum(h);
}
/** @forwardGrad */
export function userResult(x: Tensor): Tensor { let h = same(x); h = tanh(h); h = mul(h, h); return sum(h); }
/** @forwardGrad */
export function fieldRead(o: { w: Tensor }, x: Tensor): Tensor { let h = o.w; h = mul(h, x); h = tanh(h); return sum(h); }
/** @forwardGrad */
export function readsShape(x: Tensor): Tensor { let h = tanh(x); h = tanh(h); const s = sum(h); h = full(h.shape, h.shape[0]); return add(h, s); }
/** @forwardGrad */
export function alwaysOwned(x: Tensor): Tensor { let h = tanh(x); h = tanh(h); h = relu(h); return sum(h); }
`;

describe('cases where freeing would be wrong keep values and every tensor the caller sees', () => {
  const on = compile({ 'cases.ts': CASES_SRC });
  const off = compile({ 'cases.ts': CASES_SRC }, { releaseDeadTensors: false });
  const text = transformedSource(on, 'cases.ts');
  const twinText = (name: string): string => {
    const at = text.indexOf(`function ${name}_jvp(`);
    return text.slice(at, text.indexOf('fg.registerJvp', at));
  };
  let a: Record<string, Function>, b: Record<string, Function>;
  beforeAll(() => {
    expectNoDiagnostics(on);
    expectNoDiagnostics(off);
    a = load(on, 'cases.ts');
    b = load(off, 'cases.ts');
  });

  const x0 = () => randn([3, 4], 9, { scale: 0.7 });
  const dx0 = () => randn([3, 4], 10);
  /** Runs the twin built with and without freeing on fresh copies; checks bits and that no argument was disposed. */
  const same = (name: string, args: () => unknown[], tangents: () => unknown[]): { out: [unknown, unknown] } => {
    const argsA = args(),
      tanA = tangents(),
      argsB = args(),
      tanB = tangents();
    const ya = jvp(a[name], argsA, tanA),
      yb = jvp(b[name], argsB, tanB);
    const flat = (v: unknown): unknown => (v instanceof Tensor ? bits(v) : v);
    expect(flat(ya[0])).toEqual(flat(yb[0]));
    expect(flat(ya[1])).toEqual(flat(yb[1]));
    const visible = [...argsA, ...tanA, ya[0], ya[1]].flatMap((v) =>
      v instanceof Tensor ? [v] : v && typeof v === 'object' ? Object.values(v) : [],
    );
    for (const t of visible) if (t instanceof Tensor) expect(t.isDisposed).toBe(false);
    return { out: ya };
  };

  test('a returned variable is never freed', () => {
    same(
      'returned',
      () => [x0()],
      () => [dx0()],
    );
    expect(twinText('returned')).not.toContain('releaseTemp(h');
  });

  test('a variable pushed into an array is never freed (every pushed value stays alive)', () => {
    same(
      'pushed',
      () => [x0()],
      () => [dx0()],
    );
    expect(twinText('pushed')).not.toContain('releaseTemp(h');
  });

  test('an aliased variable is never freed', () => {
    same(
      'aliased',
      () => [x0()],
      () => [dx0()],
    );
    expect(twinText('aliased')).not.toContain('releaseTemp(h');
  });

  test('a reassigned parameter is never freed (the caller still holds it)', () => {
    same(
      'parameter',
      () => [x0()],
      () => [dx0()],
    );
    expect(twinText('parameter')).not.toContain('releaseTemp(x');
  });

  test('a branch where only one path owns: freed by flag, the input kept on the other path', () => {
    for (const c of [1, -1])
      same(
        'oneBranchOwns',
        () => [x0(), c],
        () => [dx0(), 0],
      );
    expect(twinText('oneBranchOwns')).toMatch(/if \(h_owned\)\s+fg\.releaseTemp\(h, dh\);/);
  });

  test("a user function's result (here its own argument) is not owned", () => {
    same(
      'userResult',
      () => [x0()],
      () => [dx0()],
    );
    expect(twinText('userResult')).toMatch(/let h_owned = false;/);
  });

  test('a field read is not owned (the object keeps its tensor)', () => {
    const o = () => ({ w: randn([3, 4], 11) });
    const { out } = same(
      'fieldRead',
      () => [o(), x0()],
      () => [{ w: dx0() }, dx0()],
    );
    expect(out).toBeDefined();
    expect(twinText('fieldRead')).toMatch(/let h_owned = false;/);
  });

  test('an owned value read for its shape after the reassignment: the read happens before the free', () => {
    same(
      'readsShape',
      () => [x0()],
      () => [dx0()],
    );
    const t = twinText('readsShape');
    expect(t.indexOf('= full(h.shape, h.shape[0]);')).toBeGreaterThan(-1);
    expect(t.indexOf('= full(h.shape, h.shape[0]);')).toBeLessThan(t.lastIndexOf('fg.releaseTemp(h, dh);'));
  });

  test('every value owned: freed without a flag', () => {
    same(
      'alwaysOwned',
      () => [x0()],
      () => [dx0()],
    );
    const t = twinText('alwaysOwned');
    expect(t).not.toContain('h_owned');
    expect(t.match(/fg\.releaseTemp\(h, dh\);/g)).toHaveLength(2);
  });
});

describe('releaseTemp', () => {
  test('frees the primal and tangent views of one fused output (the buffer returns to the pool)', () => {
    tidy(() => {
      const x = randn([5, 6], 1),
        dx = randn([5, 6], 2);
      const before = memoryInfo().liveBytes;
      const [y, dy] = reluJvp(x, dx);
      expect(memoryInfo().liveBytes).toBe(before + 2 * 30 * 4);
      releaseTemp(y, dy);
      expect(y.isDisposed && dy!.isDisposed).toBe(true);
      expect(memoryInfo().liveBytes).toBe(before);
    });
  });

  test('numbers, undefined, already disposed tensors: nothing to do', () => {
    tidy(() => {
      const [y] = reluJvp(randn([2], 1), undefined);
      releaseTemp(y, undefined);
      expect(() => releaseTemp(y, undefined)).not.toThrow();
      expect(() => releaseTemp(3, 0)).not.toThrow();
    });
  });

  test('a kept tensor is left to its owner', () => {
    const y = tidy(() => keep(reluJvp(randn([2], 1), undefined)[0]));
    releaseTemp(y, undefined);
    expect(y.isDisposed).toBe(false);
    y.dispose();
  });

  test('anything else is an error naming releaseTemp', () => {
    expect(() => releaseTemp({}, undefined)).toThrow(
      /releaseTemp: expected a Tensor, a number or undefined \(an op result\), got object/,
    );
  });
});

describe('fixtures/tensor-release.ts (its emitted code is a baseline): JVP = ⟨∇f, v⟩ by backprop, and = the twin that frees nothing', () => {
  const FILE = require('path').resolve(__dirname, '../../fixtures/tensor-release.ts');
  const text = require('fs').readFileSync(FILE, 'utf8') as string;
  const on = compile({ [FILE]: text });
  const off = compile({ [FILE]: text }, { releaseDeadTensors: false });
  let a: Record<string, Function>, b: Record<string, Function>;
  beforeAll(() => {
    expectNoDiagnostics(on);
    expectNoDiagnostics(off);
    a = load(on, FILE, '../runtime/index');
    b = load(off, FILE, '../runtime/index');
  });

  const layers = () => [
    randn([6, 5], 1, { scale: 0.5 }),
    randn([5, 5], 2, { scale: 0.5 }),
    randn([5, 5], 3, { scale: 0.5 }),
  ];
  const dot = (g: Tensor, v: Tensor): number => {
    const x = g.toArray(),
      y = v.toArray();
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * y[i];
    return s;
  };

  test.each([
    [
      'deep',
      () => [layers(), randn([4, 6], 4)],
      () => [layers().map((w, i) => randn(w.shape, 10 + i)), randn([4, 6], 5)],
    ],
    ['owned', () => [randn([3, 4], 6), randn([3, 4], 7)], () => [randn([3, 4], 8), randn([3, 4], 9)]],
  ] as [string, () => unknown[], () => unknown[]][])('%s', (name, args, dirs) => {
    tidy(() => {
      const p = args(),
        v = dirs();
      const [y, dy] = jvp<Tensor, Tensor>(a[name], p, v);
      const [y0, dy0] = jvp<Tensor, Tensor>(b[name], p, v);
      expect(bits(y)).toEqual(bits(y0));
      expect(bits(dy)).toEqual(bits(dy0));
      const g = grad(a[name], p).gradient;
      const flatG = (g as unknown[]).flatMap((x) => (Array.isArray(x) ? x : [x])) as Tensor[];
      const flatV = v.flatMap((x) => (Array.isArray(x) ? x : [x])) as Tensor[];
      const expected = flatG.reduce((s, t, i) => s + dot(t, flatV[i]), 0);
      // float32 forward vs reverse over ≤ 3 layers of width ≤ 6: the two orders of summation differ by a few ulps of
      // the O(1) terms, far below 1e-5 relative (a wrong rule is off by O(1))
      expect(Math.abs(dy.item() - expected)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(expected)));
      for (const t of [...p, ...v].flatMap((x) => (Array.isArray(x) ? x : [x])) as Tensor[])
        expect(t.isDisposed).toBe(false);
    });
  });

  test('collected: every value pushed into the returned array stays alive and equals the reference', () => {
    tidy(() => {
      const x = randn([3, 4], 12, { scale: 0.5 }),
        dx = randn([3, 4], 13);
      const [ys, dys] = jvp<Tensor[], Tensor[]>(a.collected, [x, 4], [dx, 0]);
      const [ys0, dys0] = jvp<Tensor[], Tensor[]>(b.collected, [x, 4], [dx, 0]);
      expect(ys).toHaveLength(4);
      ys.forEach((t, i) => {
        expect(bits(t)).toEqual(bits(ys0[i]));
        expect(bits(dys[i])).toEqual(bits(dys0[i]));
      });
      expect(x.isDisposed || dx.isDisposed).toBe(false);
    });
  });
});

// Closures, array callbacks and spread (supported since the `lang` merge): a captured or spread value can be reached
// after the reassignment, so the variable is never freed; temporaries inside a callback's twin still are.
const LANG_SRC = `import { Tensor, add, matmul, mul, relu, tanh } from 'forwardgrad';
/** @forwardGrad */
export function captured(x: Tensor): Tensor { let h = tanh(x); const f = () => h; h = tanh(h); return add(f(), h); }
/** @forwardGrad */
export function capturedByArg(x: Tensor): Tensor { let h = tanh(x); const g = (t: Tensor) => mul(t, h); h = tanh(h); return add(g(x), h); }
/** @forwardGrad */
export function mapped(x: Tensor, ws: Tensor[]): Tensor {
  let h = tanh(x);
  const ys = ws.map((w) => relu(matmul(h, w)));
  h = tanh(h);
  return add(ys[0], h);
}
/** @forwardGrad */
export function spread(x: Tensor): Tensor[] { let h = tanh(x); const a = [h]; h = tanh(h); return [...a, h]; }
`;

describe('closures, array callbacks, spread: the variable is kept, values exact', () => {
  const on = compile({ 'lang.ts': LANG_SRC });
  const off = compile({ 'lang.ts': LANG_SRC }, { releaseDeadTensors: false });
  const text = transformedSource(on, 'lang.ts');
  const twinText = (name: string): string => {
    const at = text.indexOf(`function ${name}_jvp(`);
    return text.slice(at, text.indexOf('fg.registerJvp', at));
  };
  let a: Record<string, Function>, b: Record<string, Function>;
  beforeAll(() => {
    expectNoDiagnostics(on);
    expectNoDiagnostics(off);
    a = load(on, 'lang.ts');
    b = load(off, 'lang.ts');
  });
  const flat = (v: unknown): Tensor[] => (v instanceof Tensor ? [v] : Array.isArray(v) ? v.flatMap(flat) : []);

  test.each([
    ['captured', () => [randn([3, 4], 1)], () => [randn([3, 4], 2)]],
    ['capturedByArg', () => [randn([3, 4], 1)], () => [randn([3, 4], 2)]],
    [
      'mapped',
      () => [randn([3, 4], 1), [randn([4, 4], 3), randn([4, 4], 4)]],
      () => [randn([3, 4], 2), [randn([4, 4], 5), randn([4, 4], 6)]],
    ],
    ['spread', () => [randn([3, 4], 1)], () => [randn([3, 4], 2)]],
  ] as [string, () => unknown[], () => unknown[]][])('%s', (name, args, dirs) => {
    tidy(() => {
      const p = args(),
        v = dirs();
      const [y, dy] = jvp(a[name], p, v);
      const [y0, dy0] = jvp(b[name], p, v);
      expect(flat(y).map(bits)).toEqual(flat(y0).map(bits));
      expect(flat(dy).map(bits)).toEqual(flat(dy0).map(bits));
      for (const t of [...flat(p), ...flat(v), ...flat(y), ...flat(dy)]) expect(t.isDisposed).toBe(false);
      expect(twinText(name)).not.toContain('releaseTemp(h');
    });
  });

  test("a callback's own temporaries are freed inside its twin", () => {
    expect(twinText('mapped')).toContain('fg.releaseTemp(matmul_1, dmatmul_1);');
  });
});
