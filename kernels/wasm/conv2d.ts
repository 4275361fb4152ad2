// conv2dNchw on the wasm kernels (see assembly/conv.as): weights packed and the indirection table
// (offsets from a transposed image, the same for all) built once per call, then per image the input
// is transposed to [pixel][channel], and whole images or pixel blocks are split between the main
// thread and the helper. x and the weights are read where they are when they live in the kernel
// memory (heap.ts), else copied into the arena first; y is written (or added to: `accumulate`) in
// place when it is there and its rows match the kernel's (the output group size a multiple of 8,
// the pixel count a multiple of 4), else through the arena, whose copy-out places each channel's
// plane (`outGroups`) and adds when accumulating. c = 1 with a 3×3 kernel at stride 1 has its own
// kernel (oneChannel); other c < 4 go through im2col + gemm.
import type { Conv2dArgs } from '../backend';
import { Engine } from './engine';
import { OP } from './worker';
import { addressOf } from './place';
import { im2col } from './im2col';
import type { WasmGemm } from './gemm';

/**
 * Below this many input channels the indirect kernel's channel runs are too short to amortise
 * the per-tap pointer loads (c = 1, the CNN's first layer: 6 GFLOP/s direct against 9 via
 * im2col + gemm), so such convolutions go through im2col + gemm instead, except c = 1 with a 3×3
 * kernel at stride 1 (the CNN's first layer), which has its own kernel (oneChannel).
 */
const MIN_DIRECT_CHANNELS = 4;
/** Floats of im2col buffer the small-channel path fills per gemm call. */
const COLS_CHUNK = 1 << 22;

const PARAMS = 16; // i32 slots of the geometry block read by conv.as

function validate(a: Conv2dArgs): void {
  const positive = {
    batch: a.batch,
    c: a.c,
    h: a.h,
    w: a.w,
    o: a.o,
    kh: a.kh,
    kw: a.kw,
    strideH: a.strideH,
    strideW: a.strideW,
    outH: a.outH,
    outW: a.outW,
  };
  for (const [key, v] of Object.entries(positive)) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`wasm conv2dNchw: ${key} must be a positive integer, got ${v}`);
  }
  for (const [key, v] of Object.entries({
    padH: a.padH,
    padW: a.padW,
    xOffset: a.xOffset,
    weightOffset: a.weightOffset,
    yOffset: a.yOffset,
  })) {
    if (!Number.isInteger(v) || v < 0)
      throw new Error(`wasm conv2dNchw: ${key} must be a non-negative integer, got ${v}`);
  }
  const wantH = Math.floor((a.h + 2 * a.padH - a.kh) / a.strideH) + 1,
    wantW = Math.floor((a.w + 2 * a.padW - a.kw) / a.strideW) + 1;
  if (a.outH !== wantH || a.outW !== wantW) {
    throw new Error(
      `wasm conv2dNchw: output ${a.outH}×${a.outW} does not match input ${a.h}×${a.w}, kernel ${a.kh}×${a.kw}, stride ${a.strideH}×${a.strideW}, padding ${a.padH}×${a.padW} (expected ${wantH}×${wantW})`,
    );
  }
  const need = (name: string, arr: Float32Array, off: number, len: number) => {
    if (off + len > arr.length)
      throw new Error(`wasm conv2dNchw: ${name} needs ${off + len} elements, has ${arr.length}`);
  };
  need('x', a.x, a.xOffset, a.batch * a.c * a.h * a.w);
  need('weight', a.weight, a.weightOffset, a.o * a.c * a.kh * a.kw);
  const { size, stride } = groups(a);
  if (!Number.isInteger(size) || size < 1 || a.o % size !== 0)
    throw new Error(`wasm conv2dNchw: outGroups.size must be a positive divisor of o = ${a.o}, got ${size}`);
  if (!Number.isInteger(stride) || stride < 0)
    throw new Error(`wasm conv2dNchw: outGroups.stride must be a non-negative integer, got ${stride}`);
  need('y', a.y, a.yOffset, (a.o / size - 1) * stride + a.batch * size * a.outH * a.outW);
}

/** The output groups (one group of o when left out). */
function groups(a: Conv2dArgs): { size: number; stride: number } {
  return a.outGroups ?? { size: a.o, stride: 0 };
}

