// The optimizer step on the GPU (KernelBackend.update): parameters and the rule's state stay
// textures, each new value a resident output (device.ts) computed in float32 from the float64
// formulas of kernels/js/update.ts (so not bit-identical to the CPU backends: within float32
// rounding of them). Rates that change every step (lr, the fused gradient scale, adam's bias
// corrections) are number arguments, not constants, so one compiled kernel serves every step.
// The descent guard's snapshot (`save`) is a copy made before the parameters are replaced.
import type { UpdateArgs } from '../backend';
import { checkUpdate } from '../js/update';
import { COPY, operand, runResident, type GpujsDevice, type Operand } from './device';
import type { KernelCache } from './runtime';

/** g_i: the gradient element, or with `scaled` the fused s·v (thread x is the element). */
const GRAD = `let g = D[this.thread.x];
  if (this.constants.scaled > 0) {
    g = s * D[this.thread.x];
  }`;

export const SGD_SOURCE = `function (P, D, s, lr) {
  ${GRAD}
  return P[this.thread.x] - lr * g;
}`;

/** u' = μ·u + g. */
export const MOMENTUM_U_SOURCE = `function (U, D, s) {
  ${GRAD}
  return this.constants.mu * U[this.thread.x] + g;
}`;

/** θ' = θ − η·u' (Nesterov: η·(g + μ·u')), with U the new u. */
export const MOMENTUM_P_SOURCE = `function (P, D, U, s, lr) {
  ${GRAD}
  let step = U[this.thread.x];
  if (this.constants.nesterov > 0) {
    step = g + this.constants.mu * U[this.thread.x];
  }
  return P[this.thread.x] - lr * step;
}`;

/** m' = β1·m + (1 − β1)·g (MV = m), or v' = β2·v + (1 − β2)·g² (square = 1). */
export const ADAM_MOMENT_SOURCE = `function (MV, D, s) {
  ${GRAD}
  let x = g;
  if (this.constants.square > 0) {
    x = g * g;
  }
  return this.constants.beta * MV[this.thread.x] + (1 - this.constants.beta) * x;
}`;

/** θ' = θ − η·(m'/c1) / (√(v'/c2) + ε), with M and V the new moments. */
export const ADAM_P_SOURCE = `function (P, M, V, lr, c1, c2) {
  return P[this.thread.x] - (lr * (M[this.thread.x] / c1)) / (Math.sqrt(V[this.thread.x] / c2) + this.constants.epsilon);
}`;

export function update(cache: KernelCache, device: GpujsDevice, g: UpdateArgs): void {
  checkUpdate(g, 'gpujs');
  const { rule, n } = g;
  if (n === 0) return;
  const scaled = g.scale !== undefined ? 1 : 0,
    s = g.scale ?? 1;
  const on = (buf: Float32Array, what: string): Operand => operand(cache, device, buf, 0, n, what);
  const run = (
    name: string,
    src: string,
    c: Record<string, number>,
    ops: [string, Operand][],
    dst: Float32Array,
    scalars: [string, number][],
  ) => runResident(cache, device, name, src, [n], c, ops, dst, 0, scalars);
  if (g.save) run('update-save', COPY, {}, [['P', on(g.params, 'params')]], g.save, []);
  if (rule.name === 'sgd') {
    const ops: [string, Operand][] = [
      ['P', on(g.params, 'params')],
      ['D', on(g.grad, 'grad')],
    ];
    run('update-sgd', SGD_SOURCE, { scaled }, ops, g.params, [
      ['s', s],
      ['lr', g.lr],
    ]);
  } else if (rule.name === 'momentum') {
    const c = { scaled, mu: rule.momentum, nesterov: rule.nesterov ? 1 : 0 };
    run(
      'update-momentum-u',
      MOMENTUM_U_SOURCE,
      c,
      [
        ['U', on(rule.u, 'momentum u')],
        ['D', on(g.grad, 'grad')],
      ],
      rule.u,
      [['s', s]],
    );
    const ops: [string, Operand][] = [
      ['P', on(g.params, 'params')],
      ['D', on(g.grad, 'grad')],
      ['U', on(rule.u, 'momentum u')],
    ];
    run('update-momentum', MOMENTUM_P_SOURCE, c, ops, g.params, [
      ['s', s],
      ['lr', g.lr],
    ]);
  } else {
    const moment = (state: Float32Array, beta: number, square: number, what: string) =>
      run(
        'update-adam-moment',
        ADAM_MOMENT_SOURCE,
        { scaled, beta, square },
        [
          ['MV', on(state, what)],
          ['D', on(g.grad, 'grad')],
        ],
        state,
        [['s', s]],
      );
    moment(rule.m, rule.beta1, 0, 'adam m');
    moment(rule.v, rule.beta2, 1, 'adam v');
    const ops: [string, Operand][] = [
      ['P', on(g.params, 'params')],
      ['M', on(rule.m, 'adam m')],
      ['V', on(rule.v, 'adam v')],
    ];
    run('update-adam', ADAM_P_SOURCE, { epsilon: rule.epsilon }, ops, g.params, [
      ['lr', g.lr],
      ['c1', rule.c1],
      ['c2', rule.c2],
    ]);
  }
}
