// Elementwise ops (unary, and binary with trailing-dims broadcasting or a number operand), their
// fused JVPs and their VJPs. Every op is an entry of kernels/elementwise.ts (value, derivatives,
// references, rules in math); this file turns each entry into the tensor op, its JVP and VJP, and
// its OpRule in ELEMENTWISE_RULES. Adding a unary op there needs one export line here (TypeScript
// cannot export names computed at run time).
import { BINARY, BINARY_OPS, BinaryOp, UNARY, UNARY_OPS, UnaryOp } from '../../kernels/elementwise';
import { Tensor, empty, sizeOf } from '../tensor/tensor';
import type { OpRule, VjpFn } from './rule';
import {
  JvpResult,
  Operand,
  Tangent,
  activeTensor,
  allocOut,
  backend,
  directions,
  expectTensor,
  opError,
  shapeStr,
} from './tangents';

function unaryJvp(op: UnaryOp, x: Tensor, dx: Tangent): JvpResult {
  expectTensor(op, 'x', x);
  const dir = directions(op, [x, dx]);
  const [y, dy] = allocOut(x.shape, dir);
  const t = activeTensor(dx);
  backend().unary({
    op,
    n: x.size,
    x: x.kernelBuffer,
    xOffset: x.offset,
    y: y.kernelBuffer,
    yOffset: y.offset,
    dx: t?.kernelBuffer,
    dxOffset: t?.offset,
    dy: dy?.kernelBuffer,
    dyOffset: dy?.offset,
    directions: dir.K,
  });
  return [y, dy];
}

/** Throws unless ȳ is a live Tensor of exactly the output's shape (no direction axis in reverse mode). */
function expectCotangent(op: string, gy: unknown, shape: readonly number[]): Tensor {
  const g = expectTensor(op, 'the output cotangent ȳ', gy);
  if (g.rank !== shape.length || g.shape.some((d, i) => d !== shape[i])) {
    throw opError(
      op,
      `the output cotangent ȳ has shape ${shapeStr(g.shape)}, expected the output's ${shapeStr(shape)}`,
    );
  }
  return g;
}

/**
 * x̄ = f'(x)·ȳ: an elementwise Jacobian is diagonal, so this is the fused kernel's tangent path
 * with ȳ as the tangent. Its value output is recomputed into a pooled scratch and dropped.
 */
function unaryVjp(
  op: UnaryOp,
  gy: Tensor,
  args: readonly unknown[],
  needs: readonly boolean[],
): (Tensor | undefined)[] {
  const x = expectTensor(op, 'x', args[0]);
  if (!needs[0]) return [undefined];
  const g = expectCotangent(op, gy, x.shape);
  const scratch = empty(x.shape),
    gx = empty(x.shape);
  backend().unary({
    op,
    n: x.size,
    x: x.kernelBuffer,
    xOffset: x.offset,
    y: scratch.kernelBuffer,
    yOffset: scratch.offset,
    dx: g.kernelBuffer,
    dxOffset: g.offset,
    dy: gx.kernelBuffer,
    dyOffset: gx.offset,
    directions: 1,
  });
  scratch.dispose();
  return [gx];
}

type UnaryFns<N extends string> = { readonly [K in N]: (x: Tensor) => Tensor } & {
  readonly [K in `${N}Jvp`]: (x: Tensor, dx: Tangent) => JvpResult;
} & { readonly [K in `${N}Vjp`]: VjpFn };

const unaryCache = new Map<string, unknown>();

/** The op `name`, `nameJvp` and `nameVjp` of a table entry (the same functions on every call). */
function unaryFns<N extends UnaryOp>(op: N): UnaryFns<N> {
  let fns = unaryCache.get(op) as UnaryFns<N> | undefined;
  if (!fns) {
    // Defined inside the literal so each function's `name` is its export name (stack traces).
    fns = {
      [op]: (x: Tensor): Tensor => unaryJvp(op, x, undefined)[0],
      [`${op}Jvp`]: (x: Tensor, dx: Tangent): JvpResult => unaryJvp(op, x, dx),
      [`${op}Vjp`]: (gy: Tensor, _y: Tensor, args: readonly unknown[], needs: readonly boolean[]) =>
        unaryVjp(op, gy, args, needs),
    } as UnaryFns<N>;
    unaryCache.set(op, fns);
  }
  return fns;
}

