// Sum/mean over one axis on the wasm kernels (assembly/ew.as), float64 accumulation like the js
// loop (kernels/js/reduce.ts). With inner > 1 each output is summed in the js loop's order (same
// bits); a contiguous axis (inner = 1: a row sum, or everything) is summed in 4 float64 lanes,
// another order: the float64 sums differ in their last bits, which rounding to float32 almost
// always hides (|error| ≤ len·2⁻⁵³·Σ|x|). Operands outside the kernel memory go to js.
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
    const x = c.addr(g.x, g.xOffset),
      y = c.addr(g.y, g.yOffset);
    if (x < 0 || y < 0) return jsReduce(g);
    need('reduce', 'x', g.x, g.xOffset, outs * len);
    need('reduce', 'y', g.y, g.yOffset, outs);
    const p = c.params(KIND.reduce, [x, y, outer, len, inner], [g.scale]);
    c.run(p, outs, 4 * (outs * len + outs), inner === 1 ? 1 : 4);
  }
}
