// Tangent bookkeeping shared by every JVP rule: validating a tangent against its primal, finding
// the direction count K (vector mode: tangent shape [K, ...primal]), and allocating the fused
// output so y and ẏ sit stacked in one buffer (the next fused op then needs no copy).
import { Tensor, newStorage, sizeOf } from '../tensor/tensor';
import { getBackend } from '../../kernels/select';
import type { CompleteBackend } from '../../kernels/backend';

export type Operand = Tensor | number;
export type Tangent = Tensor | number | undefined;
export type JvpResult = [Tensor, Tensor | undefined];

/** Direction layout of an op's tangents: K directions, with or without a leading axis. */
export interface Directions {
  readonly K: number;
  readonly axis: boolean;
  readonly active: boolean;
}

const NONE: Directions = { K: 1, axis: false, active: false };

export const shapeStr = (s: readonly number[]): string => `[${s.join(',')}]`;
const describe = (v: Operand | Tangent): string =>
  v instanceof Tensor ? shapeStr(v.shape) : typeof v === 'number' ? 'number' : String(v);

export function opError(op: string, message: string): Error {
  return new Error(`${op}: ${message}`);
}

/** Throws unless x is a live Tensor (names the op and the argument). */
export function expectTensor(op: string, name: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw opError(op, `${name} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  if (x.isDisposed) throw opError(op, `${name} (shape ${shapeStr(x.shape)}) was disposed`);
  return x;
}

function sameShape(a: readonly number[], b: readonly number[], from = 0): boolean {
  if (a.length - from !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (a[i + from] !== b[i]) return false;
  return true;
}

/** The K of one tangent, or undefined when the tangent is zero. */
function directionsOf(op: string, primal: Operand, tangent: Tangent): Directions | undefined {
  if (tangent === undefined) return undefined;
  if (typeof primal === 'number') {
    if (typeof tangent !== 'number')
      throw opError(op, `the tangent of a number operand must be a number, got ${describe(tangent)}`);
    return tangent === 0 ? undefined : { K: 1, axis: false, active: true };
  }
  if (!(tangent instanceof Tensor))
    throw opError(
      op,
      `the tangent of a tensor ${shapeStr(primal.shape)} must be a Tensor or undefined, got ${describe(tangent)}`,
    );
  if (tangent.isDisposed) throw opError(op, `the tangent (shape ${describe(tangent)}) was disposed`);
  if (sameShape(tangent.shape, primal.shape)) return { K: 1, axis: false, active: true };
  if (tangent.rank === primal.rank + 1 && sameShape(tangent.shape, primal.shape, 1))
    return { K: tangent.shape[0], axis: true, active: true };
  throw opError(
    op,
    `tangent shape ${describe(tangent)} does not fit primal ${shapeStr(primal.shape)} (expected ${shapeStr(primal.shape)} or [K,${primal.shape.join(',')}])`,
  );
}

/** The common direction layout of an op's (primal, tangent) pairs; all active tangents must agree. */
export function directions(op: string, ...pairs: [Operand, Tangent][]): Directions {
  let dir = NONE;
  let numberTangent = false;
  for (const [p, t] of pairs) {
    const d = directionsOf(op, p, t);
    if (!d) continue;
    if (typeof p === 'number') numberTangent = true;
    else if (!dir.active) dir = d;
    else if (d.K !== dir.K || d.axis !== dir.axis) {
      throw opError(
        op,
        `tangents disagree on directions: ${dir.axis ? `K=${dir.K}` : 'single'} vs ${d.axis ? `K=${d.K}` : 'single'}`,
      );
    }
  }
  if (numberTangent) {
    if (dir.axis)
      throw opError(
        op,
        `a number operand's tangent cannot be combined with vector-mode tangents (K=${dir.K}); use a Tensor`,
      );
    if (!dir.active) dir = { K: 1, axis: false, active: true };
  }
  return dir;
}

/** The tangent tensor when it is active (not undefined, not a zero number). */
export function activeTensor(t: Tangent): Tensor | undefined {
  return t instanceof Tensor ? t : undefined;
}

/** Output y of shape `shape`, and ẏ stacked right after it in the same buffer when dir is active. */
export function allocOut(shape: readonly number[], dir: Directions): [Tensor, Tensor | undefined] {
  const n = sizeOf(shape);
  if (!dir.active) return [new Tensor(newStorage(n), shape), undefined];
  const storage = newStorage(n * (1 + dir.K));
  return [new Tensor(storage, shape), new Tensor(storage, dir.axis ? [dir.K, ...shape] : shape, n)];
}

/** True when tangent t sits right after primal p in the same buffer ([p; ṗ] already stacked). */
export function isStacked(p: Tensor, t: Tensor): boolean {
  return p.storage === t.storage && t.offset === p.offset + p.size;
}

export function backend(): CompleteBackend {
  return getBackend();
}

/** Positive finite integer option (stride, size, padding ≥ 0 when allowZero). */
export function intOption(op: string, name: string, v: unknown, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < (allowZero ? 0 : 1)) {
    throw opError(op, `${name} must be an integer ${allowZero ? '≥ 0' : '≥ 1'}, got ${String(v)}`);
  }
  return v;
}

/** A number or [h, w] pair option, validated. */
export function pairOption(op: string, name: string, v: unknown, dflt: number, allowZero = false): [number, number] {
  if (v === undefined) return [dflt, dflt];
  if (Array.isArray(v)) {
    if (v.length !== 2) throw opError(op, `${name} must be a number or [h, w], got [${v.join(',')}]`);
    return [intOption(op, `${name}[0]`, v[0], allowZero), intOption(op, `${name}[1]`, v[1], allowZero)];
  }
  const n = intOption(op, name, v, allowZero);
  return [n, n];
}