export const { neg, negJvp, negVjp } = unaryFns('neg');
export const { square, squareJvp, squareVjp } = unaryFns('square');
export const { relu, reluJvp, reluVjp } = unaryFns('relu');
export const { tanh, tanhJvp, tanhVjp } = unaryFns('tanh');
export const { sigmoid, sigmoidJvp, sigmoidVjp } = unaryFns('sigmoid');
export const { exp, expJvp, expVjp } = unaryFns('exp');
export const { log, logJvp, logVjp } = unaryFns('log');
export const { softplus, softplusJvp, softplusVjp } = unaryFns('softplus');

const shapeOf = (v: Operand): readonly number[] => (typeof v === 'number' ? [] : v.shape);

/** How an operand repeats over the output: element j covers outputs with (i / inner) mod len = j. */
interface Repeat {
  readonly len: number;
  readonly inner: number;
}

/**
 * Numpy-style broadcasting where one operand has the result's shape and the other's non-1 dims
 * (right-aligned) form one contiguous block of it: [17] or [1,17] on [5,17] (a bias), [C,1,1] on
 * [N,C,H,W] (a conv bias), [5,1] on [5,17], a number anywhere.
 */
function broadcast(op: string, a: Operand, b: Operand): { shape: readonly number[]; ra: Repeat; rb: Repeat } {
  const sa = shapeOf(a),
    sb = shapeOf(b);
  const aBig = sa.length > sb.length || (sa.length === sb.length && sizeOf(sa) >= sizeOf(sb));
  const [big, small] = aBig ? [sa, sb] : [sb, sa];
  const fail = (): Error =>
    opError(
      op,
      `shapes ${shapeStr(sa)} and ${shapeStr(sb)} do not broadcast (the smaller must match a block of the larger's trailing dims, with 1s elsewhere)`,
    );
  const off = big.length - small.length;
  let first = -1,
    last = -1;
  for (let d = 0; d < small.length; d++) {
    if (small[d] === 1 && big[d + off] !== 1) continue;
    if (small[d] !== big[d + off]) throw fail();
    if (first < 0) first = d;
    else if (last !== d - 1) throw fail();
    last = d;
  }
  const len = sizeOf(small);
  const inner = first < 0 ? 1 : sizeOf(big.slice(last + off + 1));
  const full: Repeat = { len: sizeOf(big), inner: 1 },
    part: Repeat = { len, inner };
  return { shape: big, ra: aBig ? full : part, rb: aBig ? part : full };
}

// One-element buffers for number operands and their tangents (reused: ops run synchronously).
const NUMBER_SLOTS = {
  a: new Float32Array(1),
  b: new Float32Array(1),
  da: new Float32Array(1),
  db: new Float32Array(1),
};

/** (buffer, offset, length) of an operand; numbers go through a one-element slot. */
function view(v: Operand, slot: Float32Array): [Float32Array, number, number] {
  if (typeof v !== 'number') return [v.kernelBuffer, v.offset, v.size];
  slot[0] = v;
  return [slot, 0, 1];
}

/** Tangent view: (buffer, offset, per-direction stride); undefined when zero. */
function tangentView(t: Tangent, len: number, slot: Float32Array): [Float32Array, number, number] | undefined {
  if (t === undefined || t === 0) return undefined;
  if (typeof t !== 'number') return [t.kernelBuffer, t.offset, len];
  slot[0] = t;
  return [slot, 0, 0];
}

