// Elementwise binary ops with trailing-dims broadcasting as gpu.js kernels, generated from
// kernels/elementwise.ts's value and partials ∂/∂a, ∂/∂b (in a, b and y). Fused output is stacked
// [K + 1, n] (row 0 the value, row k + 1 tangent k); a missing da or db drops its term from the
// generated source rather than multiplying zeros. Kernel parameters are upper-case so `a`/`b`/`y`
// stay the table's.
import type { BinaryArgs } from '../backend';
import { BINARY, BinaryOp } from '../elementwise';
import { KernelCache, forEachRow } from './runtime';
import { operand, runResident, type Operand } from './device';

// Indices are < 2^24 (runtime.ts slices), where gpu.js's float32 `%` is exact. An operand with
// inner > 1 (element j spans `inner` outputs) first divides; float32 division (inexact on GPUs) can
// land one off near a multiple, so the quotient is corrected from the exact integer remainder.
const index = (name: 'a' | 'b', inner: boolean): string =>
  inner
    ? `let q${name} = Math.floor(this.thread.x / this.constants.${name}Inner);
  const r${name} = this.thread.x - q${name} * this.constants.${name}Inner;
  if (r${name} < 0) { q${name} = q${name} - 1; }
  if (r${name} >= this.constants.${name}Inner) { q${name} = q${name} + 1; }
  const i${name} = q${name} % this.constants.${name}Len;`
    : `const i${name} = this.thread.x % this.constants.${name}Len;`;
const operands = (aInner: boolean, bInner: boolean): string => `${index('a', aInner)}
  ${index('b', bInner)}
  const a = A[ia];
  const b = B[ib];`;

export function binarySource(op: BinaryOp, aInner = false, bInner = false): string {
  return `function (A, B) {
  ${operands(aInner, bInner)}
  return ${BINARY[op].y};
}`;
}

/**
 * Output [n, K + 1]; `hasDa`/`hasDb` say which tangent terms exist (and which arguments follow b),
 * `aInner`/`bInner` which operand's index divides by its inner period.
 */
export function binaryJvpSource(op: BinaryOp, hasDa: boolean, hasDb: boolean, aInner = false, bInner = false): string {
  const e = BINARY[op];
  const terms = [
    ...(hasDa ? [`(${e.da}) * DA[k * this.constants.das + ia]`] : []),
    ...(hasDb ? [`(${e.db}) * DB[k * this.constants.dbs + ib]`] : []),
  ];
  const params = ['A', 'B', ...(hasDa ? ['DA'] : []), ...(hasDb ? ['DB'] : [])];
  return `function (${params.join(', ')}) {
  ${operands(aInner, bInner)}
  const y = ${e.y};
  let out = y;
  if (this.thread.y > 0) {
    const k = this.thread.y - 1;
    out = ${terms.join(' + ')};
  }
  return out;
}`;
}

function checkLen(op: string, name: string, len: number, inner: number, n: number): void {
  if (!Number.isInteger(len) || len < 1 || !Number.isInteger(inner) || inner < 1 || n % (len * inner) !== 0) {
    throw new Error(
      `gpujs binary ${op}: ${name} = ${len} (inner ${inner}) must be positive integers with len·inner dividing n = ${n}`,
    );
  }
}

