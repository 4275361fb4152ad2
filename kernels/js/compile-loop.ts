// Builds specialised elementwise loops from the rule tables' expression strings, once per op and
// variant. Why generated: a shared loop calling the rule through a table (f(x), df(x)) cannot be
// inlined by V8 and measured 6× slower (15 vs 2.6 ns per element) than a loop with the expression
// written in; generating keeps one line per rule in the table and the speed of hand-written loops.
const cache = new Map<string, Function>();

export function compileLoop<F extends Function>(key: string, params: string[], body: string): F {
  let fn = cache.get(key);
  if (!fn) {
    fn = new Function(...params, `'use strict';\n${body}`);
    cache.set(key, fn);
  }
  return fn as F;
}

let scratchBuf = new Float64Array(0);

/** A grow-only float64 scratch of at least n elements (per-element derivatives reused across directions). */
export function scratch(n: number): Float64Array {
  if (scratchBuf.length < n) scratchBuf = new Float64Array(Math.max(n, 2 * scratchBuf.length));
  return scratchBuf;
}
