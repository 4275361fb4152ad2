// Max pooling on the wasm kernels (assembly/ew.as): same winners, argmax and gathered tangents as
// the js loop (kernels/js/pool.ts), planes split between the threads; 2×2 windows at stride 2 (the
// paper's CNN) take 4 outputs per SIMD step. Operands outside the kernel memory (an Int32 argmax
// scratch, a user's array) are copied through the arena; js only when they do not fit (same bits).
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
    need('maxPool2d', 'x', g.x, g.xOffset, X);
    need('maxPool2d', 'y', g.y, g.yOffset, P);
    if (tangent) {
      need('maxPool2d', 'dx', g.dx!, g.dxOffset ?? 0, K * X);
      need('maxPool2d', 'dy', g.dy!, g.dyOffset ?? 0, K * P);
    }
    if (g.argmax) need('maxPool2d', 'argmax', g.argmax, 0, P);
    const at = c.stage([
      { arr: g.x, off: g.xOffset, count: X },
      { arr: g.y, off: g.yOffset, count: P, write: true },
      g.argmax ? { arr: g.argmax, off: 0, count: P, write: true } : undefined,
      tangent ? { arr: g.dx!, off: g.dxOffset ?? 0, count: K * X } : undefined,
      tangent ? { arr: g.dy!, off: g.dyOffset ?? 0, count: K * P, write: true } : undefined,
    ]);
    if (!at) return jsMaxPool2d(g); // too large to copy in: js gives the same bits
    const [x, y, am, dx, dy] = at;
    const p = c.params(KIND.pool, [x, y, planes, h, w, kh, kw, sh, sw, outH, outW, am, dx, dy, K]);
    c.run(p, planes, 4 * (X + P) + (tangent ? 8 * K * P : 0) + (g.argmax ? 4 * P : 0), 1);
    c.unstage();
  }
}