/** Where output channel oc of image n lives in y (floats from yOffset), P pixels a plane. */
function planeAt(a: Conv2dArgs, n: number, oc: number, P: number): number {
  const { size, stride } = groups(a),
    g = Math.floor(oc / size);
  return g * stride + (n * size + oc - g * size) * P;
}

export class WasmConv {
  private cols: Float32Array = new Float32Array(0);

  constructor(
    private readonly e: Engine,
    private readonly gemm: WasmGemm,
    /** Where the im2col buffer goes: the tensor heap when it has room, so gemm reads it in place. */
    private readonly allocate: (n: number) => Float32Array | undefined = () => undefined,
  ) {}

  conv2dNchw(a: Conv2dArgs): void {
    validate(a);
    if (a.c === 1 && a.kh === 3 && a.kw === 3 && a.strideH === 1 && a.strideW === 1 && a.outW >= 4)
      return this.oneChannel(a);
    if (a.c < MIN_DIRECT_CHANNELS) return this.viaIm2col(a);
    const acc = a.accumulate === true;
    const e = this.e,
      K = e.k;
    const taps = a.kh * a.kw,
      hw = a.h * a.w,
      nPix = a.outH * a.outW;
    const pixPad = Math.ceil(nPix / 4) * 4,
      blocks = pixPad / 4,
      panels = Math.ceil(a.o / 8);
    const packedW = panels * 8 * taps * a.c;
    const mem = e.f32.buffer;
    const xAt = addressOf(mem, a.x, a.xOffset),
      wAt = addressOf(mem, a.weight, a.weightOffset),
      yAt = addressOf(mem, a.y, a.yOffset);
    const { size, stride } = groups(a);
    // In place: y's rows are the kernel's (pixels a multiple of 4) and no panel straddles groups.
    const yInPlace = yAt >= 0 && pixPad === nPix && size % 8 === 0;
    const fixed = PARAMS + pixPad * taps + packedW + (wAt >= 0 ? 0 : a.c * a.o * taps);
    const item = (xAt >= 0 ? 0 : a.c * hw) + (hw + 1) * a.c + (yInPlace ? 0 : panels * 8 * pixPad);
    const group = imagesPerCall(e, fixed, item, a.batch);
    // Arena: params, the indirection table, packed W, raw W; per image x, xT (+ c zeros), y.
    let top = e.start;
    const params = top;
    top += PARAMS;
    const ind = top;
    top += pixPad * taps;
    const pw = top;
    top += packedW;
    const rawW = wAt >= 0 ? wAt / 4 : top;
    if (wAt < 0) top += a.c * a.o * taps;
    e.i32.set(
      // accumulate in the kernel only when it writes y itself; through the arena the copy-out adds
      [
        a.c,
        a.h,
        a.w,
        a.kh,
        a.kw,
        a.strideH,
        a.strideW,
        a.padH,
        a.padW,
        a.outW,
        nPix,
        pixPad,
        yInPlace ? stride * 4 : 0,
        panels,
        +(acc && yInPlace),
        yInPlace ? size / 8 : panels,
      ],
      params,
    );
    K.convIndex(params * 4, ind * 4);
    if (wAt < 0) e.f32.set(a.weight.subarray(a.weightOffset, a.weightOffset + a.o * a.c * taps), rawW);
    K.convPackW(rawW * 4, a.o, a.c, taps, pw * 4);
    const flops = 2 * a.batch * a.o * a.c * taps * nPix;
    const parallel = e.parallel(flops, Math.max(blocks, a.batch));
    for (let n0 = 0; n0 < a.batch; n0 += group) {
      const n1 = Math.min(a.batch, n0 + group);
      const images: { x: number; xT: number; y: number; n: number }[] = [];
      for (let n = n0, at = top; n < n1; n++) {
        const x = xAt >= 0 ? xAt / 4 + n * a.c * hw : at;
        if (xAt < 0) at += a.c * hw;
        const xT = at;
        at += (hw + 1) * a.c;
        const y = yInPlace ? yAt / 4 + n * size * nPix : at;
        if (!yInPlace) at += panels * 8 * pixPad;
        images.push({ x, xT, y, n });
      }
      const copyIn = (im: { x: number; n: number }) => {
        if (xAt < 0) e.f32.set(a.x.subarray(a.xOffset + im.n * a.c * hw, a.xOffset + (im.n + 1) * a.c * hw), im.x);
      };
      if (parallel && images.length >= 8) {
        // Whole images to each thread: the helper's half is copied in and started first, so it
        // preps and multiplies while the main thread copies and does its own half.
        const half = Math.ceil(images.length / 2);
        for (const im of images.slice(half)) {
          copyIn(im);
          e.post(OP.convPrep, [params * 4, im.x * 4, im.xT * 4]);
          e.post(OP.convKernel, [params * 4, ind * 4, pw * 4, im.xT * 4, im.y * 4, 0, blocks]);
        }
        const ticket = e.launch();
        for (const im of images.slice(0, half)) {
          copyIn(im);
          K.convPrep(params * 4, im.x * 4, im.xT * 4);
          K.convKernel(params * 4, ind * 4, pw * 4, im.xT * 4, im.y * 4, 0, blocks);
        }
        e.finish(ticket);
      } else {
        // Few images: each one's pixel blocks are split between the threads.
        const split = parallel ? Math.ceil(blocks / 2) : blocks;
        for (const im of images) {
          copyIn(im);
          K.convPrep(params * 4, im.x * 4, im.xT * 4);
          if (parallel) e.post(OP.convKernel, [params * 4, ind * 4, pw * 4, im.xT * 4, im.y * 4, split, blocks]);
        }
        const ticket = parallel ? e.launch() : 0;
        for (const im of images) K.convKernel(params * 4, ind * 4, pw * 4, im.xT * 4, im.y * 4, 0, split);
        if (parallel) e.finish(ticket);
      }
      for (const im of images) {
        if (yInPlace) break;
        const y = a.y,
          f = e.f32;
        for (let oc = 0; oc < a.o; oc++) {
          const s = im.y + oc * pixPad,
            d = a.yOffset + planeAt(a, im.n, oc, nPix);
          if (acc) for (let i = 0; i < nPix; i++) y[d + i] += f[s + i];
          else y.set(f.subarray(s, s + nPix), d);
        }
      }
    }
  }

