// The wasm backend's optional conv2dNchw against a float64 direct convolution. Tolerance per
// output: (K + 2)·eps32·Σ|w·x| with K = c·kh·kw terms, twice the float32 summation bound.
import type { Conv2dArgs } from '../../kernels/backend';
import { hasConv2dNchw } from '../../kernels/backend';
import { createWasmBackend, type WasmBackend } from '../../kernels/wasm/index';
import { rng } from '../support/random';

const EPS32 = 2 ** -23;

interface Geo {
  batch: number;
  c: number;
  h: number;
  w: number;
  o: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
}

function makeArgs(p: Geo, seed: number): Conv2dArgs {
  const r = rng(seed, -0.5, 0.5);
  const outH = Math.floor((p.h + 2 * p.ph - p.kh) / p.sh) + 1,
    outW = Math.floor((p.w + 2 * p.pw - p.kw) / p.sw) + 1;
  const xOffset = 3,
    weightOffset = 5,
    yOffset = 7;
  return {
    x: Float32Array.from({ length: xOffset + p.batch * p.c * p.h * p.w }, r),
    xOffset,
    batch: p.batch,
    c: p.c,
    h: p.h,
    w: p.w,
    weight: Float32Array.from({ length: weightOffset + p.o * p.c * p.kh * p.kw }, r),
    weightOffset,
    o: p.o,
    kh: p.kh,
    kw: p.kw,
    strideH: p.sh,
    strideW: p.sw,
    padH: p.ph,
    padW: p.pw,
    outH,
    outW,
    y: new Float32Array(yOffset + p.batch * p.o * outH * outW + 2).fill(NaN),
    yOffset,
  };
}

function expectConv(a: Conv2dArgs): void {
  const K = a.c * a.kh * a.kw;
  for (let n = 0; n < a.batch; n++)
    for (let o = 0; o < a.o; o++)
      for (let oy = 0; oy < a.outH; oy++)
        for (let ox = 0; ox < a.outW; ox++) {
          let sum = 0,
            mag = 0;
          for (let c = 0; c < a.c; c++)
            for (let ki = 0; ki < a.kh; ki++)
              for (let kj = 0; kj < a.kw; kj++) {
                const iy = oy * a.strideH + ki - a.padH,
                  ix = ox * a.strideW + kj - a.padW;
                if (iy < 0 || iy >= a.h || ix < 0 || ix >= a.w) continue;
                const t =
                  a.weight[a.weightOffset + ((o * a.c + c) * a.kh + ki) * a.kw + kj] *
                  a.x[a.xOffset + ((n * a.c + c) * a.h + iy) * a.w + ix];
                sum += t;
                mag += Math.abs(t);
              }
          const got = a.y[a.yOffset + ((n * a.o + o) * a.outH + oy) * a.outW + ox];
          const tol = (K + 2) * EPS32 * mag + 1e-30;
          if (!(Math.abs(got - sum) <= tol))
            throw new Error(`y[${n}][${o}][${oy}][${ox}] = ${got}, want ${sum} (tol ${tol})`);
        }
  expect(a.y[a.yOffset - 1]).toBeNaN(); // nothing written outside y
  expect(a.y[a.yOffset + a.batch * a.o * a.outH * a.outW]).toBeNaN();
}