export function binary(cache: KernelCache, g: BinaryArgs): void {
  const { op, n, aLen, bLen } = g;
  if (!Object.hasOwn(BINARY, op))
    throw new Error(`gpujs binary: unknown op '${op}'; known: ${Object.keys(BINARY).join(', ')}`);
  if (!Number.isInteger(n) || n < 0) throw new Error(`gpujs binary ${op}: n must be a non-negative integer, got ${n}`);
  if (n === 0) return;
  const aInner = g.aInner ?? 1,
    bInner = g.bInner ?? 1;
  checkLen(op, 'aLen', aLen, aInner, n);
  checkLen(op, 'bLen', bLen, bInner, n);
  // Kernels with an inner period are their own (the common inner = 1 source stays as it was).
  const ai = aInner > 1,
    bi = bInner > 1,
    period = ai || bi ? `-inner${ai ? 'a' : ''}${bi ? 'b' : ''}` : '';
  const sizes = { aLen, bLen, ...(ai ? { aInner } : {}), ...(bi ? { bInner } : {}) };
  const hasDa = g.da !== undefined,
    hasDb = g.db !== undefined;
  const device = cache.device;
  if (device) {
    // Resident (device.ts): y, or [y; dy] stacked in one buffer, is one output texture.
    const A = operand(cache, device, g.a, g.aOffset, aLen, `${op} a`);
    const B = operand(cache, device, g.b, g.bOffset, bLen, `${op} b`);
    if (!g.dy || (!hasDa && !hasDb)) {
      const name = `binary-${op}${period}`;
      runResident(
        cache,
        device,
        name,
        binarySource(op, ai, bi),
        [n],
        sizes,
        [
          ['A', A],
          ['B', B],
        ],
        g.y,
        g.yOffset,
      );
      return;
    }
    const K = g.directions ?? 1;
    if (Number.isInteger(K) && K >= 1 && g.dy === g.y && (g.dyOffset ?? 0) === g.yOffset + n) {
      const das = g.daStride ?? aLen,
        dbs = g.dbStride ?? bLen;
      const ops: [string, Operand][] = [
        ['A', A],
        ['B', B],
      ];
      if (g.da) ops.push(['DA', operand(cache, device, g.da, g.daOffset ?? 0, (K - 1) * das + aLen, `${op} da`)]);
      if (g.db) ops.push(['DB', operand(cache, device, g.db, g.dbOffset ?? 0, (K - 1) * dbs + bLen, `${op} db`)]);
      const name = `binary-jvp-${op}-${hasDa ? 'a' : ''}${hasDb ? 'b' : ''}${period}`;
      const src = binaryJvpSource(op, hasDa, hasDb, ai, bi);
      runResident(cache, device, name, src, [n, K + 1], { ...sizes, das, dbs }, ops, g.y, g.yOffset);
      return;
    }
  }
  const a = cache.slice(g.a, g.aOffset, aLen, `${op} a`);
  const b = cache.slice(g.b, g.bOffset, bLen, `${op} b`);
  cache.slice(g.y, g.yOffset, n, `${op} y`);
  if (!g.dy || (!hasDa && !hasDb)) {
    const kern = cache.get(`binary-${op}${period}`, binarySource(op, ai, bi), [n], sizes);
    forEachRow(cache.run(`binary-${op}${period}`, kern, [a, b]), (row) => g.y.set(row, g.yOffset));
    return;
  }
  const K = g.directions ?? 1;
  if (!Number.isInteger(K) || K < 1) throw new Error(`gpujs binary ${op}: directions must be an integer ≥ 1, got ${K}`);
  const das = g.daStride ?? aLen,
    dbs = g.dbStride ?? bLen;
  const args: Float32Array[] = [a, b];
  if (g.da) args.push(cache.slice(g.da, g.daOffset ?? 0, (K - 1) * das + aLen, `${op} da`));
  if (g.db) args.push(cache.slice(g.db, g.dbOffset ?? 0, (K - 1) * dbs + bLen, `${op} db`));
  const dy = g.dy,
    dyo = g.dyOffset ?? 0;
  cache.slice(dy, dyo, K * n, `${op} dy`);
  const name = `binary-jvp-${op}-${hasDa ? 'a' : ''}${hasDb ? 'b' : ''}${period}`;
  const kern = cache.get(name, binaryJvpSource(op, hasDa, hasDb, ai, bi), [n, K + 1], { ...sizes, das, dbs });
  forEachRow(cache.run(name, kern, args), (row, r) => {
    if (r === 0) g.y.set(row, g.yOffset);
    else dy.set(row, dyo + (r - 1) * n);
  });
}
