// FLOPs of one step, counted per layer from the model's shapes (the harness's FLOP bound).
// A multiply-add is 2 FLOPs; elementwise ops are 1 FLOP per element (exp and log included: they
// are a rounding error next to the GEMMs and convolutions that dominate every model here).
//
// | layer (batch B)                         | primal          | tangent (JVP part only)                 | backward (VJP)                       |
// |-----------------------------------------|-----------------|-----------------------------------------|--------------------------------------|
// | dense x[B,n]·W[n,m] (+ b[m])            | 2Bnm (+ Bm)     | 2Bnm for Ẇ, + 2Bnm if ẋ ≠ 0 (+ Bm)      | 2Bnm for dW, + 2Bnm for dx if needed (+ Bm for db) |
// | conv 3×3 C→O on H×W, padding 1 (+ b)    | 2·B·O·C·9·H·W   | same rule as dense: Ẇ term, + ẋ term    | filter gradient, + input gradient if needed |
// | relu on N elements                      | N               | N (select)                              | N (select)                           |
// | max-pool 2×2 → N outputs                | 3N (compares)   | 0 (a gather)                            | 0 (a scatter)                        |
// | softmax cross-entropy on [B, C]         | 5BC             | 3BC (Σ softmax·ẏ, per row)              | 3BC (softmax − onehot, /B)           |
// | SGD update over P parameters            | —               | —                                       | —  (step: 2P; FGD: 2P·K for d·v)     |
//
// The first layer sees the data, which has no tangent and needs no gradient: its ẋ and dx terms
// are absent (that is what makes the tangent pass cheaper than 2× primal).
import type { BenchModel, HostBatch, HostParam } from './host';
import { param } from './host';

export interface PassFlops {
  primal: number;
  tangent: number;
  backward: number;
  parameters: number;
}

export function countFlops(bm: BenchModel, ps: readonly HostParam[], batch: HostBatch): PassFlops {
  const B = batch.shape[0];
  const f: PassFlops = { primal: 0, tangent: 0, backward: 0, parameters: ps.reduce((s, p) => s + p.data.length, 0) };
  const dense = (n: number, m: number, first: boolean, bias: boolean) => {
    const mm = 2 * B * n * m,
      bb = bias ? B * m : 0;
    f.primal += mm + bb;
    f.tangent += mm * (first ? 1 : 2) + bb;
    f.backward += mm * (first ? 1 : 2) + bb;
  };
  const conv = (c: number, o: number, h: number, w: number, first: boolean) => {
    const cc = 2 * B * o * c * 9 * h * w,
      bb = B * o * h * w;
    f.primal += cc + bb;
    f.tangent += cc * (first ? 1 : 2) + bb;
    f.backward += cc * (first ? 1 : 2) + bb;
  };
  const relu = (n: number) => {
    f.primal += n;
    f.tangent += n;
    f.backward += n;
  };
  const pool = (outputs: number) => {
    f.primal += 3 * outputs;
  };
  const ce = (c: number) => {
    f.primal += 5 * B * c;
    f.tangent += 3 * B * c;
    f.backward += 3 * B * c;
  };
  const shape = (path: string) => param(ps, path).shape;
  switch (bm.family) {
    case 'logreg': {
      const [n, m] = shape('w');
      dense(n, m, true, true);
      ce(m);
      break;
    }
    case 'mlp': {
      const names = ['w1', 'w2', 'w3'];
      names.forEach((w, i) => {
        const [n, m] = shape(w);
        dense(n, m, i === 0, true);
        if (i < 2) relu(B * m);
      });
      ce(shape('w3')[1]);
      break;
    }
    case 'deep': {
      for (let i = 0; i < bm.depth; i++) {
        const [n, m] = shape(`layers.${i}`);
        dense(n, m, i === 0, false);
        relu(B * m);
      }
      const [n, m] = shape('out');
      dense(n, m, false, false);
      ce(m);
      break;
    }
    case 'cnn': {
      let [, c, h, w] = batch.shape;
      for (let i = 1; i <= 4; i++) {
        const o = shape(`c${i}`)[0];
        conv(c, o, h, w, i === 1);
        relu(B * o * h * w);
        c = o;
        if (i % 2 === 0) {
          h /= 2;
          w /= 2;
          pool(B * c * h * w);
        }
      }
      const [n5, m5] = shape('w5'),
        [n6, m6] = shape('w6');
      dense(n5, m5, false, true);
      relu(B * m5);
      dense(n6, m6, false, true);
      ce(m6);
      break;
    }
  }
  return f;
}

/** FLOPs of one FGD step with K directions (forward + K tangents + d·v and the update). */
export const fgdStepFlops = (f: PassFlops, K: number) => f.primal + K * f.tangent + 2 * f.parameters * K;
/** FLOPs of one backprop step (forward + backward + the update). */
export const backpropStepFlops = (f: PassFlops) => f.primal + f.backward + 2 * f.parameters;