const GEOS: Geo[] = [
  { batch: 2, c: 1, h: 28, w: 28, o: 64, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 }, // the CNN's first layer
  { batch: 1, c: 17, h: 14, w: 14, o: 3, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 },
  { batch: 3, c: 3, h: 17, w: 13, o: 17, kh: 5, kw: 2, sh: 2, sw: 3, ph: 2, pw: 1 }, // non-square kernel, strides
  { batch: 1, c: 1, h: 1, w: 1, o: 1, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0 },
  { batch: 2, c: 65, h: 7, w: 9, o: 9, kh: 3, kw: 3, sh: 1, sw: 1, ph: 3, pw: 2 }, // padding wider than the kernel reach
  { batch: 1, c: 2, h: 63, w: 65, o: 8, kh: 4, kw: 3, sh: 3, sw: 2, ph: 0, pw: 0 },
  // c ≥ 4 takes the direct (indirect-GEMM) kernel; c < 4 above goes through im2col + gemm.
  { batch: 2, c: 5, h: 17, w: 13, o: 17, kh: 5, kw: 2, sh: 2, sw: 3, ph: 2, pw: 1 },
  { batch: 1, c: 4, h: 63, w: 65, o: 8, kh: 4, kw: 3, sh: 3, sw: 2, ph: 0, pw: 0 },
  // ≥ 8 images: two threads split whole images (fewer split each image's pixel blocks).
  { batch: 9, c: 5, h: 9, w: 7, o: 10, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 },
  // 1.47M-float cols per image: the im2col path works in chunks of two images.
  { batch: 3, c: 3, h: 100, w: 100, o: 2, kh: 7, kw: 7, sh: 1, sw: 1, ph: 3, pw: 3 },
  // c = 1, 3×3, stride 1 (the one-channel kernel): rows of 7 and 10 outputs end in a recomputed
  // vector; one image splits its output channels between the threads; outW < 4 goes to im2col.
  { batch: 3, c: 1, h: 9, w: 7, o: 13, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 },
  { batch: 1, c: 1, h: 5, w: 8, o: 9, kh: 3, kw: 3, sh: 1, sw: 1, ph: 2, pw: 2 },
  { batch: 2, c: 1, h: 6, w: 5, o: 5, kh: 3, kw: 3, sh: 1, sw: 1, ph: 0, pw: 0 },
];

