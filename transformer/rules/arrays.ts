// How each array method treats tangents (number[], tuples, Float32Array/Float64Array). The emitter
// (emit/arrays.ts) has one lowering per kind; a method missing here is refused with the hint of
// rules/unsupported.ts.
//
//   callback kinds  the callback runs through its twin inside a wrapper that keeps each element's tangent
//                   beside it (map, forEach, reduce, flatMap) or records which elements survive (filter, find)
//   predicate       the callback's result is a boolean or an index: no tangent (some, every, findIndex)
//   same            the same call on the tangent array, with the same inactive arguments (slice, pop, reverse…)
//   carry           like `same`, but some arguments are values that bring their own tangents (fill, splice…)
//   inactive        the result carries no tangent (indexOf, includes, join)

import * as ts from 'typescript';

export type ArrayMethodKind =
  | 'map'
  | 'forEach'
  | 'reduce'
  | 'reduceRight'
  | 'filter'
  | 'find'
  | 'flatMap'
  | 'predicate'
  | 'same'
  | 'carry'
  | 'concat'
  | 'sort'
  | 'inactive';

export interface ArrayMethodRule {
  readonly kind: ArrayMethodKind;
  /** `carry`: the arguments (from this index on) that are values with tangents; the others are positions and counts. */
  readonly values?: number;
  /** Mutates the receiver in place and returns it (its result aliases the receiver). */
  readonly returnsReceiver?: boolean;
  /** Mutates the receiver (so the receiver must carry a tangent when a value argument does). */
  readonly mutates?: boolean;
}

export const ARRAY_METHODS: Readonly<Record<string, ArrayMethodRule>> = {
  map: { kind: 'map' },
  forEach: { kind: 'forEach' },
  reduce: { kind: 'reduce' },
  reduceRight: { kind: 'reduceRight' },
  filter: { kind: 'filter' },
  find: { kind: 'find' },
  findLast: { kind: 'find' },
  flatMap: { kind: 'flatMap' },
  some: { kind: 'predicate' },
  every: { kind: 'predicate' },
  findIndex: { kind: 'predicate' },
  findLastIndex: { kind: 'predicate' },
  slice: { kind: 'same' },
  subarray: { kind: 'same' }, // a view: its tangent is the same view of the tangent array
  at: { kind: 'same' },
  pop: { kind: 'same', mutates: true },
  shift: { kind: 'same', mutates: true },
  reverse: { kind: 'same', mutates: true, returnsReceiver: true },
  copyWithin: { kind: 'same', mutates: true, returnsReceiver: true },
  fill: { kind: 'carry', values: 0, mutates: true, returnsReceiver: true },
  splice: { kind: 'carry', values: 2, mutates: true },
  unshift: { kind: 'carry', values: 0, mutates: true },
  push: { kind: 'carry', values: 0, mutates: true },
  set: { kind: 'carry', values: 0, mutates: true },
  concat: { kind: 'concat' },
  sort: { kind: 'sort', mutates: true, returnsReceiver: true },
  indexOf: { kind: 'inactive' },
  lastIndexOf: { kind: 'inactive' },
  includes: { kind: 'inactive' },
  join: { kind: 'inactive' },
};

/** The rule of `name` (own entries only: `constructor`, `toString`… are not array methods here). */
export function arrayMethod(name: string): ArrayMethodRule | undefined {
  return Object.prototype.hasOwnProperty.call(ARRAY_METHODS, name) ? ARRAY_METHODS[name] : undefined;
}

/** Methods whose result never carries a tangent, whatever the receiver (the activity analysis skips them). */
export function isInactiveArrayMethod(name: string): boolean {
  const k = arrayMethod(name)?.kind;
  return k === 'predicate' || k === 'inactive';
}

/** Argument index of the value that `carry` methods take, for the `values` rule: which arguments have tangents. */
export function carriesTangent(rule: ArrayMethodRule, argIndex: number, method: string): boolean {
  if (rule.kind !== 'carry') return false;
  // fill(value, start, end) and set(source, offset): only the first argument is a value
  if (method === 'fill' || method === 'set') return argIndex === 0;
  return argIndex >= (rule.values ?? 0);
}

/** `Array.from(src, map?)`, `Float64Array.from(src)`: a copy (mapped through the callback's twin). */
export function isArrayFrom(e: ts.CallExpression): boolean {
  const c = e.expression;
  return (
    ts.isPropertyAccessExpression(c) &&
    ts.isIdentifier(c.expression) &&
    c.name.text === 'from' &&
    ['Array', 'Float64Array', 'Float32Array'].includes(c.expression.text)
  );
}
