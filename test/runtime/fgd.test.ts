import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fgd, gd, readJsonLines, loadCheckpoint } from '../../runtime/fgd';
import { exponentialDecay, resolveSchedule } from '../../runtime/fgd/schedule';
import { fillNormal } from '../../kernels/rng';
import { registerJvp } from '../../runtime/registry';
import { Tensor } from '../../runtime/tensor/tensor';
import { bealeGrad, mixed, quad, QA, QC, sumSquares } from './support/hand-twins';
import { beale } from '../../runtime/models/testfns';
import { jvp } from '../../runtime/jvp'; // its twin comes from the real transform

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fgd-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('fgd: Algorithm 1', () => {
  test('one step is θ − η·(∇f·v)v with v = normal stream (seed, step−1) at the leaf offsets', () => {
    const p = [1.5, -0.1];
    const r = fgd(beale, p, { lr: 0.01, decay: 0, iterations: 1, seed: 21, progress: false });
    const v = fillNormal(new Float64Array(2), 21, 0, 0);
    const d = jvp(beale, [1.5, -0.1], [v[0], v[1]])[1] as number; // ∇f·v from the same twin fgd runs
    expect(r.params).toEqual([1.5 - 0.01 * (d * v[0]), -0.1 - 0.01 * (d * v[1])]);
    expect(p).toBe(r.params); // the params array is updated in place
    expect(r.losses).toEqual([beale(1.5, -0.1)]);
    expect(r.status).toBe('completed');
  });

  test('decreases the loss on Beale and on a quadratic; same seed → bit-identical run', () => {
    const a = fgd(beale, [1, 1], { lr: 0.01, decay: 0, iterations: 2000, seed: 5, progress: false });
    expect(a.loss).toBeLessThan(0.1 * a.losses[0]);
    const b = fgd(beale, [1, 1], { lr: 0.01, decay: 0, iterations: 2000, seed: 5, progress: false });
    expect(b.losses).toEqual(a.losses);
    expect(b.params).toEqual(a.params);
    const q = fgd(quad, [[0, 0, 0, 0, 0]], { lr: 0.05, iterations: 3000, seed: 1, progress: false });
    const opt = QA.map((a, i) => -a / QC[i]);
    (q.params[0] as number[]).forEach((w, i) => expect(w).toBeCloseTo(opt[i], 1));
  });

  test('works on objects, typed arrays and Tensors (updated in place)', () => {
    const obj = { w: [1, -1], b: 0.8 },
      xs = Float64Array.of(0.5, 2);
    const r = fgd(mixed, [obj], { lr: 0.01, iterations: 500, seed: 2, inputs: () => [xs, 'x'], progress: false });
    expect(r.params[0]).toBe(obj);
    expect(r.loss).toBeLessThan(0.2 * r.losses[0]);
    const t = new Tensor(Float32Array.of(1, -2, 0.5), [3]);
    const rt = fgd(sumSquares, [t], { lr: 0.05, iterations: 200, seed: 3, directions: 4, progress: false });
    expect(rt.loss).toBeLessThan(1e-3 * rt.losses[0]);
    expect(Math.max(...Array.from(t.toArray()).map(Math.abs))).toBeLessThan(0.05);
  });

  test('K directions: vector mode (Tensors, one run) equals K runs', () => {
    const t1 = new Tensor(Float32Array.of(1, -2, 0.5, 3), [2, 2]),
      t2 = new Tensor(Float32Array.of(1, -2, 0.5, 3), [2, 2]);
    const a = fgd(sumSquares, [t1], { lr: 0.01, iterations: 20, seed: 3, directions: 8, progress: false });
    const b = fgd(sumSquares, [t2], {
      lr: 0.01,
      iterations: 20,
      seed: 3,
      directions: 8,
      vectorized: false,
      progress: false,
    });
    expect(a.losses).toEqual(b.losses);
    expect(Array.from(t1.toArray())).toEqual(Array.from(t2.toArray()));
  });

  test('gd uses the exact gradient: one step is θ − η∇f', () => {
    const r = gd(beale, [1.5, -0.1], { lr: 0.01, decay: 0, iterations: 1, progress: false });
    const [gx, gy] = bealeGrad(1.5, -0.1);
    expect(r.params[0]).toBeCloseTo(1.5 - 0.01 * gx, 14);
    expect(r.params[1]).toBeCloseTo(-0.1 - 0.01 * gy, 14);
    const long = gd(beale, [1, 1], { lr: 0.01, decay: 0, iterations: 3000, progress: false });
    expect(long.loss).toBeLessThan(1e-3);
  });

  test.each([
    ['lr', { lr: 0, iterations: 1 }, /lr must be a finite number > 0, got 0/],
    ['iterations', { lr: 0.1, iterations: -1 }, /iterations must be an integer ≥ 0, got -1/],
    ['decay', { lr: 0.1, iterations: 1, decay: -1 }, /decay k must be a finite number ≥ 0/],
    [
      'optimizer',
      { lr: 0.1, iterations: 1, optimizer: 'rmsprop' },
      /optimizer must be one of 'sgd', 'momentum', 'adam'/,
    ],
    ['directions', { lr: 0.1, iterations: 1, directions: 1.5 }, /directions must be an integer ≥ 1, got 1.5/],
  ])('bad option %s is a clear error', (_n, opts, message) => {
    expect(() => fgd(beale, [1, 1], { progress: false, ...(opts as any) })).toThrow(message);
  });

  test('parameters that are not differentiable, or missing inputs, are clear errors', () => {
    expect(() => fgd(mixed, [{ w: [1], b: 0 }, Float64Array.of(1), 'a'], { lr: 0.1, iterations: 1 })).toThrow(
      /argument 2 \(string\) is not differentiable, so it cannot be a parameter; pass it with inputs/,
    );
    expect(() => fgd(mixed, [{ w: [1], b: 0 }], { lr: 0.1, iterations: 1, progress: false })).toThrow(
      /takes 3 argument\(s\); got 1 parameter\(s\) and 0 input\(s\)/,
    );
  });
});