function binaryJvp(op: BinaryOp, a: Operand, da: Tangent, b: Operand, db: Tangent): JvpResult {
  if (typeof a === 'number' && typeof b === 'number')
    throw opError(op, 'needs at least one Tensor operand (use plain arithmetic for two numbers)');
  if (typeof a !== 'number') expectTensor(op, 'a', a);
  if (typeof b !== 'number') expectTensor(op, 'b', b);
  const { shape, ra, rb } = broadcast(op, a, b);
  const dir = directions(op, [a, da], [b, db]);
  const [y, dy] = allocOut(shape, dir);
  const [ab, ao, aLen] = view(a, NUMBER_SLOTS.a),
    [bb, bo, bLen] = view(b, NUMBER_SLOTS.b);
  const ta = tangentView(da, aLen, NUMBER_SLOTS.da),
    tb = tangentView(db, bLen, NUMBER_SLOTS.db);
  backend().binary({
    op,
    n: y.size,
    a: ab,
    aOffset: ao,
    aLen,
    aInner: ra.inner,
    b: bb,
    bOffset: bo,
    bLen,
    bInner: rb.inner,
    y: y.kernelBuffer,
    yOffset: y.offset,
    da: ta?.[0],
    daOffset: ta?.[1],
    daStride: ta?.[2],
    db: tb?.[0],
    dbOffset: tb?.[1],
    dbStride: tb?.[2],
    dy: dy?.kernelBuffer,
    dyOffset: dy?.offset,
    directions: dir.K,
  });
  return [y, dy];
}

type BinaryFns<N extends string> = { readonly [K in N]: (a: Operand, b: Operand) => Tensor } & {
  readonly [K in `${N}Jvp`]: (a: Operand, da: Tangent, b: Operand, db: Tangent) => JvpResult;
} & { readonly [K in `${N}Vjp`]: VjpFn };

const binaryCache = new Map<string, unknown>();

function binaryFns<N extends BinaryOp>(op: N): BinaryFns<N> {
  let fns = binaryCache.get(op) as BinaryFns<N> | undefined;
  if (!fns) {
    fns = {
      [op]: (a: Operand, b: Operand): Tensor => binaryJvp(op, a, undefined, b, undefined)[0],
      [`${op}Jvp`]: (a: Operand, da: Tangent, b: Operand, db: Tangent): JvpResult => binaryJvp(op, a, da, b, db),
      [`${op}Vjp`]: (gy: Tensor, y: Tensor, args: readonly unknown[], needs: readonly boolean[]) =>
        binaryVjp(op, gy, y, args, needs),
    } as BinaryFns<N>;
    binaryCache.set(op, fns);
  }
  return fns;
}

export const { add, addJvp, addVjp } = binaryFns('add');
export const { sub, subJvp, subVjp } = binaryFns('sub');
export const { mul, mulJvp, mulVjp } = binaryFns('mul');
export const { div, divJvp, divVjp } = binaryFns('div');

/**
 * One operand's cotangent before it is summed back to the operand's shape: ā = scale·Σ t, with t
 * of the output's shape. `owned`: t is a temporary made by the rule (freed once summed), not ȳ.
 */
interface Summand {
  readonly t: Tensor;
  readonly scale: number;
  readonly owned: boolean;
}

const shared = (gy: Tensor, scale: number): Summand => ({ t: gy, scale, owned: false });
const owned = (t: Tensor, scale = 1): Summand => ({ t, scale, owned: true });

/**
 * Per binary op: the output-shaped partials of the operands asked for (`need`), from ȳ, y and the
 * operands, as elementwise ops (the table's `vjp` math; negations ride on the reduction's scale).
 */
const BINARY_VJP: Readonly<
  Record<
    BinaryOp,
    (
      gy: Tensor,
      y: Tensor,
      a: Operand,
      b: Operand,
      need: readonly [boolean, boolean],
    ) => [Summand | undefined, Summand | undefined]
  >
> = {
  add: (gy, _y, _a, _b, [na, nb]) => [na ? shared(gy, 1) : undefined, nb ? shared(gy, 1) : undefined],
  sub: (gy, _y, _a, _b, [na, nb]) => [na ? shared(gy, 1) : undefined, nb ? shared(gy, -1) : undefined],
  mul: (gy, _y, a, b, [na, nb]) => [na ? owned(mul(gy, b)) : undefined, nb ? owned(mul(gy, a)) : undefined],
  div: (gy, y, _a, b, [na, nb]) => {
    const q = div(gy, b); // ȳ/b
    const pb = nb ? owned(mul(q, y), -1) : undefined; // −ȳ·y/b
    if (na) return [owned(q), pb];
    q.dispose();
    return [undefined, pb];
  },
};

