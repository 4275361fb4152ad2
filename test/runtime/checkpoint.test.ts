// Checkpoints as untrusted input (issue 10): a checkpoint records everything that decides the run's
// future and a checksum; resume refuses any mismatch or malformed field with the file and field named,
// before touching the parameters; a guard stop leaves the last good state on disk; a resumed log holds
// each step once; interrupted writes leave no temporaries behind.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fgd, gd, loadCheckpoint, readJsonLines } from '../../runtime/fgd';
import { writeFileAtomic } from '../../runtime/fgd/atomic';
import { registerJvp } from '../../runtime/registry';
import { Tensor } from '../../runtime/tensor/tensor';
import { beale } from '../../runtime/models/testfns'; // its twin comes from the real transform
import { sumSquares } from './support/hand-twins';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-ck-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const opts = (extra: object = {}) => ({
  lr: 0.002,
  decay: 1e-3,
  iterations: 30,
  seed: 77,
  optimizer: 'adam' as const,
  progress: false,
  ...extra,
});

/** Rewrites a checkpoint as a hand edit with a recomputed checksum would (so the field checks, not the checksum, must catch it). */
function rewrite(src: string, dst: string, edit: (doc: any) => void): string {
  const { checksum: _c, ...doc } = JSON.parse(fs.readFileSync(src, 'utf8'));
  edit(doc);
  const text = JSON.stringify(doc);
  fs.writeFileSync(dst, `${text.slice(0, -1)},"checksum":"${createHash('sha256').update(text).digest('hex')}"}`);
  return dst;
}

