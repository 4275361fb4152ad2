// Sum/mean over one axis on the wasm kernels (assembly/ew.as), float64 accumulation like the js
// loop (kernels/js/reduce.ts). With inner > 1 each output is summed in the js loop's order (same
// bits); a contiguous axis (inner = 1: a row sum, or everything) is summed in 4 float64 lanes,
// another order: the float64 sums differ in their last bits, which rounding to float32 almost
// always hides (|error| ≤ len·2⁻⁵³·Σ|x|). Operands outside the kernel memory are copied through the
// arena (ew-call.ts stage), so placement never changes the bits.
import type { ReduceArgs } from '../backend';
import { reduce as jsReduce } from '../js/reduce';
import { EwCall, KIND, need } from './ew-call';

export class WasmReduce {
  constructor(private readonly c: EwCall) {}

  reduce(g: ReduceArgs): void {
    const { outer, len, inner } = g,
      c = this.c;
    const outs = outer * inner;
    if (!(outs > 0) || !(len > 0)) return jsReduce(g);
    for (const [k, v] of Object.entries({ outer, len, inner }))
      if (!Number.isInteger(v)) throw new Error(`wasm reduce: ${k} must be an integer, got ${v}`);
    need('reduce', 'x', g.x, g.xOffset, outs * len);
    need('reduce', 'y', g.y, g.yOffset, outs);
    const at = c.stage([
      { arr: g.x, off: g.xOffset, count: outs * len },
      { arr: g.y, off: g.yOffset, count: outs, write: true },
    ]);
    if (!at) {
      // Too large to copy in at once. inner > 1 sums in the js loop's order: js gives the same bits.
      // inner = 1 does not: rows in slices that fit, so placement never changes the bits.
      const rows = Math.floor(c.e.room(0) / 2 / (len + 1));
      if (inner > 1 || rows < 1 || rows >= outer) return jsReduce(g);
      for (let o0 = 0; o0 < outer; o0 += rows) {
        const m = Math.min(rows, outer - o0);
        this.reduce({ ...g, outer: m, xOffset: g.xOffset + o0 * len, yOffset: g.yOffset + o0 });
      }
      return;
    }
    const p = c.params(KIND.reduce, [at[0], at[1], outer, len, inner], [g.scale]);
    c.run(p, outs, 4 * (outs * len + outs), inner === 1 ? 1 : 4);
    c.unstage();
  }
}