/** y = scale·Σ_j x over the middle axis of x viewed as [outer, len, inner], as a fresh tensor. */
function reduceAxis(x: Tensor, outer: number, len: number, inner: number, scale: number): Tensor {
  const y = empty([outer * inner]);
  backend().reduce({
    x: x.kernelBuffer,
    xOffset: x.offset,
    outer,
    len,
    inner,
    scale,
    y: y.kernelBuffer,
    yOffset: y.offset,
  });
  return y;
}

/**
 * The operand's cotangent from its output-shaped summand: operand element j covers the outputs
 * base + j·inner + q (see Repeat), so sum over the repeats of the block (outer), then over each
 * element's run (inner). A fresh tensor of the operand's shape; frees an owned partial.
 */
function sumTo(p: Summand, rep: Repeat, shape: readonly number[]): Tensor {
  const { len, inner } = rep,
    outer = p.t.size / (len * inner);
  let r: Tensor;
  if (outer === 1 && inner === 1) {
    // Same size as the output: the partial itself, or a scaled copy (len-1 reduction) of ȳ.
    r = p.owned && p.scale === 1 ? p.t : reduceAxis(p.t, p.t.size, 1, 1, p.scale);
  } else {
    r = outer > 1 ? reduceAxis(p.t, 1, outer, len * inner, inner > 1 ? 1 : p.scale) : p.t;
    if (inner > 1) {
      const r2 = reduceAxis(r, len, inner, 1, p.scale);
      if (r !== p.t) r.dispose();
      r = r2;
    }
  }
  if (p.owned && r !== p.t) p.t.dispose();
  if (r.rank === shape.length && r.shape.every((d, i) => d === shape[i])) return r;
  const view = new Tensor(r.storage, shape, r.offset);
  r.dispose();
  return view;
}

/** ā, b̄ summed back to each operand's shape; number operands (and those not needed) get undefined. */
function binaryVjp(
  op: BinaryOp,
  gy: Tensor,
  y: Tensor,
  args: readonly unknown[],
  needs: readonly boolean[],
): (Tensor | undefined)[] {
  const [a, b] = args as [Operand, Operand];
  if (typeof a !== 'number') expectTensor(op, 'a', a);
  if (typeof b !== 'number') expectTensor(op, 'b', b);
  const { shape, ra, rb } = broadcast(op, a, b);
  const g = expectCotangent(op, gy, shape);
  const need = [!!needs[0] && typeof a !== 'number', !!needs[1] && typeof b !== 'number'] as const;
  if (!need[0] && !need[1]) return [undefined, undefined];
  const [pa, pb] = BINARY_VJP[op](g, y, a, b, need);
  return [pa && sumTo(pa, ra, shapeOf(a)), pb && sumTo(pb, rb, shapeOf(b))];
}

/** Every elementwise op's rule, one per table entry (runtime/ops/rules.ts merges the families). */
export const ELEMENTWISE_RULES: Readonly<Record<string, OpRule>> = Object.fromEntries([
  ...UNARY_OPS.map((op) => {
    const f = unaryFns(op) as unknown as Record<string, OpRule['jvp'] & OpRule['vjp']>;
    return [op, { jvp: f[`${op}Jvp`], vjp: f[`${op}Vjp`], rule: UNARY[op].jvp, vjpRule: UNARY[op].vjp }];
  }),
  ...BINARY_OPS.map((op) => {
    const f = binaryFns(op) as unknown as Record<string, OpRule['jvp'] & OpRule['vjp']>;
    return [op, { jvp: f[`${op}Jvp`], vjp: f[`${op}Vjp`], rule: BINARY[op].jvp, vjpRule: BINARY[op].vjp }];
  }),
]);
