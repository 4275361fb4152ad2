// Dual numbers as immutable objects: what a user writes for forward mode without a compiler (every operation
// allocates a value + tangent pair). The benchmark's baseline for the emitted twins; not part of the runtime.

export class Dual {
  constructor(
    readonly v: number,
    readonly d: number,
  ) {}
  static of(c: number): Dual {
    return new Dual(c, 0);
  }
  add(o: Dual | number): Dual {
    return typeof o === 'number' ? new Dual(this.v + o, this.d) : new Dual(this.v + o.v, this.d + o.d);
  }
  sub(o: Dual | number): Dual {
    return typeof o === 'number' ? new Dual(this.v - o, this.d) : new Dual(this.v - o.v, this.d - o.d);
  }
  mul(o: Dual | number): Dual {
    return typeof o === 'number'
      ? new Dual(this.v * o, this.d * o)
      : new Dual(this.v * o.v, this.d * o.v + this.v * o.d);
  }
  div(o: Dual | number): Dual {
    if (typeof o === 'number') return new Dual(this.v / o, this.d / o);
    const q = this.v / o.v;
    return new Dual(q, (this.d - q * o.d) / o.v);
  }
  neg(): Dual {
    return new Dual(-this.v, -this.d);
  }
  /** c − this */
  rsub(c: number): Dual {
    return new Dual(c - this.v, -this.d);
  }
  /** c / this */
  rdiv(c: number): Dual {
    const q = c / this.v;
    return new Dual(q, (-q * this.d) / this.v);
  }
  gt(c: number): boolean {
    return this.v > c;
  }
}

export const sin = (x: Dual): Dual => new Dual(Math.sin(x.v), Math.cos(x.v) * x.d);
export const exp = (x: Dual): Dual => {
  const e = Math.exp(x.v);
  return new Dual(e, e * x.d);
};
export const log1p = (x: Dual): Dual => new Dual(Math.log1p(x.v), x.d / (1 + x.v));
export const tanh = (x: Dual): Dual => {
  const t = Math.tanh(x.v);
  return new Dual(t, (1 - t * t) * x.d);
};
export const sqrt = (x: Dual): Dual => {
  const s = Math.sqrt(x.v);
  return new Dual(s, x.d / (2 * s));
};
