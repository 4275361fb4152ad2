// The float32 normal fast path (kernels/wasm/assembly/rng.as via fillNormal on a Float32Array):
// accuracy against float64 Box–Muller of the same Philox words, the counter-based slice contract,
// and the distribution. The float64 path (Float64Array) is the reference throughout.
import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import * as path from 'path';
import {
  fastNormalsOfWords,
  fillNormal,
  normalFloat32Implementation,
  philox4x32,
  setNormalThreads,
  waitForNormalThreads,
} from '../../kernels/rng';
import { RNG_WASM } from '../../kernels/wasm/build/binaries';
import { expectStandardNormalMoments, ksCritical, ksStatistic } from './support/distribution';

const TOL = 1e-6; // stated in kernels/rng.ts: |fast − float64| ≤ 1e-6 (|z| < 6.8, i.e. every output)

/** Float64 Box–Muller of word pairs (radius word, angle word), as kernels/rng.ts defines it. */
function boxMuller64(words: Uint32Array): Float64Array {
  const out = new Float64Array(words.length);
  for (let i = 0; i < words.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log((words[i] + 0.5) / 2 ** 32)),
      t = 2 * Math.PI * ((words[i + 1] + 0.5) / 2 ** 32);
    out[i] = r * Math.cos(t);
    out[i + 1] = r * Math.sin(t);
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('the fast path is active here (WebAssembly SIMD); build/rng.wasm is the embedded copy', () => {
  expect(normalFloat32Implementation).toBe('wasm-simd');
  expect(readFileSync(path.resolve(__dirname, '../../kernels/wasm/build/rng.wasm')).toString('base64')).toBe(RNG_WASM);
});

describe('accuracy against float64 Box–Muller of the same words', () => {
  test(`2^20 Philox samples (seed 5, stream 3, offset 7): within ${TOL}`, () => {
    const n = 1 << 20;
    const fast = fillNormal(new Float32Array(n), 5, 3, 7),
      ref = fillNormal(new Float64Array(n), 5, 3, 7);
    expect(maxAbsDiff(fast, ref)).toBeLessThan(TOL);
  });

  test('extreme words: u near 0 and 1, the u = ½ and 1 − √½ switches, every quadrant edge', () => {
    const radii = [
      0, 1, 2, 3, 0x00ffffff, 0x01000000, 0x3fffffff, 0x4b504f33, 0x4b504f34, 0x7fffffff, 0x80000000, 0x80000001,
      0xb504f333, 0xb504f334, 0xfffffff0, 0xfffffffd, 0xfffffffe, 0xffffffff,
    ];
    const angles = [
      0, 1, 0x1fffffff, 0x20000000, 0x3fffffff, 0x40000000, 0x5fffffff, 0x60000000, 0x7fffffff, 0x80000000, 0x9fffffff,
      0xa0000000, 0xdfffffff, 0xe0000000, 0xfffffffe, 0xffffffff,
    ];
    const pairs: number[] = [];
    for (const r of radii) for (const a of angles) pairs.push(r, a);
    while (pairs.length % 16) pairs.push(0x12345678, 0x9abcdef0);
    const words = Uint32Array.from(pairs);
    const ref = boxMuller64(words);
    expect(maxAbsDiff(fastNormalsOfWords(words)!, ref)).toBeLessThan(TOL);
    expect(Math.max(...ref.map(Math.abs))).toBeGreaterThan(6.6); // the tail really was exercised
  });

  test('a scan of radius words over the whole range (every 2^12th) at two angles', () => {
    const n = 1 << 20,
      words = new Uint32Array(2 * n);
    for (let i = 0; i < n; i++) {
      words[2 * i] = i * 4096 + 2047;
      words[2 * i + 1] = i % 2 ? 0x10000000 : 0x6fffffff;
    }
    expect(maxAbsDiff(fastNormalsOfWords(words)!, boxMuller64(words))).toBeLessThan(TOL);
  });

  test('the check can fail: an angle off by one quadrant is caught', () => {
    const words = Uint32Array.from({ length: 16 }, (_, i) => (i * 0x9e3779b9) >>> 0);
    const shifted = words.map((w, i) => (i % 2 ? (w + 0x40000000) >>> 0 : w));
    expect(maxAbsDiff(fastNormalsOfWords(shifted)!, boxMuller64(words))).toBeGreaterThan(0.01);
  });

  test('the kernel runs Philox: its words are those of philox4x32 (decoded through Box–Muller)', () => {
    // Element 4b+k's words come from block b; check one block by hand against the reference rounds.
    const seed = 2 ** 40 + 77,
      stream = 2 ** 35 + 9,
      b = 2 ** 33 + 5,
      w = new Uint32Array(4);
    philox4x32(
      b >>> 0,
      Math.floor(b / 2 ** 32),
      stream >>> 0,
      Math.floor(stream / 2 ** 32),
      seed >>> 0,
      Math.floor(seed / 2 ** 32),
      w,
    );
    const ref = boxMuller64(w);
    expect(maxAbsDiff(fillNormal(new Float32Array(4), seed, stream, 4 * b), ref)).toBeLessThan(TOL);
  });
});

describe('counter-based contract', () => {
  test('any slice equals the same slice of one long fill, bit for bit (unaligned, across kernel chunks)', () => {
    const long = fillNormal(new Float32Array(70000), 7, 3, 0) as Float32Array;
    // 32768 floats per chunk; 64 per Philox tile (16 blocks); 16 per SIMD group; 4 per Philox block.
    for (const [off, n] of [
      [0, 1],
      [1, 5],
      [3, 8],
      [5, 1],
      [15, 2],
      [17, 63],
      [63, 3],
      [16383, 2],
      [16380, 16390],
      [32767, 2],
      [32760, 32800],
      [16385, 32768],
      [1, 69999],
      [33000, 37000],
    ]) {
      const part = fillNormal(new Float32Array(n), 7, 3, off) as Float32Array;
      expect(Buffer.from(part.buffer).equals(Buffer.from(long.buffer, off * 4, n * 4))).toBe(true);
    }
  });

  test('counters beyond 2^32 blocks: slices across the carry agree with the float64 stream and with each other', () => {
    const off = 4 * 2 ** 32 - 37,
      n = 100; // blocks 2^32−10 … 2^32+15
    const whole = fillNormal(new Float32Array(n), 3, 2 ** 33 + 1, off) as Float32Array;
    expect(maxAbsDiff(whole, fillNormal(new Float64Array(n), 3, 2 ** 33 + 1, off))).toBeLessThan(TOL);
    for (const cut of [1, 36, 37, 38, 51]) {
      const a = fillNormal(new Float32Array(cut), 3, 2 ** 33 + 1, off),
        b = fillNormal(new Float32Array(n - cut), 3, 2 ** 33 + 1, off + cut);
      expect([...a, ...b]).toEqual(Array.from(whole));
    }
    // large offsets, seeds and streams (all three words above 2^32)
    const big = 2 ** 50 + 3;
    expect(
      maxAbsDiff(fillNormal(new Float32Array(33), big, big, big), fillNormal(new Float64Array(33), big, big, big)),
    ).toBeLessThan(TOL);
  });

  test('same (seed, stream) repeats; others differ; bad arguments are rejected as on the float64 path', () => {
    const a = fillNormal(new Float32Array(64), 1, 0);
    expect(Array.from(fillNormal(new Float32Array(64), 1, 0))).toEqual(Array.from(a));
    expect(Array.from(fillNormal(new Float32Array(64), 2, 0))).not.toEqual(Array.from(a));
    expect(Array.from(fillNormal(new Float32Array(64), 1, 1))).not.toEqual(Array.from(a));
    expect(() => fillNormal(new Float32Array(2), -1)).toThrow(/seed must be a non-negative safe integer, got -1/);
    expect(() => fillNormal(new Float32Array(2), 1, 2 ** 53)).toThrow(/stream/);
    expect(() => fillNormal(new Float32Array(2), 1, 0, 0.5)).toThrow(/offset/);
    expect(fillNormal(new Float32Array(0), 1, 0).length).toBe(0);
  });
});

describe('two threads', () => {
  afterAll(() => setNormalThreads(1));

  test('1 thread and 2 threads give the same bits (unaligned slices, chunk and split boundaries)', () => {
    // 2048 normals per unit, 32768 per chunk; 4096 is the smallest fill that is shared.
    const cases: Array<[number, number]> = [
      [0, 4096],
      [0, 8192],
      [3, 8193],
      [1, 16384],
      [5, 16390],
      [16383, 40001],
      [31, 32769],
      [7, 100003],
      [2 ** 34 + 1, 70000],
    ];
    setNormalThreads(1);
    const one = cases.map(([off, n]) => fillNormal(new Float32Array(n), 9, 2, off) as Float32Array);
    setNormalThreads(2);
    expect(waitForNormalThreads(20000)).toBe(true);
    cases.forEach(([off, n], c) => {
      const two = fillNormal(new Float32Array(n), 9, 2, off) as Float32Array;
      expect(Buffer.from(two.buffer).equals(Buffer.from(one[c].buffer))).toBe(true);
    });
    // and a 2-thread slice equals the matching part of a 1-thread longer fill
    const part = fillNormal(new Float32Array(30001), 9, 2, 16383 + 4999) as Float32Array;
    expect(Buffer.from(part.buffer).equals(Buffer.from(one[5].buffer, 4999 * 4, 30001 * 4))).toBe(true);
  });

  test('switching 2 → 1 → 2 threads keeps the helper working (it answers, so it is not marked broken)', () => {
    setNormalThreads(2);
    expect(waitForNormalThreads(20000)).toBe(true);
    setNormalThreads(1);
    setNormalThreads(2);
    const two = fillNormal(new Float32Array(100003), 9, 5, 3) as Float32Array;
    expect(waitForNormalThreads(0)).toBe(true); // false once a job timed out (the helper is then marked broken)
    setNormalThreads(1);
    const one = fillNormal(new Float32Array(100003), 9, 5, 3) as Float32Array;
    expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
  });

  test('FORWARDGRAD_RNG_THREADS: 1 or 2, else an error naming it on the first fill; default 2 with ≥ 2 cores', () => {
    const saved = process.env.FORWARDGRAD_RNG_THREADS;
    const fresh = () => {
      let mod: typeof import('../../kernels/rng') | undefined;
      jest.isolateModules(() => {
        mod = require('../../kernels/rng');
      });
      return mod!;
    };
    try {
      process.env.FORWARDGRAD_RNG_THREADS = 'two';
      expect(() => fresh().fillNormal(new Float32Array(8), 1)).toThrow(
        "FORWARDGRAD_RNG_THREADS must be 1 or 2, got 'two'",
      );
      process.env.FORWARDGRAD_RNG_THREADS = '1';
      expect(fresh().waitForNormalThreads(0)).toBe(false); // one thread: no helper to wait for
      delete process.env.FORWARDGRAD_RNG_THREADS;
      // the default follows the cores: on ≥ 2 a helper starts (and answers)
      expect(fresh().waitForNormalThreads(20000)).toBe(require('os').availableParallelism() >= 2);
    } finally {
      if (saved === undefined) delete process.env.FORWARDGRAD_RNG_THREADS;
      else process.env.FORWARDGRAD_RNG_THREADS = saved;
    }
  });

  test('setNormalThreads rejects other counts', () => {
    expect(() => setNormalThreads(3 as 2)).toThrow(/threads must be 1 or 2, got 3/);
  });
});

describe('distribution of the float32 normals', () => {
  const N = 200000;
  const x = fillNormal(new Float32Array(N), 12345, 4) as Float32Array;

  test('mean, variance, skew, kurtosis within 5 standard errors; KS at α = 0.001', () => {
    expectStandardNormalMoments(x);
    expect(ksStatistic(x)).toBeLessThan(ksCritical(N));
  });

  test('the KS check rejects a 2% scale error (it can fail)', () => {
    expect(ksStatistic(x.map((v) => v * 1.02))).toBeGreaterThan(ksCritical(N));
  });
});

test('without WebAssembly the float32 fill falls back to the float64 path (same samples within the tolerance)', () => {
  const RNG = path.resolve(__dirname, '../../kernels/rng.ts');
  const code = `const r = require(${JSON.stringify(RNG)}); if (r.normalFloat32Implementation !== 'js') throw new Error('expected js');
    process.stdout.write(JSON.stringify(Array.from(r.fillNormal(new Float32Array(999), 4, 2, 4093))));`;
  const there = JSON.parse(
    execFileSync(process.execPath, ['--no-expose-wasm', '-r', 'ts-node/register/transpile-only', '-e', code], {
      cwd: path.resolve(__dirname, '../..'),
      encoding: 'utf8',
    }),
  ) as number[];
  expect(there).toEqual(Array.from(Float32Array.from(fillNormal(new Float64Array(999), 4, 2, 4093))));
  expect(maxAbsDiff(there, fillNormal(new Float32Array(999), 4, 2, 4093))).toBeLessThan(TOL);
});
