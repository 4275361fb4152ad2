// Beale and Rosenbrock (fixtures/test-functions.ts) written with Dual objects, for bench/scalar-jvp.ts.
import { Dual } from './dual';

export function bealeDual(x: Dual, y: Dual): Dual {
  const a = x.rsub(1.5).add(x.mul(y));
  const b = x.rsub(2.25).add(x.mul(y).mul(y));
  const c = x.rsub(2.625).add(x.mul(y).mul(y).mul(y));
  return a.mul(a).add(b.mul(b)).add(c.mul(c));
}

export function rosenbrockDual(x: Dual, y: Dual): Dual {
  const u = x.rsub(1);
  const w = y.sub(x.mul(x));
  return u.mul(u).add(w.mul(w).mul(100));
}
