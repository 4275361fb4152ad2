// jax-js (@jax-js/jax, wasm device) written as a JAX user would write the paper's models: pure
// loss functions over a params pytree, `jit` for the forward, `jit` of value-and-grad + SGD for a
// backprop step, and `jit` of a forward-gradient step (v ~ N(0, I) from jax's own PRNG, one `jvp`,
// θ ← θ − η·(∇f·v)·v) for the paper's algorithm in JAX. jax-js takes ownership of every array it is
// passed (reference counting), so each use beyond the last is a `.ref`.
// Layouts match ours (dense [in, out], conv NCHW with filters [O, C, 3, 3], biases [C, 1, 1]), so
// the parameters are copied as they are. Max-pooling 2×2 is a reshape to [B, C, H/2, 2, W/2, 2]
// and a max over the two window axes (differentiable; lax.reduceWindow is not needed).
// In Node there is no Worker global, so jax-js's wasm device runs on one thread here.
import type { BenchModel, HostBatch, HostParam } from './host';
import { oneHot, param } from './host';
import type { PeerVariant } from './tfjs';

type Jax = any;

let jaxP: Promise<Jax> | undefined;

/** @jax-js/jax with its wasm device (webgpu needs `navigator`, absent in Node). */
export function loadJax(): Promise<Jax> {
  return (jaxP ??= (async () => {
    const jax = require('@jax-js/jax');
    const devices: string[] = await jax.init('wasm');
    if (!devices.includes('wasm')) throw new Error(`jax-js: no wasm device (got ${devices.join(', ')})`);
    jax.defaultDevice('wasm');
    return jax;
  })());
}

export interface JaxVariant extends PeerVariant {
  /** One jit(jvp) forward-gradient step; returns the loss before the update. */
  jvpStep(): number;
}

/** The model's loss as a jax function of (params, x, onehot), and its params pytree. */
function lossOf(
  jax: Jax,
  bm: BenchModel,
  ps: readonly HostParam[],
  B: number,
): { loss: (p: any, x: any, y: any) => any; params: any } {
  const { numpy: np, nn, lax } = jax;
  const arr = (path: string) => {
    const p = param(ps, path);
    return np.array(p.data).reshape([...p.shape]);
  };
  const ce = (logits: any, y: any) =>
    nn
      .logSoftmax(logits, -1)
      .mul(y)
      .sum()
      .mul(-1 / B);
  const dense = (h: any, w: any, b: any) => np.matmul(h, w).add(b);
  switch (bm.family) {
    case 'logreg':
      return { params: { w: arr('w'), b: arr('b') }, loss: (p, x, y) => ce(dense(x, p.w, p.b), y) };
    case 'mlp':
      return {
        params: { w1: arr('w1'), b1: arr('b1'), w2: arr('w2'), b2: arr('b2'), w3: arr('w3'), b3: arr('b3') },
        loss: (p, x, y) => {
          const h1 = nn.relu(dense(x, p.w1, p.b1));
          const h2 = nn.relu(dense(h1, p.w2, p.b2));
          return ce(dense(h2, p.w3, p.b3), y);
        },
      };
    case 'deep':
      return {
        params: { layers: Array.from({ length: bm.depth }, (_, i) => arr(`layers.${i}`)), out: arr('out') },
        loss: (p, x, y) => {
          let h = x;
          for (const w of p.layers) h = nn.relu(np.matmul(h, w));
          return ce(np.matmul(h, p.out), y);
        },
      };
    case 'cnn': {
      const names = ['c1', 'cb1', 'c2', 'cb2', 'c3', 'cb3', 'c4', 'cb4', 'w5', 'b5', 'w6', 'b6'];
      const block = (h: any, w: any, b: any) => nn.relu(lax.conv(h, w, [1, 1], 'SAME').add(b));
      const pool = (h: any) => {
        const [n, c, hh, ww] = h.shape;
        return h.reshape([n, c, hh / 2, 2, ww / 2, 2]).max([3, 5]);
      };
      return {
        params: Object.fromEntries(names.map((n) => [n, arr(n)])),
        loss: (p, x, y) => {
          const a2 = pool(block(block(x, p.c1, p.cb1), p.c2, p.cb2));
          const a4 = pool(block(block(a2, p.c3, p.cb3), p.c4, p.cb4));
          const h = nn.relu(dense(a4.reshape([B, -1]), p.w5, p.b5));
          return ce(dense(h, p.w6, p.b6), y);
        },
      };
    }
  }
}

export function jaxVariant(
  jax: Jax,
  bm: BenchModel,
  ps: readonly HostParam[],
  batch: HostBatch,
  lr: number,
  seed: number,
): JaxVariant {
  const { numpy: np, tree, jit, valueAndGrad, jvp, random } = jax;
  const B = batch.shape[0];
  const { loss, params: p0 } = lossOf(jax, bm, ps, B);
  let params = p0;
  const x = np.array(batch.x).reshape([...batch.shape]);
  const y = np.array(oneHot(batch)).reshape([B, batch.classes]);
  const forward = jit(loss);
  const gradStep = jit((p: any, x: any, y: any) => {
    const [l, g] = valueAndGrad(loss)(tree.ref(p), x, y);
    return [l, tree.map((a: any, b: any) => a.sub(b.mul(lr)), p, g)];
  });
  const jvpStep = jit((p: any, key: any, x: any, y: any) => {
    const leaves: any[] = tree.leaves(p);
    const keys = random.split(key, leaves.length);
    const vs = leaves.map((l: any, i: number) => random.normal(keys.ref.slice(i), l.shape));
    keys.dispose();
    const v = tree.unflatten(tree.structure(p), vs);
    const [l, d] = jvp((q: any) => loss(q, x, y), [tree.ref(p)], [tree.ref(v)]);
    const out = tree.map((a: any, vi: any) => a.sub(vi.mul(d.ref).mul(lr)), p, v);
    d.dispose();
    return [l, out];
  });
  let step = 0;
  const run = (fn: () => [any, any]) => {
    const [l, p] = fn();
    params = p;
    const value = l.dataSync()[0];
    return value;
  };
  return {
    forward: () => forward(tree.ref(params), x.ref, y.ref).dataSync()[0],
    step: () => run(() => gradStep(params, x.ref, y.ref)),
    jvpStep: () => run(() => jvpStep(params, random.key(seed + step++), x.ref, y.ref)),
    dispose: () => {
      tree.dispose(params);
      x.dispose();
      y.dispose();
      forward.dispose();
      gradStep.dispose();
      jvpStep.dispose();
    },
  };
}
