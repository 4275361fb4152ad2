// Elementwise unary ops as gpu.js kernels, generated from kernels/elementwise.ts's value and
// derivative expressions (in x = x[i] and y = f(x); relu'(0) = 0). The fused kernel's output is
// stacked [K + 1, n]: row 0 the primal, row k + 1 tangent k, which is exactly y followed by dy's
// layout, one thread per element. Kernel parameters are upper-case so `x`/`y` stay the table's.
import type { UnaryArgs } from '../backend';
import { UNARY, UnaryOp } from '../elementwise';
import { KernelCache, forEachRow } from './runtime';
import { operand, runResident } from './device';

/** Primal only: output [n]. */
export function unarySource(op: UnaryOp): string {
  return `function (X) {
  const x = X[this.thread.x];
  return ${UNARY[op].y};
}`;
}

/** Primal and K tangents: output [n, K + 1], thread.y = 0 the value, k + 1 tangent k. */
export function unaryJvpSource(op: UnaryOp): string {
  return `function (X, DX) {
  const x = X[this.thread.x];
  const y = ${UNARY[op].y};
  let out = y;
  if (this.thread.y > 0) {
    out = (${UNARY[op].dydx}) * DX[(this.thread.y - 1) * this.constants.n + this.thread.x];
  }
  return out;
}`;
}

export function unary(cache: KernelCache, g: UnaryArgs): void {
  if (!Object.hasOwn(UNARY, g.op))
    throw new Error(`gpujs unary: unknown op '${g.op}'; known: ${Object.keys(UNARY).join(', ')}`);
  const { n, op } = g;
  if (!Number.isInteger(n) || n < 0) throw new Error(`gpujs unary ${op}: n must be a non-negative integer, got ${n}`);
  if (n === 0) return;
  const device = cache.device;
  if (device) {
    // Resident (device.ts): y, or [y; dy] stacked in one buffer, is one output texture.
    const X = operand(cache, device, g.x, g.xOffset, n, `${op} x`);
    if (!g.dx || !g.dy) {
      runResident(cache, device, `unary-${op}`, unarySource(op), [n], {}, [['X', X]], g.y, g.yOffset);
      return;
    }
    const K = g.directions ?? 1;
    if (Number.isInteger(K) && K >= 1 && g.dy === g.y && (g.dyOffset ?? 0) === g.yOffset + n) {
      const DX = operand(cache, device, g.dx, g.dxOffset ?? 0, K * n, `${op} dx`);
      const src = unaryJvpSource(op);
      runResident(
        cache,
        device,
        `unary-jvp-${op}`,
        src,
        [n, K + 1],
        { n },
        [
          ['X', X],
          ['DX', DX],
        ],
        g.y,
        g.yOffset,
      );
      return;
    }
  }
  const x = cache.slice(g.x, g.xOffset, n, `${op} x`);
  cache.slice(g.y, g.yOffset, n, `${op} y`);
  if (!g.dx || !g.dy) {
    const kern = cache.get(`unary-${op}`, unarySource(op), [n], {});
    forEachRow(cache.run(`unary-${op}`, kern, [x]), (row) => g.y.set(row, g.yOffset));
    return;
  }
  const K = g.directions ?? 1;
  if (!Number.isInteger(K) || K < 1) throw new Error(`gpujs unary ${op}: directions must be an integer ≥ 1, got ${K}`);
  const dx = cache.slice(g.dx, g.dxOffset ?? 0, K * n, `${op} dx`);
  const dy = g.dy,
    dyo = g.dyOffset ?? 0;
  cache.slice(dy, dyo, K * n, `${op} dy`);
  const kern = cache.get(`unary-jvp-${op}`, unaryJvpSource(op), [n, K + 1], { n });
  // Row 0 is y; row k + 1 is tangent k.
  forEachRow(cache.run(`unary-jvp-${op}`, kern, [x, dx]), (row, r) => {
    if (r === 0) g.y.set(row, g.yOffset);
    else dy.set(row, dyo + (r - 1) * n);
  });
}
