// INTERIM (deleted when the elementwise family's ELEMENTWISE_RULES lands from the `elementwise`
// branch): reverse-mode rules of the elementwise ops, so the tape runs end to end meanwhile.
// Broadcast operands get their cotangent summed back over the repeats.
import { Tensor, sizeOf, zerosPooled } from '../tensor/tensor';
import { addJvp, divJvp, expJvp, logJvp, mulJvp, negJvp, reluJvp, sigmoidJvp, squareJvp, subJvp, tanhJvp } from './elementwise';
import type { OpRule, VjpFn } from './rule';

type Operand = Tensor | number;

/** Element of operand v at output index i (v repeats over the output shape: trailing-block broadcasting). */
function indexer(v: Tensor, out: readonly number[]): (i: number) => number {
  const len = v.size;
  if (len === sizeOf(out)) return (i) => i;
  const off = out.length - v.rank;
  let last = -1;
  for (let d = 0; d < v.rank; d++) if (v.shape[d] !== 1) last = d;
  const inner = last < 0 ? 1 : sizeOf(out.slice(last + off + 1));
  return (i) => Math.floor(i / inner) % len;
}

/** x̄ = Σ over the output of coef(i)·ȳ[i], gathered to each operand element. */
function sumBack(v: Tensor, gy: Tensor, coef: (i: number) => number): Tensor {
  const gx = zerosPooled(v.shape), at = indexer(v, gy.shape), g = gy.buffer, o = gx.buffer;
  for (let i = 0; i < gy.size; i++) o[gx.offset + at(i)] += coef(i) * g[gy.offset + i];
  return gx;
}

function valueAt(v: Operand, out: readonly number[]): (i: number) => number {
  if (typeof v === 'number') return () => v;
  const at = indexer(v, out), b = v.buffer, o = v.offset;
  return (i) => b[o + at(i)];
}

function binaryVjp(partial: (a: (i: number) => number, b: (i: number) => number, y: (i: number) => number) => [(i: number) => number, (i: number) => number]): VjpFn {
  return (gy, y, args, needs) => {
    const a = args[0] as Operand, b = args[1] as Operand;
    const yv = valueAt(y, y.shape);
    const [da, db] = partial(valueAt(a, y.shape), valueAt(b, y.shape), yv);
    return [
      needs[0] && typeof a !== 'number' ? sumBack(a, gy, da) : undefined,
      needs[1] && typeof b !== 'number' ? sumBack(b, gy, db) : undefined,
    ];
  };
}

function unaryVjp(d: (x: number, y: number) => number): VjpFn {
  return (gy, y, args, needs) => {
    if (!needs[0]) return [undefined];
    const x = args[0] as Tensor, xb = x.buffer, yb = y.buffer;
    return [sumBack(x, gy, (i) => d(xb[x.offset + i], yb[y.offset + i]))];
  };
}

const one = () => 1, minusOne = () => -1;

export const INTERIM_ELEMENTWISE_RULES: Record<string, OpRule> = {
  add: { jvp: addJvp, vjp: binaryVjp(() => [one, one]), rule: 'ẏ = ȧ + ḃ', vjpRule: 'ā = ȳ, b̄ = ȳ (summed over broadcasts)' },
  sub: { jvp: subJvp, vjp: binaryVjp(() => [one, minusOne]), rule: 'ẏ = ȧ − ḃ', vjpRule: 'ā = ȳ, b̄ = −ȳ' },
  mul: { jvp: mulJvp, vjp: binaryVjp((a, b) => [b, a]), rule: 'ẏ = ȧ·b + a·ḃ', vjpRule: 'ā = ȳ·b, b̄ = ȳ·a' },
  div: { jvp: divJvp, vjp: binaryVjp((_a, b, y) => [(i) => 1 / b(i), (i) => -y(i) / b(i)]), rule: 'ẏ = ȧ/b − y·ḃ/b', vjpRule: 'ā = ȳ/b, b̄ = −ȳ·y/b' },
  neg: { jvp: negJvp, vjp: unaryVjp(() => -1), rule: 'ẏ = −ẋ', vjpRule: 'x̄ = −ȳ' },
  square: { jvp: squareJvp, vjp: unaryVjp((x) => 2 * x), rule: 'ẏ = 2x·ẋ', vjpRule: 'x̄ = 2x·ȳ' },
  relu: { jvp: reluJvp, vjp: unaryVjp((x) => (x > 0 ? 1 : 0)), rule: "ẏ = [x > 0]·ẋ (relu'(0) = 0)", vjpRule: 'x̄ = [x > 0]·ȳ' },
  tanh: { jvp: tanhJvp, vjp: unaryVjp((_x, y) => 1 - y * y), rule: 'ẏ = (1 − y²)·ẋ', vjpRule: 'x̄ = (1 − y²)·ȳ' },
  sigmoid: { jvp: sigmoidJvp, vjp: unaryVjp((_x, y) => y * (1 - y)), rule: 'ẏ = y(1 − y)·ẋ', vjpRule: 'x̄ = y(1 − y)·ȳ' },
  exp: { jvp: expJvp, vjp: unaryVjp((_x, y) => y), rule: 'ẏ = y·ẋ', vjpRule: 'x̄ = y·ȳ' },
  log: { jvp: logJvp, vjp: unaryVjp((x) => 1 / x), rule: 'ẏ = ẋ / x', vjpRule: 'x̄ = ȳ/x' },
};

const R = INTERIM_ELEMENTWISE_RULES;
export const addVjp = R.add.vjp, subVjp = R.sub.vjp, mulVjp = R.mul.vjp, divVjp = R.div.vjp, negVjp = R.neg.vjp, squareVjp = R.square.vjp,
  reluVjp = R.relu.vjp, tanhVjp = R.tanh.vjp, sigmoidVjp = R.sigmoid.vjp, expVjp = R.exp.vjp, logVjp = R.log.vjp;
