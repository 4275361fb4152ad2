// The wasm backend's im2col (tight JS) against the definition, evaluated directly in float64:
// cols[(ch·kh + ki)·kw + kj][oy·outW + ox] = x[ch][oy·sh + ki − ph][ox·sw + kj − pw], 0 outside.
// im2col only moves values, so the result must be exact.
import { createWasmBackend, type WasmBackend } from '../../kernels/wasm/index';

interface Conv {
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
}

function reference(x: Float32Array, xOff: number, p: Conv, outH: number, outW: number): Float64Array {
  const cols = new Float64Array(p.c * p.kh * p.kw * outH * outW);
  for (let ch = 0; ch < p.c; ch++)
    for (let ki = 0; ki < p.kh; ki++)
      for (let kj = 0; kj < p.kw; kj++) {
        const row = (ch * p.kh + ki) * p.kw + kj;
        for (let oy = 0; oy < outH; oy++)
          for (let ox = 0; ox < outW; ox++) {
            const iy = oy * p.sh + ki - p.ph,
              ix = ox * p.sw + kj - p.pw;
            const inside = iy >= 0 && iy < p.h && ix >= 0 && ix < p.w;
            cols[row * outH * outW + oy * outW + ox] = inside ? x[xOff + (ch * p.h + iy) * p.w + ix] : 0;
          }
      }
  return cols;
}

describe('wasm im2col', () => {
  let be: WasmBackend;
  beforeAll(() => {
    be = createWasmBackend({ threads: 1 });
  });
  afterAll(() => be.dispose());

  const cases: Conv[] = [
    { c: 1, h: 28, w: 28, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 }, // the CNN's first layer
    { c: 3, h: 14, w: 14, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 },
    { c: 2, h: 17, w: 13, kh: 5, kw: 2, sh: 2, sw: 3, ph: 2, pw: 1 }, // non-square kernel, strides
    { c: 3, h: 1, w: 1, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0 },
    { c: 2, h: 3, w: 4, kh: 3, kw: 3, sh: 1, sw: 1, ph: 3, pw: 2 }, // padding wider than the kernel reach
    { c: 1, h: 65, w: 63, kh: 4, kw: 3, sh: 3, sw: 2, ph: 0, pw: 0 },
  ];
  it.each(cases)('matches the definition for %o', (p) => {
    const outH = Math.floor((p.h + 2 * p.ph - p.kh) / p.sh) + 1,
      outW = Math.floor((p.w + 2 * p.pw - p.kw) / p.sw) + 1;
    const xOff = 5,
      colsOff = 3;
    const x = Float32Array.from({ length: xOff + p.c * p.h * p.w }, (_, i) => Math.sin(i * 1.7) + 2);
    const cols = new Float32Array(colsOff + p.c * p.kh * p.kw * outH * outW + 4).fill(NaN);
    be.im2col({
      x,
      xOffset: xOff,
      c: p.c,
      h: p.h,
      w: p.w,
      kh: p.kh,
      kw: p.kw,
      strideH: p.sh,
      strideW: p.sw,
      padH: p.ph,
      padW: p.pw,
      outH,
      outW,
      cols,
      colsOffset: colsOff,
    });
    const want = reference(x, xOff, p, outH, outW);
    expect(Array.from(cols.subarray(colsOff, colsOff + want.length))).toEqual(Array.from(want));
    expect(cols[colsOff - 1]).toBeNaN(); // nothing written outside
    expect(cols[colsOff + want.length]).toBeNaN();
  });

  it('rejects bad sizes and short arrays', () => {
    const base = {
      x: new Float32Array(16),
      xOffset: 0,
      c: 1,
      h: 4,
      w: 4,
      kh: 3,
      kw: 3,
      strideH: 1,
      strideW: 1,
      padH: 1,
      padW: 1,
      outH: 4,
      outW: 4,
      cols: new Float32Array(144),
      colsOffset: 0,
    };
    expect(() => be.im2col({ ...base, strideH: 0 })).toThrow(/sh must be a positive integer, got 0/);
    expect(() => be.im2col({ ...base, cols: new Float32Array(10) })).toThrow(/cols needs 144 elements, has 10/);
    expect(() => be.im2col({ ...base, x: new Float32Array(3) })).toThrow(/x needs 16 elements, has 3/);
  });
});