describe('schedule', () => {
  test('η_i = η_0·e^(−ik), first step η_0; decay 0 is constant; default k = 1e-4', () => {
    const s = exponentialDecay(0.5, 0.01);
    expect(s(0)).toBe(0.5);
    expect(s(100)).toBeCloseTo(0.5 * Math.exp(-1), 15);
    expect(exponentialDecay(0.5, 0)(1e6)).toBe(0.5);
    expect(resolveSchedule(2, undefined)(1e4)).toBeCloseTo(2 * Math.exp(-1), 15);
    expect(() => resolveSchedule(() => 1, 0.1)).toThrow(/decay must not be given/);
  });

  test('fgd logs the scheduled rate of every step', () => {
    const log = path.join(tmp, 'sched.jsonl');
    fgd(beale, [1, 1], { lr: 0.01, decay: 0.1, iterations: 5, seed: 1, log, progress: false });
    const steps = readJsonLines(log).filter((r) => r.type === 'step');
    expect(steps.map((r) => r.lr)).toEqual([0, 1, 2, 3, 4].map((i) => 0.01 * Math.exp(-0.1 * i)));
  });
});

describe('logging', () => {
  test('a header with the options, one line per step (or every n), an end line', () => {
    const log = path.join(tmp, 'run.jsonl');
    fgd(beale, [1, 1], {
      lr: 0.01,
      iterations: 10,
      seed: 4,
      optimizer: 'adam',
      log: { path: log, every: 3 },
      progress: false,
    });
    const lines = readJsonLines(log);
    expect(lines[0]).toMatchObject({
      type: 'header',
      algorithm: 'fgd',
      seed: 4,
      lr: 0.01,
      decay: 1e-4,
      optimizer: 'adam',
      iterations: 10,
      directions: 1,
      distribution: 'normal',
    });
    expect(lines[0]).not.toHaveProperty('backend'); // scalar runs never load a kernel backend
    expect(lines.filter((l) => l.type === 'step').map((l) => l.step)).toEqual([3, 6, 9, 10]);
    expect(lines[lines.length - 1]).toMatchObject({ type: 'end', status: 'completed', step: 10 });
  });
});