describe('wasm conv2dNchw', () => {
  let one: WasmBackend, two: WasmBackend;
  beforeAll(() => {
    one = createWasmBackend({ threads: 1 });
    two = createWasmBackend({ threads: 2, minParallelFlops: 0 });
    two.waitForThreads(20000);
  });
  afterAll(async () => {
    await one.dispose();
    await two.dispose();
  });

  it('is offered as the optional fast path', () => {
    expect(hasConv2dNchw(one)).toBe(true);
  });

  it.each(GEOS)('matches a float64 direct convolution for %j, one and two threads', (p) => {
    const a = makeArgs(p, p.c * 31 + p.o);
    one.conv2dNchw(a);
    expectConv(a);
    const b = makeArgs(p, p.c * 31 + p.o);
    two.conv2dNchw(b);
    expectConv(b);
    for (let i = 0; i < a.y.length; i++) if (!Object.is(a.y[i], b.y[i])) throw new Error(`threads differ at ${i}`);
  });

  it.each(GEOS)('accumulate adds the convolution into y with one float32 add per output for %j', (p) => {
    // y0 + conv, added in float32: the bits a separate conv followed by a float32 add gives (what
    // the K = 1 conv JVP relied on before the kernel accumulated).
    const plain = makeArgs(p, p.c * 31 + p.o);
    one.conv2dNchw(plain);
    const r = rng(p.o * 7 + 1, -1, 1);
    const y0 = Float32Array.from(plain.y, (v) => (Number.isNaN(v) ? v : r()));
    for (const be of [one, two]) {
      const a = { ...makeArgs(p, p.c * 31 + p.o), y: y0.slice(), accumulate: true };
      be.conv2dNchw(a);
      for (let i = 0; i < a.y.length; i++) {
        const want = Math.fround(y0[i] + plain.y[i]);
        if (!Object.is(a.y[i], want)) throw new Error(`y[${i}] = ${a.y[i]}, want ${y0[i]} + ${plain.y[i]} = ${want}`);
      }
    }
  });

  it.each(GEOS.filter((p) => p.c === 1 && p.kh === 3 && p.kw === 3 && p.sh === 1 && p.sw === 1))(
    'c = 1, 3×3: the bits of im2col + gemm on the same backend for %j',
    (p) => {
      // The one-channel kernel sums the 9 taps in the gemm kernel's k order from zero.
      const a = makeArgs(p, p.c * 31 + p.o);
      one.conv2dNchw(a);
      const nPix = a.outH * a.outW,
        cols = new Float32Array(9 * nPix),
        want = a.y.slice();
      for (let n = 0; n < a.batch; n++) {
        one.im2col({ ...a, xOffset: a.xOffset + n * a.h * a.w, cols, colsOffset: 0 });
        one.gemm({
          m: a.o,
          n: nPix,
          k: 9,
          a: a.weight,
          aOffset: a.weightOffset,
          lda: 9,
          transA: false,
          strideA: 0,
          b: cols,
          bOffset: 0,
          ldb: nPix,
          transB: false,
          strideB: 0,
          c: want,
          cOffset: a.yOffset + n * a.o * nPix,
          ldc: nPix,
          strideC: 0,
          batch: 1,
          alpha: 1,
          beta: 0,
        });
      }
      for (let i = 0; i < a.y.length; i++)
        if (!Object.is(a.y[i], want[i])) throw new Error(`y[${i}] = ${a.y[i]}, im2col + gemm ${want[i]}`);
    },
  );

  it.each(GEOS)('outGroups writes each group of output channels at its stride, same bits, for %j', (p) => {
    // The K weight tangents' layout: groups of `size` channels, `stride` floats apart (here with a
    // gap of 3 floats between groups, which must stay untouched), plain and accumulating.
    const plain = makeArgs(p, p.c * 31 + p.o);
    one.conv2dNchw(plain);
    const P = plain.outH * plain.outW;
    const size = [2, 3, 5, 7, 8, 16].find((d) => d < p.o && p.o % d === 0 && (p.o < 16 || d === 16)) ?? 1;
    const stride = p.batch * size * P + 3,
      G = p.o / size;
    const at = (n: number, oc: number) => plain.yOffset + Math.floor(oc / size) * stride + (n * size + (oc % size)) * P;
    for (const be of [one, two])
      for (const accumulate of [false, true]) {
        const y = new Float32Array(plain.yOffset + (G - 1) * stride + p.batch * size * P + 2).fill(NaN);
        const written = new Uint8Array(y.length);
        for (let n = 0; n < p.batch; n++) for (let oc = 0; oc < p.o; oc++) written.fill(1, at(n, oc), at(n, oc) + P);
        const y0 = y.map((v, i) => (written[i] ? ((i * 37) % 101) / 50 - 1 : v));
        const a = { ...makeArgs(p, p.c * 31 + p.o), y: y0.slice(), accumulate, outGroups: { size, stride } };
        be.conv2dNchw(a);
        for (let i = 0; i < y.length; i++) if (!written[i] && !Number.isNaN(a.y[i])) throw new Error(`wrote y[${i}]`);
        for (let n = 0; n < p.batch; n++)
          for (let oc = 0; oc < p.o; oc++)
            for (let q = 0; q < P; q++) {
              const v = plain.y[plain.yOffset + (n * p.o + oc) * P + q],
                i = at(n, oc) + q;
              const want = accumulate ? Math.fround(y0[i] + v) : v;
              if (!Object.is(a.y[i], want))
                throw new Error(`image ${n} channel ${oc} pixel ${q}: ${a.y[i]}, want ${want}`);
            }
      }
    expect(() => one.conv2dNchw({ ...plain, outGroups: { size: p.o + 1, stride } })).toThrow(
      /outGroups.size must be a positive divisor of o/,
    );
  });

  it('processes the batch in groups when memory is short', async () => {
    const small = createWasmBackend({ threads: 2, memoryMB: 1, minParallelFlops: 0 });
    small.waitForThreads(20000);
    const a = makeArgs({ batch: 9, c: 16, h: 28, w: 28, o: 16, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 }, 77);
    small.conv2dNchw(a); // one image needs ~45,000 floats of the 245,760-float arena
    expectConv(a);
    await small.dispose();
  });

  it('rejects inconsistent shapes and short arrays', () => {
    const a = makeArgs(GEOS[1], 1);
    expect(() => one.conv2dNchw({ ...a, outH: 13 })).toThrow(
      /output 13×14 does not match input 14×14, kernel 3×3, stride 1×1, padding 1×1 \(expected 14×14\)/,
    );
    expect(() => one.conv2dNchw({ ...a, c: 0 })).toThrow(/c must be a positive integer, got 0/);
    expect(() => one.conv2dNchw({ ...a, y: new Float32Array(5) })).toThrow(/y needs 595 elements, has 5/);
  });
});
