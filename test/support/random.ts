// The tests' one seeded random source: plain uniform numbers for test points, directions and
// kernel inputs, so every failure reproduces from its seed. (Tensor data uses the library's own
// Philox `Rng`, kernels/rng.ts, which its own tests check; this one depends on nothing.)

/** Uniform numbers in [lo, hi) (default [0, 1)) from a seed (mulberry32: 32-bit state, period 2^32). */
export function rng(seed: number, lo = 0, hi = 1): () => number {
  let s = seed >>> 0;
  const u = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return lo === 0 && hi === 1 ? u : () => lo + (hi - lo) * u();
}

/** n float32 values uniform in [lo, hi). */
export function uniform(rand: () => number, n: number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
}
