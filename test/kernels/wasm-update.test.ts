// The optimizer update as a backend kernel (kernels/js/update.ts, kernels/wasm/update.ts) must give
// the bits of the loops the optimizers ran inline before (copied below from
// runtime/fgd/optimizers/{sgd,momentum,adam}.ts as they were), so fgd trajectories and checkpoint
// resumes do not change: js kernel, wasm kernel in the kernel memory on one and two threads, the
// wasm kernel's fallback for buffers elsewhere, and the optimizers themselves (through the current
// backend).
import type { UpdateArgs, UpdateRule } from '../../kernels/backend';
import { update as jsUpdate } from '../../kernels/js/update';
import { WasmUpdate } from '../../kernels/wasm/update';
import { Adam, Momentum, Sgd, type Optimizer } from '../../runtime/fgd/optimizers';
import { rng, uniform } from '../support/random';
import { Arena, bitsEqual, makeEngines, type Engines } from './wasm-ew-support';

// ---- the loops as the optimizers had them (float64 arithmetic, rounded on store) ----
type Old = { p: Float32Array; d: Float32Array; u: Float32Array; m: Float32Array; v: Float32Array };
const OLD = {
  sgd(o: Old, s: number | undefined, lr: number): void {
    const { p, d } = o;
    if (s === undefined) for (let i = 0; i < p.length; i++) p[i] -= lr * d[i];
    else for (let i = 0; i < p.length; i++) p[i] -= lr * Math.fround(0 + s * d[i]);
  },
  momentum(o: Old, s: number | undefined, lr: number, mu: number, nesterov: boolean): void {
    const { p, d, u } = o;
    for (let i = 0; i < p.length; i++) {
      const gi = s === undefined ? d[i] : Math.fround(0 + s * d[i]),
        ui = mu * u[i] + gi;
      u[i] = ui;
      p[i] -= lr * (nesterov ? gi + mu * ui : ui);
    }
  },
  adam(o: Old, s: number | undefined, lr: number, b1: number, b2: number, eps: number, t: number): void {
    const { p, d, m, v } = o;
    const c1 = 1 - b1 ** t,
      c2 = 1 - b2 ** t;
    for (let i = 0; i < p.length; i++) {
      const gi = s === undefined ? d[i] : Math.fround(0 + s * d[i]);
      const mi = b1 * m[i] + (1 - b1) * gi,
        vi = b2 * v[i] + (1 - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
    }
  },
};

const RULES = ['sgd', 'momentum', 'nesterov', 'adam'] as const;
type RuleName = (typeof RULES)[number];
const MU = 0.9,
  B1 = 0.9,
  B2 = 0.999,
  EPS = 1e-8;

function oldStep(name: RuleName, o: Old, s: number | undefined, lr: number, t: number): void {
  if (name === 'sgd') OLD.sgd(o, s, lr);
  else if (name === 'adam') OLD.adam(o, s, lr, B1, B2, EPS, t);
  else OLD.momentum(o, s, lr, MU, name === 'nesterov');
}

function ruleOf(name: RuleName, o: Old, t: number): UpdateRule {
  if (name === 'sgd') return { name };
  if (name === 'adam')
    return { name, beta1: B1, beta2: B2, epsilon: EPS, c1: 1 - B1 ** t, c2: 1 - B2 ** t, m: o.m, v: o.v };
  return { name: 'momentum', momentum: MU, nesterov: name === 'nesterov', u: o.u };
}

const N = 1001; // odd: the f64x2 loop's scalar tail runs too

/** Parameters, a direction with −0 and specials, and zero state (copies in `place` when given). */
function fresh(place?: (v: Float32Array) => Float32Array): Old {
  const put = place ?? ((v: Float32Array) => v.slice());
  const d = uniform(rng(11), N, -3, 3);
  d[0] = -0;
  d[1] = 0;
  d[2] = 1e-30;
  d[3] = -1e30;
  return {
    p: put(uniform(rng(10), N, -1, 1)),
    d: put(d),
    u: put(new Float32Array(N)),
    m: put(new Float32Array(N)),
    v: put(new Float32Array(N)),
  };
}

function expectSame(got: Old, want: Old, what: string): void {
  for (const k of ['p', 'u', 'm', 'v'] as const) bitsEqual(got[k], want[k], `${what} ${k}`);
}

let E: Engines;
beforeAll(() => {
  E = makeEngines();
});
afterAll(() => E.dispose());

describe('update kernels against the old optimizer loops', () => {
  const cases = RULES.flatMap((r) =>
    [undefined, -0.37].map((s) => [r, s === undefined ? 'gradient' : 'scaled', s] as const),
  );
  test.each(cases)('%s, %s: js, wasm 1 thread, wasm 2 threads (3 steps)', (name, _mode, s) => {
    const want = fresh(),
      js = fresh();
    const a = new Arena(E); // one bump allocator: the two runs' buffers must not overlap
    const runs = [
      { what: 'wasm 1 thread', k: new WasmUpdate(E.one), o: fresh((v) => a.copy(v)) },
      { what: 'wasm 2 threads', k: new WasmUpdate(E.two), o: fresh((v) => a.copy(v)) },
    ];
    for (let t = 1; t <= 3; t++) {
      const lr = 0.05 / t;
      oldStep(name, want, s, lr, t);
      const args = (o: Old): UpdateArgs => ({ rule: ruleOf(name, o, t), n: N, params: o.p, grad: o.d, scale: s, lr });
      jsUpdate(args(js));
      for (const r of runs) {
        E.calls.mockClear();
        r.k.update(args(r.o));
        expect(E.calls).toHaveBeenCalled(); // ran in wasm
      }
    }
    expectSame(js, want, 'js');
    for (const r of runs) expectSame(r.o, want, r.what);
    // The steps did something (a test of a no-op would pass too).
    expect(Array.from(want.p)).not.toEqual(Array.from(fresh().p));
  });

  test.each(['sgd', 'adam'] as const)(
    '%s with save (the guard snapshot in the same pass): the parameters before the step, bit for bit',
    (name) => {
      const a = new Arena(E);
      for (const k of [new WasmUpdate(E.one), new WasmUpdate(E.two)]) {
        const o = fresh((v) => a.copy(v));
        o.p[5] = NaN; // carried as it is
        o.p[6] = -0;
        const save = a.alloc(N).fill(7);
        const before = o.p.slice();
        const want = fresh();
        want.p.set(before);
        E.calls.mockClear();
        k.update({ rule: ruleOf(name, o, 1), n: N, params: o.p, grad: o.d, scale: 0.3, lr: 0.1, save });
        expect(E.calls).toHaveBeenCalled();
        bitsEqual(save, before, 'save');
        oldStep(name, want, 0.3, 0.1, 1);
        expectSame(o, want, 'updated');
      }
      // js kernel, and the wasm kernel with the save buffer outside the memory (then js)
      for (const run of [(g: UpdateArgs) => jsUpdate(g), (g: UpdateArgs) => new WasmUpdate(E.one).update(g)]) {
        const o = fresh((v) => a.copy(v)),
          before = o.p.slice(),
          save = new Float32Array(N);
        run({ rule: ruleOf(name, o, 1), n: N, params: o.p, grad: o.d, scale: 0.3, lr: 0.1, save });
        bitsEqual(save, before, 'save (js)');
      }
      expect(() =>
        jsUpdate({ rule: { name: 'sgd' }, n: N, params: fresh().p, grad: fresh().d, lr: 1, save: new Float32Array(3) }),
      ).toThrow(/js update: save has 3 elements, the step needs 1001/);
    },
  );

  test('buffers outside the kernel memory (or only some inside): the js kernel, same bits', () => {
    const a = new Arena(E);
    const want = fresh(),
      mixed = fresh();
    mixed.p = a.copy(mixed.p); // params in place, state elsewhere
    const got = fresh();
    E.calls.mockClear();
    for (const o of [got, mixed])
      new WasmUpdate(E.one).update({ rule: ruleOf('adam', o, 1), n: N, params: o.p, grad: o.d, scale: 2, lr: 0.1 });
    expect(E.calls).not.toHaveBeenCalled();
    oldStep('adam', want, 2, 0.1, 1);
    expectSame(got, want, 'outside');
    expectSame(mixed, want, 'mixed');
  });

  test('a state buffer shorter than the parameters is an Error naming it', () => {
    const o = fresh();
    expect(() =>
      jsUpdate({
        rule: { ...(ruleOf('adam', o, 1) as object), v: new Float32Array(3) } as UpdateRule,
        n: N,
        params: o.p,
        grad: o.d,
        lr: 1,
      }),
    ).toThrow(/js update: adam v has 3 elements, the step needs 1001/);
  });
});

describe('saveTo (the guard snapshot) through the optimizers, every buffer type', () => {
  test.each(RULES)(
    '%s: saveTo receives θ before the update, for Float32Array, Float64Array and number[] leaves',
    (name) => {
      const p32 = uniform(rng(30), 10),
        p64 = Float64Array.from(uniform(rng(31), 7)),
        pArr = Array.from(uniform(rng(32), 5));
      const params = [p32, p64, pArr];
      const grads = [uniform(rng(33), 10), Float64Array.from(uniform(rng(34), 7)), Array.from(uniform(rng(35), 5))];
      const opt: Optimizer =
        name === 'sgd'
          ? new Sgd()
          : name === 'adam'
            ? new Adam(params)
            : new Momentum(params, { nesterov: name === 'nesterov' });
      for (const method of ['step', 'stepScaled'] as const) {
        const before = params.map((b) => Array.from(b));
        const saveTo = [new Float32Array(10), new Float64Array(7), new Array<number>(5).fill(0)];
        if (method === 'step') opt.step(params, grads, 0.1, 1, saveTo);
        else opt.stepScaled!(params, grads, 0.5, 0.1, 2, saveTo);
        expect(saveTo.map((b) => Array.from(b))).toEqual(before);
        expect(params.map((b) => Array.from(b))).not.toEqual(before);
      }
      opt.dispose?.();
    },
  );
});

describe('Sgd, Momentum, Adam call the kernel with the old loops bits', () => {
  const make = (name: RuleName, p: Float32Array): Optimizer =>
    name === 'sgd'
      ? new Sgd()
      : name === 'adam'
        ? new Adam([p], { beta1: B1, beta2: B2, epsilon: EPS })
        : new Momentum([p], { momentum: MU, nesterov: name === 'nesterov' });
  test.each(
    RULES.flatMap(
      (r) =>
        [
          [r, 'step'],
          [r, 'stepScaled'],
        ] as const,
    ),
  )('%s.%s', (name, method) => {
    const want = fresh(),
      got = fresh();
    const opt = make(name, got.p);
    for (let t = 1; t <= 3; t++) {
      const lr = 0.05 / t;
      if (method === 'step') {
        oldStep(name, want, undefined, lr, t);
        opt.step([got.p], [got.d], lr, t);
      } else {
        oldStep(name, want, 0.8, lr, t);
        opt.stepScaled!([got.p], [got.d], 0.8, lr, t);
      }
    }
    bitsEqual(got.p, want.p, 'params');
    const slots = opt.state().slots;
    if (name === 'adam') {
      bitsEqual(slots.m[0] as Float32Array, want.m, 'm');
      bitsEqual(slots.v[0] as Float32Array, want.v, 'v');
    } else if (name !== 'sgd') bitsEqual(slots.u[0] as Float32Array, want.u, 'u');
    opt.dispose?.();
  });
});
