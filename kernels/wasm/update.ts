// The optimizer step on the wasm kernels (assembly/ew.as): the float64 operations of the js loops
// (kernels/js/update.ts) in f64x2, so the bits are the same and fgd runs and checkpoint resumes do
// not depend on the backend. Runs in place when parameters, gradient (or direction) and the rule's
// state all live in the kernel memory; otherwise the js kernel does.
import type { UpdateArgs } from '../backend';
import { checkUpdate, update as jsUpdate } from '../js/update';
import { EwCall, KIND } from './ew-call';

const RULE = { sgd: 0, momentum: 1, adam: 2 } as const;

export class WasmUpdate {
  constructor(private readonly c: EwCall) {}

  update(g: UpdateArgs): void {
    checkUpdate(g, 'wasm');
    const { rule, n } = g,
      c = this.c;
    if (n === 0) return;
    const p = c.addr(g.params),
      d = c.addr(g.grad);
    let s1 = 0,
      s2 = 0,
      hyper = [0, 0, 0, 0, 0, 0];
    if (rule.name === 'momentum') {
      s1 = c.addr(rule.u);
      hyper = [rule.momentum, 0, 0, 0, 0, 0];
    } else if (rule.name === 'adam') {
      s1 = c.addr(rule.m);
      s2 = c.addr(rule.v);
      hyper = [0, rule.beta1, rule.beta2, rule.epsilon, rule.c1, rule.c2];
    }
    const save = g.save ? c.addr(g.save) : 0;
    if (p < 0 || d < 0 || s1 < 0 || s2 < 0 || save < 0) return jsUpdate(g);
    const nesterov = rule.name === 'momentum' && rule.nesterov ? 1 : 0;
    const block = c.params(
      KIND.update,
      [RULE[rule.name], g.scale !== undefined ? 1 : 0, nesterov, p, d, s1, s2, save],
      [g.scale ?? 1, g.lr, ...hyper],
    );
    const streams = (rule.name === 'sgd' ? 3 : rule.name === 'momentum' ? 5 : 7) + (save ? 1 : 0);
    c.run(block, n, 4 * n * streams);
  }
}
