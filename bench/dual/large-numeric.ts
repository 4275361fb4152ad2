// fixtures/large-numeric.ts (chainLoss) ported line by line to Dual objects, for bench/scalar-jvp.ts: the same
// loops, arrays, branches and helper calls, with every active number a Dual (indices and counts stay numbers).
import { Dual, exp, log1p, sin, sqrt, tanh } from './dual';

function springForce(pos: Dual[], i: number, k: Dual, cubic: Dual): Dual {
  let f = Dual.of(0);
  if (i > 0) {
    const d = pos[i].sub(pos[i - 1]);
    f = f.sub(k.mul(d).add(cubic.mul(d).mul(d).mul(d)));
  }
  if (i + 1 < pos.length) {
    const d = pos[i].sub(pos[i + 1]);
    f = f.sub(k.mul(d).add(cubic.mul(d).mul(d).mul(d)));
  }
  return f;
}

function accelerations(
  pos: Dual[],
  vel: Dual[],
  acc: Dual[],
  k: Dual,
  cubic: Dual,
  damping: Dual,
  drive: Dual,
  t: Dual,
): void {
  const n = pos.length;
  for (let i = 0; i < n; i++) {
    let f = springForce(pos, i, k, cubic);
    f = f.sub(damping.mul(vel[i]));
    if (i === 0) f = f.add(drive.mul(sin(t.mul(1.3))));
    acc[i] = f.div(1 + 0.1 * i);
  }
}

function rk4Step(pos: Dual[], vel: Dual[], h: Dual, k: Dual, cubic: Dual, damping: Dual, drive: Dual, t: Dual): void {
  const n = pos.length;
  const p2: Dual[] = [];
  const v2: Dual[] = [];
  const p3: Dual[] = [];
  const v3: Dual[] = [];
  const p4: Dual[] = [];
  const v4: Dual[] = [];
  const a1: Dual[] = [];
  const a2: Dual[] = [];
  const a3: Dual[] = [];
  const a4: Dual[] = [];
  const zero = Dual.of(0);
  for (let i = 0; i < n; i++) {
    a1.push(zero);
    a2.push(zero);
    a3.push(zero);
    a4.push(zero);
  }
  accelerations(pos, vel, a1, k, cubic, damping, drive, t);
  for (let i = 0; i < n; i++) {
    p2.push(pos[i].add(h.mul(0.5).mul(vel[i])));
    v2.push(vel[i].add(h.mul(0.5).mul(a1[i])));
  }
  accelerations(p2, v2, a2, k, cubic, damping, drive, t.add(h.mul(0.5)));
  for (let i = 0; i < n; i++) {
    p3.push(pos[i].add(h.mul(0.5).mul(v2[i])));
    v3.push(vel[i].add(h.mul(0.5).mul(a2[i])));
  }
  accelerations(p3, v3, a3, k, cubic, damping, drive, t.add(h.mul(0.5)));
  for (let i = 0; i < n; i++) {
    p4.push(pos[i].add(h.mul(v3[i])));
    v4.push(vel[i].add(h.mul(a3[i])));
  }
  accelerations(p4, v4, a4, k, cubic, damping, drive, t.add(h));
  for (let i = 0; i < n; i++) {
    pos[i] = pos[i].add(h.div(6).mul(vel[i].add(v2[i].mul(2)).add(v3[i].mul(2)).add(v4[i])));
    vel[i] = vel[i].add(h.div(6).mul(a1[i].add(a2[i].mul(2)).add(a3[i].mul(2)).add(a4[i])));
  }
}

function energy(pos: Dual[], vel: Dual[], k: Dual, cubic: Dual): Dual {
  let e = Dual.of(0);
  for (let i = 0; i < pos.length; i++) {
    e = e.add(vel[i].mul(0.5 * (1 + 0.1 * i)).mul(vel[i]));
    if (i > 0) {
      const d = pos[i].sub(pos[i - 1]);
      e = e.add(k.mul(0.5).mul(d).mul(d).add(cubic.mul(0.25).mul(d).mul(d).mul(d).mul(d)));
    }
  }
  return e;
}

function robust(r: Dual, delta: number): Dual {
  const q = r.div(delta);
  return sqrt(q.mul(q).add(1))
    .sub(1)
    .mul(delta * delta);
}

/** chainLoss of fixtures/large-numeric.ts on dual numbers: theta[j] carries its tangent; h, n, steps are constants. */
export function chainLossDual(theta: Dual[], target: number[], n: number, steps: number, h: number): Dual {
  const hd = Dual.of(h);
  const k = exp(theta[0]);
  const cubic = log1p(exp(theta[1]));
  const damping = exp(theta[2].neg()).add(1).rdiv(0.5).add(0.05);
  const drive = tanh(theta[3]).mul(2);
  const pos: Dual[] = [];
  const vel: Dual[] = [];
  for (let i = 0; i < n; i++) {
    pos.push(Dual.of(0.1 * Math.sin(i + 1)));
    vel.push(Dual.of(0));
  }
  const e0 = energy(pos, vel, k, cubic);
  let loss = Dual.of(0);
  let t = Dual.of(0);
  for (let s = 0; s < steps; s++) {
    rk4Step(pos, vel, hd, k, cubic, damping, drive, t);
    t = t.add(hd);
    const r = pos[n - 1].sub(target[s % target.length]);
    loss = loss.add(robust(r, 0.5));
    if (s % 10 === 9) {
      const e = energy(pos, vel, k, cubic);
      const excess = e.sub(e0).sub(1);
      if (excess.gt(0)) loss = loss.add(excess.mul(0.01).mul(excess));
    }
  }
  let reg = Dual.of(0);
  for (const p of theta) reg = reg.add(p.mul(p));
  return loss.div(steps).add(reg.mul(1e-3));
}
