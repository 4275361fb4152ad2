// Max pooling on the wasm kernels (assembly/ew.as): same winners, argmax and gathered tangents as
// the js loop (kernels/js/pool.ts), planes split between the threads; 2×2 windows at stride 2 (the
// paper's CNN) take 4 outputs per SIMD step. x, y, dx, dy must be in the kernel memory (else js);
// an argmax array outside it is written through the arena and copied out.
import type { MaxPool2dArgs } from '../backend';
import { maxPool2d as jsMaxPool2d } from '../js/pool';
import { EwCall, KIND, need } from './ew-call';

export class WasmPool {
  constructor(private readonly c: EwCall) {}

  maxPool2d(g: MaxPool2dArgs): void {
    const { planes, h, w, kh, kw, strideH: sh, strideW: sw, outH, outW } = g,
      c = this.c;
    const geometry = { planes, h, w, kh, kw, strideH: sh, strideW: sw, outH, outW };
    // Empty or non-integer geometry: the js loop's behaviour (it writes nothing for empty shapes).
    if (Object.values(geometry).some((v) => !Number.isInteger(v) || v < 1)) return jsMaxPool2d(g);
    if ((outH - 1) * sh + kh > h || (outW - 1) * sw + kw > w)
      throw new Error(
        `wasm maxPool2d: output ${outH}×${outW} with window ${kh}×${kw}, stride ${sh}×${sw} reads past the input ${h}×${w}`,
      );
    const tangent = !!(g.dx && g.dy);
    const K = g.directions ?? 1;
    if (!Number.isInteger(K) || K < 1)
      throw new Error(`wasm maxPool2d: directions must be a positive integer, got ${K}`);
    const P = planes * outH * outW,
      X = planes * h * w;
    const x = c.addr(g.x, g.xOffset),
      y = c.addr(g.y, g.yOffset);
    const dx = tangent ? c.addr(g.dx, g.dxOffset ?? 0) : 0,
      dy = tangent ? c.addr(g.dy, g.dyOffset ?? 0) : 0;
    if (x < 0 || y < 0 || dx < 0 || dy < 0) return jsMaxPool2d(g);
    need('maxPool2d', 'x', g.x, g.xOffset, X);
    need('maxPool2d', 'y', g.y, g.yOffset, P);
    if (tangent) {
      need('maxPool2d', 'dx', g.dx!, g.dxOffset ?? 0, K * X);
      need('maxPool2d', 'dy', g.dy!, g.dyOffset ?? 0, K * P);
    }
    let am = 0,
      copyOut = -1;
    if (g.argmax) {
      need('maxPool2d', 'argmax', g.argmax, 0, P);
      am = c.addr(g.argmax, 0);
      if (am < 0) {
        copyOut = c.scratch(P);
        am = copyOut * 4;
      }
    }
    const p = c.params(KIND.pool, [x, y, planes, h, w, kh, kw, sh, sw, outH, outW, am, dx, dy, K]);
    c.run(p, planes, 4 * (X + P) + (tangent ? 8 * K * P : 0) + (g.argmax ? 4 * P : 0), 1);
    if (copyOut >= 0) g.argmax!.set(c.e.i32.subarray(copyOut, copyOut + P));
  }
}