  /**
   * c = 1, 3×3, stride 1 (conv.as conv1Kernel): pixels as the vector lanes, each image copied into
   * a zero-bordered buffer; whole images to each thread (one image: its output channels split).
   */
  private oneChannel(a: Conv2dArgs): void {
    const e = this.e,
      K = e.k;
    const hw = a.h * a.w,
      nPix = a.outH * a.outW,
      hp = a.outH + 2,
      wp = a.outW + 2;
    const mem = e.f32.buffer;
    const xAt = addressOf(mem, a.x, a.xOffset),
      wAt = addressOf(mem, a.weight, a.weightOffset),
      yAt = addressOf(mem, a.y, a.yOffset);
    const acc = a.accumulate === true;
    const fixed = PARAMS + (wAt >= 0 ? 0 : a.o * 9);
    const item = (xAt >= 0 ? 0 : hw) + hp * wp + (yAt >= 0 ? 0 : a.o * nPix);
    const group = imagesPerCall(e, fixed, item, a.batch);
    let top = e.start;
    const params = top;
    top += PARAMS;
    const wt = wAt >= 0 ? wAt / 4 : top;
    if (wAt < 0) {
      e.f32.set(a.weight.subarray(a.weightOffset, a.weightOffset + a.o * 9), wt);
      top += a.o * 9;
    }
    // accumulate in the kernel only when it writes y itself; through the arena the copy-out adds
    const { size, stride } = groups(a);
    e.i32.set(
      [a.h, a.w, a.padH, a.padW, a.outH, a.outW, hp, wp, +(acc && yAt >= 0), yAt >= 0 ? size : a.o, stride * 4],
      params,
    );
    const parallel = e.parallel(2 * a.batch * a.o * 9 * nPix, a.batch >= 2 ? a.batch : a.o);
    for (let n0 = 0; n0 < a.batch; n0 += group) {
      const n1 = Math.min(a.batch, n0 + group);
      const images: { x: number; xp: number; y: number; n: number }[] = [];
      for (let n = n0, at = top; n < n1; n++) {
        const x = xAt >= 0 ? xAt / 4 + n * hw : at;
        if (xAt < 0) at += hw;
        const xp = at;
        at += hp * wp;
        const y = yAt >= 0 ? yAt / 4 + n * size * nPix : at;
        if (yAt < 0) at += a.o * nPix;
        images.push({ x, xp, y, n });
        if (xAt < 0) e.f32.set(a.x.subarray(a.xOffset + n * hw, a.xOffset + (n + 1) * hw), x);
      }
      if (parallel && images.length >= 2) {
        const half = Math.ceil(images.length / 2);
        for (const im of images.slice(half)) {
          e.post(OP.conv1Prep, [params * 4, im.x * 4, im.xp * 4]);
          e.post(OP.conv1Kernel, [params * 4, im.xp * 4, wt * 4, im.y * 4, 0, a.o]);
        }
        const ticket = e.launch();
        for (const im of images.slice(0, half)) {
          K.conv1Prep(params * 4, im.x * 4, im.xp * 4);
          K.conv1Kernel(params * 4, im.xp * 4, wt * 4, im.y * 4, 0, a.o);
        }
        e.finish(ticket);
      } else {
        const split = parallel ? Math.ceil(a.o / 2) : a.o;
        for (const im of images) {
          K.conv1Prep(params * 4, im.x * 4, im.xp * 4);
          if (parallel) e.post(OP.conv1Kernel, [params * 4, im.xp * 4, wt * 4, im.y * 4, split, a.o]);
        }
        const ticket = parallel ? e.launch() : 0;
        for (const im of images) K.conv1Kernel(params * 4, im.xp * 4, wt * 4, im.y * 4, 0, split);
        if (parallel) e.finish(ticket);
      }
      if (yAt >= 0) continue;
      for (const im of images) {
        for (let oc = 0, y = a.y, f = e.f32; oc < a.o; oc++) {
          const s = im.y + oc * nPix,
            d = a.yOffset + planeAt(a, im.n, oc, nPix);
          if (acc) for (let i = 0; i < nPix; i++) y[d + i] += f[s + i];
          else y.set(f.subarray(s, s + nPix), d);
        }
      }
    }
  }

