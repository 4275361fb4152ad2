// Elementwise ops (unary, and binary with trailing-dims broadcasting or a number operand) and
// their JVPs; the derivative tables live with the kernels (kernels/js/unary.ts, binary.ts) and
// every backend applies them in the same pass as the value.
import type { BinaryOp, UnaryOp } from '../../kernels/backend';
import { Tensor, sizeOf } from '../tensor/tensor';
import { InnerBinaryArgs, binary as jsBinary } from '../../kernels/js/binary';
import { JvpResult, Operand, Tangent, activeTensor, allocOut, backend, directions, expectTensor, opError, shapeStr } from './tangents';

function unaryJvp(op: UnaryOp, x: Tensor, dx: Tangent): JvpResult {
  expectTensor(op, 'x', x);
  const dir = directions(op, [x, dx]);
  const [y, dy] = allocOut(x.shape, dir);
  const t = activeTensor(dx);
  backend().unary({
    op, n: x.size, x: x.buffer, xOffset: x.offset, y: y.buffer, yOffset: y.offset,
    dx: t?.buffer, dxOffset: t?.offset, dy: dy?.buffer, dyOffset: dy?.offset, directions: dir.K,
  });
  return [y, dy];
}

export const negJvp = (x: Tensor, dx: Tangent): JvpResult => unaryJvp('neg', x, dx);
export const squareJvp = (x: Tensor, dx: Tangent): JvpResult => unaryJvp('square', x, dx);
export const reluJvp = (x: Tensor, dx: Tangent): JvpResult => unaryJvp('relu', x, dx);
export const tanhJvp = (x: Tensor, dx: Tangent): JvpResult => unaryJvp('tanh', x, dx);
export const sigmoidJvp = (x: Tensor, dx: Tangent): JvpResult => unaryJvp('sigmoid', x, dx);
export const expJvp = (x: Tensor, dx: Tangent): JvpResult => unaryJvp('exp', x, dx);
export const logJvp = (x: Tensor, dx: Tangent): JvpResult => unaryJvp('log', x, dx);

export const neg = (x: Tensor): Tensor => negJvp(x, undefined)[0];
export const square = (x: Tensor): Tensor => squareJvp(x, undefined)[0];
export const relu = (x: Tensor): Tensor => reluJvp(x, undefined)[0];
export const tanh = (x: Tensor): Tensor => tanhJvp(x, undefined)[0];
export const sigmoid = (x: Tensor): Tensor => sigmoidJvp(x, undefined)[0];
export const exp = (x: Tensor): Tensor => expJvp(x, undefined)[0];
export const log = (x: Tensor): Tensor => logJvp(x, undefined)[0];

const shapeOf = (v: Operand): readonly number[] => (typeof v === 'number' ? [] : v.shape);

/** How an operand repeats over the output: element j covers outputs with (i / inner) mod len = j. */
interface Repeat { readonly len: number; readonly inner: number }

/**
 * Numpy-style broadcasting where one operand has the result's shape and the other's non-1 dims
 * (right-aligned) form one contiguous block of it: [17] or [1,17] on [5,17] (a bias), [C,1,1] on
 * [N,C,H,W] (a conv bias), [5,1] on [5,17], a number anywhere.
 */
function broadcast(op: string, a: Operand, b: Operand): { shape: readonly number[]; ra: Repeat; rb: Repeat } {
  const sa = shapeOf(a), sb = shapeOf(b);
  const aBig = sa.length > sb.length || (sa.length === sb.length && sizeOf(sa) >= sizeOf(sb));
  const [big, small] = aBig ? [sa, sb] : [sb, sa];
  const fail = (): Error => opError(op, `shapes ${shapeStr(sa)} and ${shapeStr(sb)} do not broadcast (the smaller must match a block of the larger's trailing dims, with 1s elsewhere)`);
  const off = big.length - small.length;
  let first = -1, last = -1;
  for (let d = 0; d < small.length; d++) {
    if (small[d] === 1 && big[d + off] !== 1) continue;
    if (small[d] !== big[d + off]) throw fail();
    if (first < 0) first = d;
    else if (last !== d - 1) throw fail();
    last = d;
  }
  const len = sizeOf(small);
  const inner = first < 0 ? 1 : sizeOf(big.slice(last + off + 1));
  const full: Repeat = { len: sizeOf(big), inner: 1 }, part: Repeat = { len, inner };
  return { shape: big, ra: aBig ? full : part, rb: aBig ? part : full };
}