describe('checkpoints', () => {
  const opts = (extra: object) => ({
    lr: 0.002,
    decay: 1e-3,
    iterations: 40,
    seed: 77,
    optimizer: 'adam' as const,
    progress: false,
    ...extra,
  });

  test.each(['sgd', 'momentum', 'adam'] as const)(
    '%s: interrupted + resumed run equals the uninterrupted run bit for bit',
    (optimizer) => {
      const full = fgd(beale, [1, 1], { ...opts({}), optimizer });
      expect(full.status).toBe('completed');
      const ck = path.join(tmp, `ck-${optimizer}.json`);
      // Crash at step 27 (an exception, so no final checkpoint): the last checkpoint is step 25.
      expect(() =>
        fgd(beale, [1, 1], {
          ...opts({
            checkpoint: { path: ck, every: 5 },
            onStep: (i: { step: number }) => {
              if (i.step === 27) throw new Error('crash');
            },
          }),
          optimizer,
        }),
      ).toThrow('crash');
      expect(loadCheckpoint(ck).step).toBe(25);
      const resumed = fgd(beale, [0, 0], { ...opts({ resume: ck, seed: undefined }), optimizer });
      expect(resumed.startStep).toBe(26);
      expect(resumed.params).toEqual(full.params);
      expect(resumed.losses).toEqual(full.losses.slice(25));
    },
  );

  test('Tensor and typed-array parameters resume exactly too', () => {
    const mk = () => new Tensor(Float32Array.of(1, -2, 0.5, 3), [2, 2]);
    const full = mk();
    fgd(sumSquares, [full], opts({ directions: 3 }));
    const ck = path.join(tmp, 'ck-tensor.json');
    fgd(
      sumSquares,
      [mk()],
      opts({ directions: 3, checkpoint: { path: ck, every: 10 }, onStep: (i: { step: number }) => i.step !== 13 }),
    );
    expect(loadCheckpoint(ck).step).toBe(13); // a stop (not a crash) saves the final state
    const resumed = mk();
    fgd(sumSquares, [resumed], opts({ directions: 3, resume: ck }));
    expect(Array.from(resumed.toArray())).toEqual(Array.from(full.toArray()));
  });

  test('resume refuses a checkpoint from different settings or parameters', () => {
    const ck = path.join(tmp, 'ck-mismatch.json');
    fgd(beale, [1, 1], opts({ iterations: 5, checkpoint: ck }));
    expect(() => fgd(beale, [1, 1], opts({ resume: ck, seed: 78 }))).toThrow(/seed \(checkpoint 77, this run 78\)/);
    expect(() => fgd(beale, [1, 1], opts({ resume: ck, directions: 2 }))).toThrow(
      /directions \(checkpoint 1, this run 2\)/,
    );
    expect(() => fgd(beale, [1, 1], opts({ resume: ck, optimizer: 'sgd' }))).toThrow(
      /optimizer \(checkpoint "adam", this run "sgd"\)/,
    );
    expect(() => fgd(quad, [[1, 2, 3, 4, 5]], opts({ resume: ck }))).toThrow(
      /function \(checkpoint "beale", this run "quad"\).*leaves \(checkpoint 2 parameter leaves, this run 1\)/,
    );
    const { seed: _seed, ...gdOpts } = opts({ resume: ck }); // gd has no seed option
    expect(() => gd(beale, [1, 1], gdOpts)).toThrow(/algorithm \(checkpoint "fgd", this run "gd"\)/);
    fs.writeFileSync(path.join(tmp, 'garbage.json'), '{"format":');
    expect(() => fgd(beale, [1, 1], opts({ resume: path.join(tmp, 'garbage.json') }))).toThrow(/cannot read it/);
  });
});

