// Elementwise binary ops with broadcasting and fused tangents: one loop per op and variant,
// generated from the value y(a, b) and partials ∂y/∂a, ∂y/∂b of kernels/elementwise.ts (in a, b
// and y, so div reuses the quotient).
import type { BinaryArgs } from '../backend';
import { BINARY, BinaryOp } from '../elementwise';
import { compileLoop, scratch } from './compile-loop';

type Loop = (
  A: Float32Array,
  ao: number,
  B: Float32Array,
  bo: number,
  Y: Float32Array,
  yo: number,
  n: number,
  len: number,
  inner: number,
  DA: Float32Array | undefined,
  dao: number,
  das: number,
  DB: Float32Array | undefined,
  dbo: number,
  dbs: number,
  DY: Float32Array | undefined,
  dyo: number,
  K: number,
  SA: Float64Array | undefined,
  SB: Float64Array | undefined,
) => void;

const PARAMS = [
  'A',
  'ao',
  'B',
  'bo',
  'Y',
  'yo',
  'n',
  'len',
  'inner',
  'DA',
  'dao',
  'das',
  'DB',
  'dbo',
  'dbs',
  'DY',
  'dyo',
  'K',
  'SA',
  'SB',
];

/** The broadcast loop nest: `body` runs for output i with the repeating operand's index j. */
const nest = (body: string): string => `
  for (let base = 0; base < n; base += len * inner) {
    for (let j = 0; j < len; j++) {
      for (let q = 0, i = base + j * inner; q < inner; q++, i++) { ${body} }
    }
  }`;

/**
 * One operand is "full" (index i), the other repeats: index j for outputs i = base + j·inner + q
 * (trailing broadcasting is inner = 1; equal shapes are len = n). `small` names the repeating one.
 * With K > 1 directions the partials are kept in SA/SB during the value pass, then each further
 * direction is one multiply-add pass.
 */
function loop(op: BinaryOp, small: 'a' | 'b', withDa: boolean, withDb: boolean): Loop {
  const r = Object.hasOwn(BINARY, op) ? BINARY[op] : undefined;
  if (!r) throw new Error(`binary: unknown op '${op}'`);
  const ia = small === 'a' ? 'j' : 'i',
    ib = small === 'b' ? 'j' : 'i';
  const term = (ga: string, gb: string, k: string): string =>
    [withDa && `${ga} * DA[dao + ${k} * das + ${ia}]`, withDb && `${gb} * DB[dbo + ${k} * dbs + ${ib}]`]
      .filter(Boolean)
      .join(' + ');
  const value = `const a = A[ao + ${ia}], b = B[bo + ${ib}], y = ${r.y};\n Y[yo + i] = y;`;
  const body = !(withDa || withDb)
    ? nest(value)
    : nest(`${value}
      const ga = ${withDa ? r.da : 0}, gb = ${withDb ? r.db : 0};
      DY[dyo + i] = ${term('ga', 'gb', '0')};
      if (K > 1) { SA[i] = ga; SB[i] = gb; }`) +
      `
    for (let k = 1; k < K; k++) {
      const o = dyo + k * n;
      ${nest(`DY[o + i] = ${term('SA[i]', 'SB[i]', 'k')};`)}
    }`;
  return compileLoop<Loop>(`binary:${op}:${small}:${withDa}:${withDb}`, PARAMS, body);
}

let scratchB = new Float64Array(0);

export function binary(g: BinaryArgs): void {
  const { n, aLen, bLen } = g;
  if (n === 0) return;
  // Which operand repeats (a full-length operand has len = n, inner = 1).
  const small = aLen === n && (g.aInner ?? 1) === 1 ? 'b' : 'a';
  const len = small === 'a' ? aLen : bLen,
    inner = (small === 'a' ? g.aInner : g.bInner) ?? 1;
  const fullInner = (small === 'a' ? g.bInner : g.aInner) ?? 1;
  if (
    !Number.isInteger(inner) ||
    inner < 1 ||
    n % (len * inner) !== 0 ||
    (small === 'a' ? bLen : aLen) !== n ||
    fullInner !== 1
  ) {
    throw new Error(
      `binary: operands (len ${aLen}, inner ${g.aInner ?? 1}) and (len ${bLen}, inner ${g.bInner ?? 1}) do not broadcast to ${n} (one must be full: len n, inner 1)`,
    );
  }
  const tangent = !!g.dy && !!(g.da || g.db);
  const withDa = tangent && !!g.da,
    withDb = tangent && !!g.db,
    K = g.directions ?? 1;
  let SA: Float64Array | undefined, SB: Float64Array | undefined;
  if (tangent && K > 1) {
    SA = scratch(n);
    if (scratchB.length < n) scratchB = new Float64Array(Math.max(n, 2 * scratchB.length));
    SB = scratchB;
  }
  loop(g.op, small, withDa, withDb)(
    g.a,
    g.aOffset,
    g.b,
    g.bOffset,
    g.y,
    g.yOffset,
    n,
    len,
    inner,
    g.da,
    g.daOffset ?? 0,
    g.daStride ?? aLen,
    g.db,
    g.dbOffset ?? 0,
    g.dbStride ?? bLen,
    g.dy,
    g.dyOffset ?? 0,
    K,
    SA,
    SB,
  );
}
