import {
  philox4x32,
  philoxBlocks,
  fillNormal,
  fillUniform,
  fillRademacher,
  rngImplementation,
  Rng,
} from '../../kernels/rng';
import { expectStandardNormalMoments, ksCritical, ksStatistic, normalCdf } from './support/distribution';

// Random123's published known-answer vectors (tests/kat_vectors) for Philox-4x32-10.
const KAT: Array<[number[], number[], number[]]> = [
  [
    [0, 0, 0, 0],
    [0, 0],
    [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
  ],
  [
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    [0xffffffff, 0xffffffff],
    [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
  ],
  [
    [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    [0xa4093822, 0x299f31d0],
    [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
  ],
];

describe('Philox-4x32-10', () => {
  test.each(KAT)('known-answer vector ctr=%j key=%j', (ctr, key, expected) => {
    const out = new Uint32Array(4);
    philox4x32(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out);
    expect(Array.from(out)).toEqual(expected);
  });

  // The WebAssembly kernel (kernels/wasm/assembly/rng.as) is the second implementation of the same
  // rounds: it must give the published words too, and agree with the reference block by block.
  test('the WebAssembly kernel is active here (it makes the words of every fill)', () => {
    expect(rngImplementation).toBe('wasm');
  });

  test.each(KAT)('known-answer vector, WebAssembly kernel: ctr=%j key=%j', (ctr, key, expected) => {
    const got = philoxBlocks('wasm', ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1]);
    expect(Array.from(got!)).toEqual(expected);
    expect(Array.from(philoxBlocks('js', ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1])!)).toEqual(expected);
  });

  // The kernel runs 16 blocks (4 groups of 4) per step: counts that leave 1, 2 and 3 groups in the
  // last step; from counter low word 2^32 − 2, so all but the first cross the carry into c1 at block 2.
  test.each([1, 5, 9, 4090, 4093])('both implementations agree on %i blocks', (blocks) => {
    const args = [0xfffffffe, 0xfffffffe, 0x243f6a88, 0x85a308d3, 0xa4093822, 0x299f31d0, blocks] as const;
    const js = philoxBlocks('js', ...args)!,
      wasm = philoxBlocks('wasm', ...args)!;
    expect(wasm.length).toBe(4 * blocks);
    expect(Buffer.from(wasm.buffer).equals(Buffer.from(js.buffer))).toBe(true);
    const w = new Uint32Array(4); // block 0 is counter (2^32 − 2, 2^32 − 2); block 2 is (0, 2^32 − 1)
    philox4x32(0xfffffffe, 0xfffffffe, 0x243f6a88, 0x85a308d3, 0xa4093822, 0x299f31d0, w);
    expect(Array.from(js.subarray(0, 4))).toEqual(Array.from(w));
    if (blocks > 2) {
      philox4x32(0, 0xffffffff, 0x243f6a88, 0x85a308d3, 0xa4093822, 0x299f31d0, w);
      expect(Array.from(js.subarray(8, 12))).toEqual(Array.from(w));
    }
  });

  test('philoxBlocks rejects an unknown implementation', () => {
    expect(() => philoxBlocks('gpu' as 'js', 0, 0, 0, 0, 0, 0)).toThrow(
      /implementation must be 'js' or 'wasm', got "gpu"/,
    );
  });
});

describe('fills', () => {
  const N = 40000;
  test.each([
    ['normal', fillNormal],
    ['uniform', fillUniform],
    ['rademacher', fillRademacher],
  ] as const)('%s: any slice equals the same slice of a longer fill', (_name, fill) => {
    const long = fill(new Float64Array(10000), 7, 3, 0) as Float64Array;
    // Includes slices across the generator's 4096-word batches.
    for (const [off, n] of [
      [0, 1],
      [1, 5],
      [3, 8],
      [5, 1],
      [6, 2],
      [17, 63],
      [500, 500],
      [999, 1],
      [4093, 7],
      [4095, 4098],
      [1, 9999],
    ]) {
      const part = fill(new Float64Array(n), 7, 3, off);
      expect(Array.from(part)).toEqual(Array.from(long.subarray(off, off + n)));
    }
  });

  test('rademacher slices across bit, word and 4096-word batch boundaries', () => {
    const long = fillRademacher(new Float64Array(140000), 11, 2, 0) as Float64Array;
    for (const [off, n] of [
      [0, 33],
      [31, 2],
      [33, 95],
      [131070, 10],
      [131071, 8000],
      [7, 139993],
    ]) {
      expect(Array.from(fillRademacher(new Float64Array(n), 11, 2, off))).toEqual(
        Array.from(long.subarray(off, off + n)),
      );
    }
  });

  test('seeds and streams give different sequences; the same ones repeat exactly', () => {
    const a = fillNormal(new Float64Array(64), 1, 0);
    expect(Array.from(fillNormal(new Float64Array(64), 1, 0))).toEqual(Array.from(a));
    expect(Array.from(fillNormal(new Float64Array(64), 2, 0))).not.toEqual(Array.from(a));
    expect(Array.from(fillNormal(new Float64Array(64), 1, 1))).not.toEqual(Array.from(a));
    // Large seeds/streams use the high key/counter words.
    expect(Array.from(fillNormal(new Float64Array(8), 2 ** 40, 0))).not.toEqual(
      Array.from(fillNormal(new Float64Array(8), 0, 0)),
    );
    expect(Array.from(fillNormal(new Float64Array(8), 0, 2 ** 40))).not.toEqual(
      Array.from(fillNormal(new Float64Array(8), 0, 0)),
    );
  });

  test('normal: mean, variance, skew, kurtosis within 5 standard errors; KS at α=0.001', () => {
    const x = fillNormal(new Float64Array(N), 12345, 0) as Float64Array;
    expectStandardNormalMoments(x);
    expect(ksStatistic(x, normalCdf)).toBeLessThan(ksCritical(N));
  });

  test('the KS check rejects a wrong distribution (the test can fail)', () => {
    const x = fillNormal(new Float64Array(N), 12345, 0) as Float64Array;
    expect(
      ksStatistic(
        x.map((v) => v * 1.05),
        normalCdf,
      ),
    ).toBeGreaterThan(ksCritical(N));
  });

  test('uniform: in (0,1), KS at α=0.001', () => {
    const u = fillUniform(new Float64Array(N), 99, 5) as Float64Array;
    expect(Math.min(...u)).toBeGreaterThan(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(ksStatistic(u, (t) => Math.min(1, Math.max(0, t)))).toBeLessThan(ksCritical(N));
  });

  test('rademacher: values ±1, mean within 5 standard errors', () => {
    const r = fillRademacher(new Float64Array(N), 4, 0) as Float64Array;
    expect(r.every((v) => v === 1 || v === -1)).toBe(true);
    expect(Math.abs(r.reduce((a, b) => a + b, 0) / N)).toBeLessThan(5 / Math.sqrt(N));
  });

  test('fills Float32Array and number[] too', () => {
    const f64 = fillNormal(new Float64Array(9), 3, 1, 2);
    // Float32Array normals come from the float32 SIMD kernel: the same samples within 1e-6, not bit-equal
    // to the rounded float64 ones (test/runtime/rng-fast.test.ts has the accuracy checks).
    const f32 = fillNormal(new Float32Array(9), 3, 1, 2);
    f32.forEach((x, i) => expect(Math.abs(x - f64[i])).toBeLessThan(1e-6));
    expect(Array.from(fillUniform(new Float32Array(9), 3, 1, 2))).toEqual(
      Array.from(Float32Array.from(fillUniform(new Float64Array(9), 3, 1, 2))),
    );
    expect(fillNormal(new Array<number>(9).fill(0), 3, 1, 2)).toEqual(Array.from(f64));
  });

  test('bad seed/stream/offset are rejected', () => {
    expect(() => fillNormal(new Float64Array(2), -1)).toThrow(/seed must be a non-negative safe integer, got -1/);
    expect(() => fillNormal(new Float64Array(2), 1.5)).toThrow(/seed/);
    expect(() => fillNormal(new Float64Array(2), 1, NaN)).toThrow(/stream/);
    expect(() => fillNormal(new Float64Array(2), 1, 0, -3)).toThrow(/offset/);
  });
});

describe('Rng', () => {
  test('same seed, same draws; normal() and uniform() have the right moments', () => {
    const a = new Rng(42),
      b = new Rng(42);
    const xs = Array.from({ length: 20000 }, () => a.normal());
    expect(Array.from({ length: 20000 }, () => b.normal())).toEqual(xs);
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const varc = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(xs.length));
    expect(Math.abs(varc - 1)).toBeLessThan(5 * Math.sqrt(2 / xs.length));
    expect(ksStatistic(xs, normalCdf)).toBeLessThan(ksCritical(xs.length));
    const us = Array.from({ length: 20000 }, () => a.uniform());
    expect(ksStatistic(us, (t) => t)).toBeLessThan(ksCritical(us.length));
  });

  test('uniform() walks the same words as fillUniform on its stream', () => {
    const r = new Rng(9, 2);
    const seq = Array.from({ length: 11 }, () => r.uniform());
    expect(seq).toEqual(Array.from(fillUniform(new Float64Array(11), 9, 2)));
  });

  test('shuffle is a seeded permutation; int() stays in range', () => {
    const p = new Rng(1).shuffle(Array.from({ length: 100 }, (_, i) => i));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(new Rng(1).shuffle(Array.from({ length: 100 }, (_, i) => i))).toEqual(p);
    expect(new Rng(2).shuffle(Array.from({ length: 100 }, (_, i) => i))).not.toEqual(p);
    const r = new Rng(3);
    for (let i = 0; i < 1000; i++) {
      const k = r.int(7);
      expect(k >= 0 && k < 7 && Number.isInteger(k)).toBe(true);
    }
    expect(() => r.int(0)).toThrow(/n must be an integer/);
  });
});
