import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createOptimizer, Adam, Momentum, Sgd } from '../../runtime/fgd/optimizers';
import type { OptimizerSpec } from '../../runtime/fgd/optimizers';
import { gradientAt } from '../../runtime/fgd/optimizers/optimizer';
import { writeFileAtomic, AtomicFs } from '../../runtime/fgd/atomic';
import { Tensor } from '../../runtime/tensor/tensor';

// Reference updates written out per element in float64, for comparison with the buffered ones.
function adamRef(p: number, g: number[], lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number {
  let m = 0,
    v = 0;
  g.forEach((gi, k) => {
    const t = k + 1;
    m = b1 * m + (1 - b1) * gi;
    v = b2 * v + (1 - b2) * gi * gi;
    p -= (lr * (m / (1 - b1 ** t))) / (Math.sqrt(v / (1 - b2 ** t)) + eps);
  });
  return p;
}
function momentumRef(p: number, g: number[], lr: number, mu: number, nesterov: boolean): number {
  let u = 0;
  for (const gi of g) {
    u = mu * u + gi;
    p -= lr * (nesterov ? gi + mu * u : u);
  }
  return p;
}

const grads = [
  [0.5, -1, 2],
  [0.1, 0.3, -0.2],
  [-1, 0, 4],
];

describe('optimizers', () => {
  test('sgd: θ − η·g on numbers[], Float32Array, Float64Array and Tensor buffers', () => {
    const t = new Tensor(Float32Array.of(1, 2), [2]);
    const params = [[1, 2], Float32Array.of(1, 2), Float64Array.of(1, 2), t.toArray()];
    new Sgd().step(
      params,
      params.map(() => [0.5, -1]),
      0.1,
      1,
    );
    for (const p of params)
      expect(Array.from(p)).toEqual(
        [1 - 0.1 * 0.5, 2 + 0.1].map((x) => (p instanceof Float32Array ? Math.fround(x) : x)),
      );
    expect(Array.from(t.toArray())).toEqual([Math.fround(0.95), Math.fround(2.1)]);
  });

  test.each([
    [0.9, false],
    [0.5, true],
  ] as const)('momentum μ=%f nesterov=%s matches the reference over 3 steps', (mu, nesterov) => {
    const p = [Float64Array.of(1, -2, 3)];
    const opt = new Momentum(p, { momentum: mu, nesterov });
    grads.forEach((g, k) => opt.step(p, [Float64Array.from(g)], 0.1, k + 1));
    [0, 1, 2].forEach((i) =>
      expect(p[0][i]).toBeCloseTo(
        momentumRef(
          [1, -2, 3][i],
          grads.map((g) => g[i]),
          0.1,
          mu,
          nesterov,
        ),
        14,
      ),
    );
  });

  test('adam matches the reference over 3 steps (bias correction by step)', () => {
    const p = [[1, -2, 3]];
    const opt = new Adam(p);
    grads.forEach((g, k) => opt.step(p, [g], 0.01, k + 1));
    [0, 1, 2].forEach((i) =>
      expect(p[0][i]).toBeCloseTo(
        adamRef(
          [1, -2, 3][i],
          grads.map((g) => g[i]),
          0.01,
        ),
        14,
      ),
    );
  });

  test('state round-trips: a loaded optimizer continues identically', () => {
    const p1 = [Float64Array.of(1, 2)],
      p2 = [Float64Array.of(1, 2)];
    const a = new Adam(p1),
      b = new Adam(p2);
    a.step(p1, [[0.3, -0.7]], 0.1, 1);
    b.step(p2, [[0.3, -0.7]], 0.1, 1);
    const c = new Adam(p2);
    c.load(b.state());
    a.step(p1, [[1, 1]], 0.1, 2);
    c.step(p2, [[1, 1]], 0.1, 2);
    expect(Array.from(p2[0])).toEqual(Array.from(p1[0]));
    expect(() => new Momentum(p1).load(a.state())).toThrow(/checkpoint optimizer is 'adam', this run uses 'momentum'/);
    expect(() => new Adam(p1, { beta1: 0.8 }).load(a.state())).toThrow(/has beta1=0.9, this run has beta1=0.8/);
  });

  test('factory and hyper-parameter errors', () => {
    expect(createOptimizer('adam', [[1]]).name).toBe('adam');
    expect(createOptimizer({ name: 'momentum', momentum: 0.5 }, [[1]]).state().hyper.momentum).toBe(0.5);
    expect(createOptimizer(undefined, [[1]]).name).toBe('sgd');
    expect(() => createOptimizer({ name: 'adam', beta2: 1 }, [[1]])).toThrow(/adam: beta2 must be in \[0, 1\), got 1/);
    expect(() => createOptimizer({ name: 'momentum', momentum: -1 }, [[1]])).toThrow(/momentum must be in \[0, 1\)/);
  });
});

// The fused update fgd uses with one direction: stepScaled(θ, v, s) must equal step(θ, g) with g
// formed as the estimator forms it (0 + s·v into a buffer of v's type), bit for bit, -0 included.
describe('stepScaled: one pass over θ, bit-identical to step on the formed gradient', () => {
  const N = 257;
  const dir = (k: number) =>
    Array.from({ length: N }, (_, i) =>
      i === 0 ? -0 : i === 1 ? 0 : Math.sin(1.7 * i + k) * 3.1e-3 * (i % 7 === 0 ? 1e4 : 1),
    );
  const init = Array.from({ length: N }, (_, i) => (i === 2 ? -0 : Math.cos(0.3 * i) * 0.8));
  const kinds = {
    f32: (x: number[]) => Float32Array.from(x),
    f64: (x: number[]) => Float64Array.from(x),
    array: (x: number[]) => [...x],
  };
  const specs: OptimizerSpec[] = ['sgd', 'momentum', { name: 'momentum', nesterov: true, momentum: 0.7 }, 'adam'];
  const sig = (b: ArrayLike<number>) => Array.from(b, (x) => (Object.is(x, -0) ? '-0' : String(x)));

  test.each(specs.flatMap((spec) => Object.keys(kinds).map((kind) => [JSON.stringify(spec), kind, spec] as const)))(
    '%s on %s buffers',
    (_n, kind, spec) => {
      const make = kinds[kind as keyof typeof kinds];
      const fused = [make(init), make(init.slice(5))],
        plain = [make(init), make(init.slice(5))];
      const a = createOptimizer(spec, fused),
        b = createOptimizer(spec, plain);
      expect(a.stepScaled).toBeDefined();
      [0.37, -1.3e-5, 2.5e3].forEach((scale, k) => {
        const v = [make(dir(k)), make(dir(k + 9).slice(5))];
        const g = v.map((d) => {
          const out = make(new Array(d.length).fill(0));
          for (let i = 0; i < d.length; i++) out[i] = 0 + scale * d[i];
          return out;
        });
        g.forEach((gj, j) => {
          for (let i = 0; i < gj.length; i++) expect(Object.is(gj[i], gradientAt(v[j], scale, i))).toBe(true);
        });
        a.stepScaled!(fused, v, scale, 0.05, k + 1);
        b.step(plain, g, 0.05, k + 1);
        fused.forEach((p, j) => expect(sig(p)).toEqual(sig(plain[j])));
      });
      expect(sig(fused[0])).not.toEqual(sig(make(init))); // the parameters did move
      // The optimizer state continues identically (momentum u, Adam m and v).
      expect(a.state().slots).toEqual(b.state().slots);
    },
  );

  test('float32 rounding of g is part of the contract (the comparison above can fail)', () => {
    // Find θ, v where rounding g to float32 first changes the float32 result, then check stepScaled rounds.
    const s = 1 / 3,
      lr = 0.7;
    let i = 1;
    const rounded = (th: number, v: number) => Math.fround(th - lr * Math.fround(s * v)),
      exact = (th: number, v: number) => Math.fround(th - lr * (s * v));
    while (
      rounded(Math.fround(1 + i * 1e-3), Math.fround(0.1 * i)) ===
      exact(Math.fround(1 + i * 1e-3), Math.fround(0.1 * i))
    )
      i++;
    const p = [Float32Array.of(1 + i * 1e-3)],
      v = [Float32Array.of(0.1 * i)];
    const expected = rounded(p[0][0], v[0][0]);
    new Sgd().stepScaled(p, v, s, lr, 1);
    expect(p[0][0]).toBe(expected);
  });
});

describe('writeFileAtomic', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atomic-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('replaces the file and leaves no temporary behind', () => {
    const f = path.join(dir, 'a.json');
    writeFileAtomic(f, 'one');
    writeFileAtomic(f, 'two');
    expect(fs.readFileSync(f, 'utf8')).toBe('two');
    expect(fs.readdirSync(dir)).toEqual(['a.json']);
  });

  test('a crash mid-write (or at fsync/rename) keeps the old file intact and removes the temporary', () => {
    const f = path.join(dir, 'b.json');
    writeFileAtomic(f, 'old contents');
    for (const failing of ['writeSync', 'fsyncSync', 'renameSync'] as const) {
      let calls = 0;
      const io: AtomicFs = {
        ...fs,
        // Writes half the data, then dies: what a full disk or a killed process would leave.
        writeSync: ((fd: number, b: Uint8Array, off: number, len: number) => {
          if (failing === 'writeSync' && calls++ > 0) throw new Error('ENOSPC');
          return fs.writeSync(fd, b, off, failing === 'writeSync' ? Math.ceil(len / 2) : len);
        }) as typeof fs.writeSync,
        fsyncSync: (fd: number) => {
          if (failing === 'fsyncSync') throw new Error('EIO');
          fs.fsyncSync(fd);
        },
        renameSync: (a: fs.PathLike, b: fs.PathLike) => {
          if (failing === 'renameSync') throw new Error('EXDEV');
          fs.renameSync(a, b);
        },
      };
      expect(() => writeFileAtomic(f, 'new contents that are much longer', io)).toThrow();
      expect(fs.readFileSync(f, 'utf8')).toBe('old contents');
      expect(fs.readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
    }
  });
});