// One-element buffers for number operands and their tangents (reused: ops run synchronously).
const NUMBER_SLOTS = { a: new Float32Array(1), b: new Float32Array(1), da: new Float32Array(1), db: new Float32Array(1) };

/** (buffer, offset, length) of an operand; numbers go through a one-element slot. */
function view(v: Operand, slot: Float32Array): [Float32Array, number, number] {
  if (typeof v !== 'number') return [v.buffer, v.offset, v.size];
  slot[0] = v;
  return [slot, 0, 1];
}

/** Tangent view: (buffer, offset, per-direction stride); undefined when zero. */
function tangentView(t: Tangent, len: number, slot: Float32Array): [Float32Array, number, number] | undefined {
  if (t === undefined || t === 0) return undefined;
  if (typeof t !== 'number') return [t.buffer, t.offset, len];
  slot[0] = t;
  return [slot, 0, 0];
}

function binaryJvp(op: BinaryOp, a: Operand, da: Tangent, b: Operand, db: Tangent): JvpResult {
  if (typeof a === 'number' && typeof b === 'number') throw opError(op, 'needs at least one Tensor operand (use plain arithmetic for two numbers)');
  if (typeof a !== 'number') expectTensor(op, 'a', a);
  if (typeof b !== 'number') expectTensor(op, 'b', b);
  const { shape, ra, rb } = broadcast(op, a, b);
  const dir = directions(op, [a, da], [b, db]);
  const [y, dy] = allocOut(shape, dir);
  const [ab, ao, aLen] = view(a, NUMBER_SLOTS.a), [bb, bo, bLen] = view(b, NUMBER_SLOTS.b);
  const ta = tangentView(da, aLen, NUMBER_SLOTS.da), tb = tangentView(db, bLen, NUMBER_SLOTS.db);
  const args: InnerBinaryArgs = {
    op, n: y.size, a: ab, aOffset: ao, aLen, b: bb, bOffset: bo, bLen, y: y.buffer, yOffset: y.offset,
    da: ta?.[0], daOffset: ta?.[1], daStride: ta?.[2], db: tb?.[0], dbOffset: tb?.[1], dbStride: tb?.[2],
    dy: dy?.buffer, dyOffset: dy?.offset, directions: dir.K,
  };
  // Backends implement period broadcasting (inner = 1); the rarer [C,1,1]-style case runs in js.
  if (ra.inner === 1 && rb.inner === 1) backend().binary(args);
  else jsBinary({ ...args, aInner: ra.inner, bInner: rb.inner });
  return [y, dy];
}

export const addJvp = (a: Operand, da: Tangent, b: Operand, db: Tangent): JvpResult => binaryJvp('add', a, da, b, db);
export const subJvp = (a: Operand, da: Tangent, b: Operand, db: Tangent): JvpResult => binaryJvp('sub', a, da, b, db);
export const mulJvp = (a: Operand, da: Tangent, b: Operand, db: Tangent): JvpResult => binaryJvp('mul', a, da, b, db);
export const divJvp = (a: Operand, da: Tangent, b: Operand, db: Tangent): JvpResult => binaryJvp('div', a, da, b, db);

export const add = (a: Operand, b: Operand): Tensor => addJvp(a, undefined, b, undefined)[0];
export const sub = (a: Operand, b: Operand): Tensor => subJvp(a, undefined, b, undefined)[0];
export const mul = (a: Operand, b: Operand): Tensor => mulJvp(a, undefined, b, undefined)[0];
export const div = (a: Operand, b: Operand): Tensor => divJvp(a, undefined, b, undefined)[0];