  /** y[n] = W[o, c·kh·kw]·cols[n] for chunks of images whose cols fit COLS_CHUNK floats. */
  private viaIm2col(a: Conv2dArgs): void {
    const K = a.c * a.kh * a.kw,
      nPix = a.outH * a.outW,
      hw = a.h * a.w;
    const per = Math.max(1, Math.min(a.batch, Math.floor(COLS_CHUNK / (K * nPix))));
    if (this.cols.length < per * K * nPix)
      this.cols = this.allocate(per * K * nPix) ?? new Float32Array(per * K * nPix);
    const cols = this.cols;
    for (let n0 = 0; n0 < a.batch; n0 += per) {
      const count = Math.min(per, a.batch - n0);
      for (let i = 0; i < count; i++) {
        im2col({
          x: a.x,
          xOffset: a.xOffset + (n0 + i) * a.c * hw,
          c: a.c,
          h: a.h,
          w: a.w,
          kh: a.kh,
          kw: a.kw,
          strideH: a.strideH,
          strideW: a.strideW,
          padH: a.padH,
          padW: a.padW,
          outH: a.outH,
          outW: a.outW,
          cols,
          colsOffset: i * K * nPix,
        });
      }
      const { size, stride } = groups(a);
      for (let g = 0; g < a.o / size; g++) {
        this.gemm.gemm({
          m: size,
          n: nPix,
          k: K,
          a: a.weight,
          aOffset: a.weightOffset + g * size * K,
          lda: K,
          transA: false,
          strideA: 0,
          b: cols,
          bOffset: 0,
          ldb: nPix,
          transB: false,
          strideB: K * nPix,
          c: a.y,
          cOffset: a.yOffset + g * stride + n0 * size * nPix,
          ldc: nPix,
          strideC: size * nPix,
          batch: count,
          alpha: 1,
          beta: a.accumulate === true ? 1 : 0,
        });
      }
    }
  }
}

/**
 * Images per kernel call: as many as the arena holds beside `fixed` floats of per-call state, at
 * `item` floats each (at most the batch and a job list's worth). Throws when not even one fits.
 */
function imagesPerCall(e: Engine, fixed: number, item: number, batch: number): number {
  const room = e.room(fixed + item) - fixed;
  if (room < item) {
    throw new Error(
      `wasm conv2dNchw: one image needs ${(fixed + item) * 4} bytes of arena, more than the ${(e.end - e.start) * 4} left beside the tensor heap (${e.describe()})`,
    );
  }
  return Math.max(1, Math.min(batch, Math.floor(room / item), Engine.MAX_GROUP));
}
