// The float32 Rademacher kernel (rng.wasm's `rademacher`, fillRademacher on a Float32Array) against
// the JavaScript bit loop (fillRademacher on a Float64Array: element i = ±1 from bit i mod 32 of
// word ⌊i/32⌋): the same numbers bit for bit, for every slice.
import { execFileSync } from 'child_process';
import * as path from 'path';
import { fillRademacher, philox4x32, rademacherFloat32Implementation } from '../../kernels/rng';

const same = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) throw new Error(`element ${i}: ${a[i]} ≠ ${b[i]}`);
};

test('the SIMD kernel is active here', () => {
  expect(rademacherFloat32Implementation).toBe('wasm-simd');
});

test('element i is bit i mod 32 of word ⌊i/32⌋ of the Philox stream (+1 set, −1 clear)', () => {
  const w = new Uint32Array(4);
  philox4x32(2, 0, 6, 0, 5, 0, w); // block 2: elements 256 … 383 of stream (seed 5, stream 6)
  const got = fillRademacher(new Float32Array(128), 5, 6, 256);
  for (let i = 0; i < 128; i++) expect(got[i]).toBe((w[i >> 5] >>> (i & 31)) & 1 ? 1 : -1);
});

test('float32 kernel = JavaScript bit loop, bit for bit: unaligned slices across bits, words, blocks, groups and chunks', () => {
  // 32 elements per word, 128 per block, 512 per group, 2048 per Philox tile, 32768 per chunk.
  for (const [off, n] of [
    [0, 1],
    [1, 31],
    [31, 2],
    [33, 95],
    [127, 2],
    [128, 512],
    [100, 600],
    [511, 1025],
    [2047, 4100],
    [32767, 2],
    [32000, 33000],
    [7, 139993],
    [5, 1863690], // v of the paper's MLP
  ]) {
    same(fillRademacher(new Float32Array(n), 11, 2, off), fillRademacher(new Float64Array(n), 11, 2, off));
  }
});

test('counters beyond 2^32 blocks and high seed/stream words', () => {
  const off = 128 * 2 ** 32 - 300,
    big = 2 ** 45 + 7; // blocks 2^32 − 3 … 2^32 + 2
  same(fillRademacher(new Float32Array(1000), big, big, off), fillRademacher(new Float64Array(1000), big, big, off));
});

test('the comparison can fail: another stream differs', () => {
  expect(() =>
    same(fillRademacher(new Float32Array(600), 11, 2, 3), fillRademacher(new Float64Array(600), 11, 3, 3)),
  ).toThrow(/element/);
});

test('bad arguments are rejected as on the JavaScript path; empty fills validate too', () => {
  expect(() => fillRademacher(new Float32Array(2), -1)).toThrow(/seed must be a non-negative safe integer, got -1/);
  expect(() => fillRademacher(new Float32Array(0), 1, 0.5)).toThrow(/stream/);
  expect(() => fillRademacher(new Float32Array(2), 1, 0, 2 ** 53)).toThrow(/offset/);
});

test('without WebAssembly the float32 fill takes the JavaScript loop: the same bits', () => {
  const RNG = path.resolve(__dirname, '../../kernels/rng.ts');
  const code = `const r = require(${JSON.stringify(RNG)}); if (r.rademacherFloat32Implementation !== 'js') throw new Error('expected js');
    process.stdout.write(JSON.stringify(Array.from(r.fillRademacher(new Float32Array(999), 4, 2, 4093))));`;
  const there = JSON.parse(
    execFileSync(process.execPath, ['--no-expose-wasm', '-r', 'ts-node/register/transpile-only', '-e', code], {
      cwd: path.resolve(__dirname, '../..'),
      encoding: 'utf8',
    }),
  ) as number[];
  same(there, fillRademacher(new Float32Array(999), 4, 2, 4093));
});
