// Optimizer steps over float32 buffers: the loops runtime/fgd/optimizers ran inline, moved here so
// a backend can run them where the parameters live (kernels/wasm/update.ts does the same float64
// operations in the same order, so both give the same bits). Everything is float64 until the
// store; with `scale` the gradient element is fround(0 + s·v) (0 + turns −0 into +0), the value a
// formed float32 gradient buffer would hold.
import type { UpdateArgs } from '../backend';

/** Checks what the kernels index (every backend's update calls this first). */
export function checkUpdate(g: UpdateArgs, who: string): void {
  const { n, rule } = g;
  if (!Number.isInteger(n) || n < 0) throw new Error(`${who} update: n must be a non-negative integer, got ${n}`);
  const bufs: [string, Float32Array][] = [
    ['params', g.params],
    ['grad', g.grad],
  ];
  if (g.save !== undefined) bufs.push(['save', g.save]);
  if (rule.name === 'momentum') bufs.push(['momentum u', rule.u]);
  else if (rule.name === 'adam') bufs.push(['adam m', rule.m], ['adam v', rule.v]);
  else if (rule.name !== 'sgd') throw new Error(`${who} update: unknown rule '${(rule as { name: string }).name}'`);
  for (const [name, b] of bufs) {
    if (!(b instanceof Float32Array)) throw new Error(`${who} update: ${name} must be a Float32Array`);
    if (b.length < n) throw new Error(`${who} update: ${name} has ${b.length} elements, the step needs ${n}`);
  }
}

export function update(g: UpdateArgs): void {
  checkUpdate(g, 'js');
  const { rule, n, params: p, grad: d, lr } = g;
  const scaled = g.scale !== undefined,
    s = g.scale ?? 1;
  g.save?.set(p.subarray(0, n));
  // One loop per rule and mode so each stays monomorphic (and the scaled test is not per element).
  if (rule.name === 'sgd') {
    if (scaled) for (let i = 0; i < n; i++) p[i] -= lr * Math.fround(0 + s * d[i]);
    else for (let i = 0; i < n; i++) p[i] -= lr * d[i];
  } else if (rule.name === 'momentum') {
    const { u, momentum: mu, nesterov } = rule;
    for (let i = 0; i < n; i++) {
      const gi = scaled ? Math.fround(0 + s * d[i]) : d[i],
        ui = mu * u[i] + gi;
      u[i] = ui;
      p[i] -= lr * (nesterov ? gi + mu * ui : ui);
    }
  } else {
    const { m, v, beta1: b1, beta2: b2, epsilon: eps, c1, c2 } = rule;
    for (let i = 0; i < n; i++) {
      const gi = scaled ? Math.fround(0 + s * d[i]) : d[i];
      const mi = b1 * m[i] + (1 - b1) * gi,
        vi = b2 * v[i] + (1 - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
    }
  }
}