describe('guard', () => {
  // f(x) = x² until x passes 10, then NaN: FGD with a large rate overshoots into the NaN region.
  function blowup(x: number): number {
    return x > 10 ? NaN : x * x;
  }
  registerJvp(blowup, (x: number, dx: number): [number, number] => [blowup(x), x > 10 ? NaN : 2 * x * dx], {
    name: 'blowup',
    tangentSlots: [true],
  });
  function badSlope(x: number): number {
    return x * x;
  }
  registerJvp(badSlope, (x: number, dx: number): [number, number] => [x * x, x < 0.5 ? Infinity * dx : 2 * x * dx], {
    name: 'badSlope',
    tangentSlots: [true],
  });

  test('a NaN loss stops the run with the last parameters whose loss was finite', () => {
    const seen: number[] = [];
    const r = gd(blowup, [1], {
      lr: 1.6,
      decay: 0,
      iterations: 100,
      progress: false,
      onStep: (i) => {
        seen.push(i.params[0] as number);
      },
    });
    expect(r.status).toBe('diverged');
    expect(r.message).toMatch(/loss is NaN at step \d+; parameters restored to those of step \d+/);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(blowup(r.params[0] as number)).toBe(r.loss);
    expect(r.params[0] as number).toBeLessThanOrEqual(10);
  });

  test('a non-finite directional derivative stops before the update', () => {
    const r = gd(badSlope, [2], { lr: 0.3, decay: 0, iterations: 100, progress: false });
    expect(r.status).toBe('diverged');
    expect(r.message).toMatch(/directional derivative is not finite/);
    expect(Number.isFinite(r.params[0] as number)).toBe(true);
    expect(r.params[0]).toBeLessThan(0.5);
  });

  // Σa² + Σb² while every element is within ±10, else NaN; a float32 and a number[] parameter.
  function blowupVec(a: Float32Array, b: number[]): number {
    const all = [...a, ...b];
    return all.some((x) => Math.abs(x) > 10) ? NaN : all.reduce((s, x) => s + x * x, 0);
  }
  registerJvp(
    blowupVec,
    (a: Float32Array, da: Float32Array, b: number[], db: number[]): [number, number] => {
      const y = blowupVec(a, b);
      let d = 0;
      a.forEach((x, i) => {
        d += 2 * x * da[i];
      });
      b.forEach((x, i) => {
        d += 2 * x * db[i];
      });
      return [y, Number.isNaN(y) ? NaN : d];
    },
    { name: 'blowupVec', tangentSlots: [true, true] },
  );

  test.each(['sgd', 'adam'] as const)(
    'fgd (%s) on Float32Array and number[] parameters: a NaN loss restores the previous step bit for bit',
    (optimizer) => {
      const a = Float32Array.of(1, -2, 3),
        b = [0.5, 4];
      const seen: number[][] = [[...a, ...b]]; // seen[t] = parameters after step t
      const r = fgd(blowupVec, [a, b], {
        lr: optimizer === 'sgd' ? 0.6 : 3,
        decay: 0,
        iterations: 200,
        seed: 3,
        optimizer,
        progress: false,
        onStep: (i) => {
          seen.push([...(i.params[0] as Float32Array), ...(i.params[1] as number[])]);
        },
      });
      expect(r.status).toBe('diverged');
      expect(r.step).toBeGreaterThan(0);
      // Step r.step's update led to the NaN loss: back to the parameters before it, where the loss was r.loss.
      expect(seen[r.step].some((x) => Math.abs(x) > 10)).toBe(true);
      expect([...a, ...b]).toEqual(seen[r.step - 1]);
      expect(blowupVec(a, b)).toBe(r.loss);
    },
  );

  test('non-finite initial loss: diverged at step 1 with the parameters untouched', () => {
    const r = fgd(blowup, [11], { lr: 0.1, iterations: 10, seed: 1, progress: false });
    expect(r).toMatchObject({ status: 'diverged', step: 0, params: [11] });
    expect(r.message).toMatch(/initial parameters already give a non-finite loss/);
  });
});