describe('what a checkpoint records', () => {
  test('the function, every trajectory option, every leaf and a checksum', () => {
    const ck = path.join(tmp, 'record.json');
    const t = new Tensor(Float32Array.of(1, -2, 0.5, 3), [2, 2]);
    fgd(
      sumSquares,
      [t],
      opts({
        iterations: 3,
        directions: 2,
        distribution: 'rademacher',
        checkpoint: ck,
        optimizer: { name: 'adam', beta1: 0.8 },
      }),
    );
    const c = loadCheckpoint(ck);
    expect(c).toMatchObject({
      algorithm: 'fgd',
      step: 3,
      function: { name: 'sumSquares', twin: expect.stringMatching(/^[0-9a-f]{16}$/) },
    });
    expect(c.options).toEqual({
      lr: 0.002,
      schedule: null,
      decay: 1e-3,
      optimizer: 'adam',
      'optimizer.beta1': 0.8,
      'optimizer.beta2': 0.999,
      'optimizer.epsilon': 1e-8,
      seed: 77,
      directions: 2,
      distribution: 'rademacher',
      vectorized: true,
    });
    expect(c.leaves).toEqual([{ path: 'arg0', kind: 'tensor', dtype: 'f32', shape: [2, 2], size: 4 }]);
    expect(JSON.parse(fs.readFileSync(ck, 'utf8')).checksum).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('resume compares the run', () => {
  const ck = () => path.join(tmp, 'base.json');
  beforeAll(() => {
    fgd(beale, [1, 1], opts({ iterations: 10, checkpoint: ck() }));
  });

  test('identical options resume; a changed option is refused naming the file and every mismatching field', () => {
    expect(fgd(beale, [1, 1], opts({ resume: ck() })).startStep).toBe(11);
    let message = '';
    const params = [1, 1];
    try {
      fgd(beale, params, opts({ resume: ck(), lr: 0.01, decay: 0, optimizer: { name: 'adam', beta2: 0.99 } }));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`checkpoint ${ck()}`);
    expect(message).toMatch(/lr \(checkpoint 0\.002, this run 0\.01\)/);
    expect(message).toMatch(/decay \(checkpoint 0\.001, this run 0\)/);
    expect(message).toMatch(/optimizer\.beta2 \(checkpoint 0\.999, this run 0\.99\)/);
    expect(params).toEqual([1, 1]); // refused before anything was loaded
  });

  test('resume: { path, allowChanged } accepts the named changes and uses the new values', () => {
    const seen: number[] = [];
    const r = fgd(
      beale,
      [1, 1],
      opts({
        resume: { path: ck(), allowChanged: ['lr', 'decay'] },
        lr: 0.01,
        decay: 0,
        onStep: (i: { lr: number }) => {
          seen.push(i.lr);
        },
      }),
    );
    expect(r.startStep).toBe(11);
    expect(new Set(seen)).toEqual(new Set([0.01])); // the new constant rate, not the checkpoint's
    expect(() =>
      fgd(beale, [1, 1], opts({ resume: { path: ck(), allowChanged: ['lr'] }, lr: 0.01, decay: 0 })),
    ).toThrow(/decay \(checkpoint/);
    expect(() => fgd(beale, [1, 1], opts({ resume: { path: ck(), allowChanged: ['optimizer'] } }))).toThrow(
      /allowChanged names 'optimizer', which is not a field that may change/,
    );
    expect(() => fgd(beale, [1, 1], opts({ resume: { path: ck(), allowChange: ['lr'] } }))).toThrow(
      /fgd: resume: unknown option 'allowChange' \(did you mean 'allowChanged'\?\)/,
    );
  });

  test('a different loss function with the same name (its twin changed) and a changed schedule are refused', () => {
    const mk = (c: number) => {
      function q(x: number, y: number): number {
        return c * (x * x + y * y);
      }
      // Same name, different twin source: what an edit to the annotated function produces.
      registerJvp(
        q,
        new Function('x', 'dx', 'y', 'dy', `return [${c} * (x * x + y * y), ${c} * 2 * (x * dx + y * dy)];`) as never,
        { name: 'q', tangentSlots: [true, true] },
      );
      return q;
    };
    const a = mk(1),
      b = mk(2),
      file = path.join(tmp, 'twin.json');
    fgd(a, [1, 1], opts({ iterations: 2, checkpoint: file }));
    expect(() => fgd(b, [1, 1], opts({ resume: file }))).toThrow(
      /twin \(checkpoint "[0-9a-f]+", this run "[0-9a-f]+"\)/,
    );
    expect(fgd(b, [1, 1], opts({ resume: { path: file, allowChanged: ['twin'] } })).startStep).toBe(3);

    const sched = path.join(tmp, 'schedule.json');
    const decay = (k: number) => (i: number) => 0.01 * Math.exp(-i * k); // same source text, different constant
    fgd(beale, [1, 1], { ...opts({ iterations: 2, checkpoint: sched }), lr: decay(1e-3), decay: undefined });
    expect(fgd(beale, [1, 1], { ...opts({ resume: sched }), lr: decay(1e-3), decay: undefined }).startStep).toBe(3);
    expect(() => fgd(beale, [1, 1], { ...opts({ resume: sched }), lr: decay(1e-2), decay: undefined })).toThrow(
      /schedule \(checkpoint/,
    );
  });

  test('leaf shape and dtype changes are refused by name', () => {
    const file = path.join(tmp, 'leaves.json');
    fgd(sumSquares, [new Tensor(new Float32Array([1, 2, 3, 4]), [2, 2])], opts({ iterations: 2, checkpoint: file }));
    expect(() => fgd(sumSquares, [new Tensor(new Float32Array([1, 2, 3, 4]), [4])], opts({ resume: file }))).toThrow(
      /leaves\[0\]\.shape \(checkpoint \[2,2\], this run \[4\]\)/,
    );
    function s2(a: Float32Array | Float64Array): number {
      let s = 0;
      for (const v of a) s += v * v;
      return s;
    }
    registerJvp(
      s2,
      (a: Float64Array, da: Float64Array): [number, number] => [s2(a), a.reduce((s, v, i) => s + 2 * v * da[i], 0)],
      { name: 's2', tangentSlots: [true] },
    );
    const f32 = path.join(tmp, 'f32.json');
    fgd(s2, [Float32Array.of(1, 2)], opts({ iterations: 2, checkpoint: f32 }));
    expect(() => fgd(s2, [Float64Array.of(1, 2)], opts({ resume: f32 }))).toThrow(
      /leaves\[0\]\.kind \(checkpoint "f32", this run "f64"\); leaves\[0\]\.dtype \(checkpoint "f32", this run "f64"\)/,
    );
  });
});

describe('every field is validated before use', () => {
  const base = () => path.join(tmp, 'valid.json');
  beforeAll(() => {
    fgd(beale, [1, 1], opts({ iterations: 10, checkpoint: base() }));
  });

  test('an edit without a new checksum is refused', () => {
    const file = path.join(tmp, 'tampered.json');
    fs.writeFileSync(file, fs.readFileSync(base(), 'utf8').replace('"step":10', '"step":9'));
    expect(() => fgd(beale, [1, 1], opts({ resume: file }))).toThrow(
      new RegExp(`checkpoint ${file}: checksum mismatch`),
    );
  });

  const f32Bytes = (b64: string, keep: number) => Buffer.from(b64, 'base64').subarray(0, keep).toString('base64');
  test.each<[string, (d: any) => void, RegExp]>([
    [
      'missing step',
      (d) => {
        delete d.step;
      },
      /field 'step' must be an integer ≥ 0, it is missing/,
    ],
    [
      'renamed step',
      (d) => {
        d.iteration = d.step;
        delete d.step;
      },
      /field 'step' must be an integer ≥ 0, it is missing/,
    ],
    [
      'null step',
      (d) => {
        d.step = null;
      },
      /field 'step' must be an integer ≥ 0, got null/,
    ],
    [
      'string step',
      (d) => {
        d.step = '5';
      },
      /field 'step' must be an integer ≥ 0, got "5"/,
    ],
    [
      'negative step',
      (d) => {
        d.step = -1;
      },
      /field 'step' must be an integer ≥ 0, got -1/,
    ],
    [
      'fractional step',
      (d) => {
        d.step = 2.5;
      },
      /field 'step' must be an integer ≥ 0, got 2\.5/,
    ],
    [
      'step beyond iterations',
      (d) => {
        d.step = 31;
      },
      /field 'step' is 31, beyond this run's iterations \(30\)/,
    ],
    [
      'null options',
      (d) => {
        d.options = null;
      },
      /field 'options' must be an object, got null/,
    ],
    [
      'missing params',
      (d) => {
        delete d.params;
      },
      /field 'params' must be an array of 2 buffers/,
    ],
    [
      'shortened buffer',
      (d) => {
        d.params[1].data = f32Bytes(d.params[1].data, 4);
      },
      /field 'params\[1\]' holds 4 bytes, but leaf arg1 needs 1 f64 values \(8 bytes\)/,
    ],
    [
      'buffer dtype change',
      (d) => {
        d.params[0].dtype = 'f32';
      },
      /field 'params\[0\]\.dtype' is "f32" but leaf arg0 is f64/,
    ],
    [
      'leaf dtype change',
      (d) => {
        d.leaves[0].dtype = 'f16';
      },
      /field 'leaves\[0\]\.dtype' must be 'f32' or 'f64', got "f16"/,
    ],
    [
      'optimizer slot missing a buffer',
      (d) => {
        d.optimizer.slots.m.pop();
      },
      /field 'optimizer\.slots\.m' must be an array of 2 buffers.*got 1/,
    ],
    [
      'function renamed',
      (d) => {
        d.fn = d.function;
        delete d.function;
      },
      /field 'function' must be \{ name, twin \} strings, it is missing/,
    ],
    [
      'old version',
      (d) => {
        d.version = 1;
      },
      /version 1 is not supported/,
    ],
    [
      'NaN parameter',
      (d) => {
        d.params[1].data = Buffer.from(Float64Array.of(NaN).buffer).toString('base64');
      },
      /field 'params\[1\]' \(leaf arg1\) holds NaN at element 0/,
    ],
  ])('%s: a clear error naming the file and field, parameters untouched', (_name, edit, error) => {
    const file = rewrite(base(), path.join(tmp, 'edited.json'), edit);
    const params = [1, 1];
    let message = '';
    try {
      fgd(beale, params, opts({ resume: file }));
    } catch (e) {
      message = (e as Error).message;
      expect(e).not.toBeInstanceOf(TypeError);
    }
    expect(message).toMatch(error);
    expect(message).toContain(file);
    expect(params).toEqual([1, 1]);
  });
});

describe('the guard and the checkpoint', () => {
  // f = Σx² while every |x| ≤ 10, else NaN: a large rate overshoots into the NaN region.
  function cliff(x: number[]): number {
    return x.some((v) => Math.abs(v) > 10) ? NaN : x.reduce((s, v) => s + v * v, 0);
  }
  registerJvp(
    cliff,
    (x: number[], dx: number[]): [number, number] => {
      const y = cliff(x);
      return [y, Number.isNaN(y) ? NaN : x.reduce((s, v, i) => s + 2 * v * dx[i], 0)];
    },
    { name: 'cliff', tangentSlots: [true] },
  );

  test.each(['sgd', 'momentum', 'adam'] as const)(
    '%s: after a guard stop the checkpoint holds the last good state, and resuming continues from it',
    (optimizer) => {
      const file = path.join(tmp, `guard-${optimizer}.json`);
      const o = { lr: optimizer === 'adam' ? 6 : 0.9, decay: 0, iterations: 200, seed: 5, optimizer, progress: false }; // adam's steps are ~lr long
      const r = fgd(cliff, [[1, -2, 3]], { ...o, checkpoint: { path: file, every: 1 } });
      expect(r.status).toBe('diverged');
      const c = loadCheckpoint(file);
      expect(c.step).toBe(r.step - 1); // the returned parameters are the state after step r.step − 1
      expect(Array.from(c.params[0])).toEqual(r.params[0]);
      // Same options: starts from the returned parameters (its first loss is theirs) and, being
      // deterministic, diverges at the same step with the same parameters.
      const again = fgd(cliff, [[0, 0, 0]], { ...o, resume: file, checkpoint: { path: file, every: 1 } });
      expect(again.startStep).toBe(r.step);
      expect(again.losses[0]).toBe(r.loss);
      expect(again.status).toBe('diverged');
      expect(again.params).toEqual(r.params);
      // A lower rate (allowed explicitly) gets past it.
      const slower = fgd(cliff, [[0, 0, 0]], {
        ...o,
        lr: 0.05,
        iterations: r.step + 20,
        resume: { path: file, allowChanged: ['lr'] },
      });
      expect(slower.status).toBe('completed');
      expect(slower.losses[0]).toBe(r.loss);
      expect(slower.losses.every(Number.isFinite)).toBe(true);
    },
  );
});

describe('a resumed log', () => {
  test("holds each step once: the interrupted run's steps after the checkpoint are dropped", () => {
    const ck = path.join(tmp, 'log-ck.json'),
      log = path.join(tmp, 'run.jsonl');
    const crash = (i: { step: number }) => {
      if (i.step === 17) throw new Error('crash');
    };
    expect(() => fgd(beale, [1, 1], opts({ log, checkpoint: { path: ck, every: 5 }, onStep: crash }))).toThrow('crash');
    expect(
      readJsonLines(log)
        .filter((l) => l.type === 'step')
        .map((l) => l.step)
        .at(-1),
    ).toBe(17); // 16 and 17 are past the checkpoint
    fs.appendFileSync(log, '{"type":"step","step":18,"lo'); // a line torn by a kill
    fgd(beale, [1, 1], opts({ log, resume: ck }));
    const lines = fs
      .readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'step').map((l) => l.step)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    expect(lines.filter((l) => l.type === 'header').map((l) => [l.startStep, l.resume])).toEqual([
      [1, null],
      [16, ck],
    ]);
    expect(lines.at(-1)).toMatchObject({ type: 'end', status: 'completed', step: 30 });
  });
});

describe('temporary files of interrupted writes', () => {
  test("a write removes stale temporaries of dead processes beside its target, never a live one's", () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'atomic-'));
    const target = path.join(dir, 'ck.json');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // exited: its pid names no process (until reused)
    const stale = path.join(dir, `.ck.json.tmp-${dead}-3`),
      live = path.join(dir, `.ck.json.tmp-${process.ppid}-0`);
    const other = path.join(dir, `.other.json.tmp-${dead}-0`);
    for (const f of [stale, live, other]) fs.writeFileSync(f, 'partial');
    writeFileAtomic(target, 'new');
    expect(fs.readFileSync(target, 'utf8')).toBe('new');
    expect(fs.readdirSync(dir).sort()).toEqual([path.basename(other), path.basename(live), 'ck.json'].sort());
  });

  test("kill -9 during writes: the target stays whole, and the next write removes the killed writer's temporary", async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'kill-'));
    const target = path.join(dir, 'big.bin');
    // The child rewrites 16 MB files in a loop (each one byte value throughout, so a torn file shows).
    const script = `const { writeFileAtomic } = require(${JSON.stringify(path.resolve(__dirname, '../../runtime/fgd/atomic.ts'))});
      for (let i = 1; ; i++) writeFileAtomic(${JSON.stringify(target)}, new Uint8Array(1 << 24).fill(i & 255));`;
    let left: string[] = [];
    for (let attempt = 0; attempt < 5 && left.length === 0; attempt++) {
      const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
        cwd: path.resolve(__dirname, '../..'),
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      // Kill it while a temporary exists (polling: the kill lands mid-write most of the time).
      for (let i = 0; i < 2000 && !fs.readdirSync(dir).some((n) => n.includes('.tmp-')); i++)
        await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGKILL');
      await exited;
      left = fs.readdirSync(dir).filter((n) => n.includes('.tmp-'));
    }
    expect(left.length).toBeGreaterThan(0); // the situation the issue describes: a dead writer's temporary
    if (fs.existsSync(target)) {
      const bytes = fs.readFileSync(target);
      expect(bytes.length).toBe(1 << 24);
      expect(bytes.every((b) => b === bytes[0])).toBe(true); // one complete write, never a mix
    }
    writeFileAtomic(target, 'next');
    expect(fs.readdirSync(dir)).toEqual(['big.bin']);
  }, 60_000);

  test('gd checkpoints too (the algorithm without a seed)', () => {
    const file = path.join(tmp, 'gd.json');
    gd(beale, [1, 1], { lr: 0.001, iterations: 3, progress: false, checkpoint: file });
    expect(loadCheckpoint(file).options).toMatchObject({ seed: null, directions: 0, distribution: 'basis' });
    expect(gd(beale, [1, 1], { lr: 0.001, iterations: 5, progress: false, resume: file }).startStep).toBe(4);
  });
});
