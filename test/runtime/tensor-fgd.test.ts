// forwardGradient and fgd on annotated Tensor code (twins from the real transform, the tensor
// layer's JVP rules): vector mode K directions in one run, against K separate runs and against
// the exact gradient of a least-squares loss.
import { Tensor, tensor, matmul, sub, square, mean } from '../../runtime/index';
import { forwardGradient } from '../../runtime/forward-gradient';
import { fgd, gd } from '../../runtime/fgd';
import { lookupJvp } from '../../runtime/registry';
import { readJsonLines } from '../../runtime/fgd';
import { getBackend } from '../../kernels/select';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Mean squared error of a linear model: mean((X·w − y)²). */
/** @forwardGrad */
function leastSquares(w: Tensor, x: Tensor, y: Tensor): Tensor {
  return mean(square(sub(matmul(x, w), y)));
}

const X = tensor([1, 2, 0.5, -1, 3, 1, -2, 0.25, 1, 1, 0, 2], [4, 3]);
const Y = tensor([1, -1, 2, 0.5], [4, 1]);

/** Exact gradient (float64): (2/n)·Xᵀ(Xw − y). */
function exactGrad(w: Float32Array): number[] {
  const x = X.toArray(),
    y = Y.toArray(),
    g = [0, 0, 0];
  for (let i = 0; i < 4; i++) {
    let r = -y[i];
    for (let j = 0; j < 3; j++) r += x[i * 3 + j] * w[j];
    for (let j = 0; j < 3; j++) g[j] += (2 / 4) * x[i * 3 + j] * r;
  }
  return g;
}

test('the annotated tensor loss has a twin from the transform', () => {
  expect(lookupJvp(leastSquares)?.meta.tangentSlots).toEqual([true, true, true]);
});

test('vector mode (one run with [K, ...] tangents) equals K separate runs', () => {
  const w = tensor([0.5, -0.25, 1], [3, 1]);
  const vec = forwardGradient(leastSquares, [w, X, Y], { wrt: 0, directions: 8, seed: 3 });
  const loop = forwardGradient(leastSquares, [w, X, Y], { wrt: 0, directions: 8, seed: 3, vectorized: false });
  expect(vec.directional).toHaveLength(8);
  vec.directional.forEach((d, k) => expect(d).toBeCloseTo(loop.directional[k], 4));
  const gv = (vec.gradient[0] as Tensor).toArray(),
    gl = (loop.gradient[0] as Tensor).toArray();
  gv.forEach((g, i) => expect(g).toBeCloseTo(gl[i], 4));
});

test('directional derivatives equal ∇f·v with the exact gradient (float32 tolerance)', () => {
  const w = tensor([0.5, -0.25, 1], [3, 1]);
  const r = forwardGradient(leastSquares, [w, X, Y], { wrt: 0, directions: 4, seed: 11, vectorized: false });
  const g = exactGrad(w.toArray());
  // With one direction, gradient = d·v, so v = gradient/d and ∇f·v must equal d.
  const one = forwardGradient(leastSquares, [w, X, Y], { wrt: 0, seed: 11 });
  const d = one.directional[0],
    v = Array.from((one.gradient[0] as Tensor).toArray()).map((gi) => gi / d);
  expect(g.reduce((s, gi, i) => s + gi * v[i], 0)).toBeCloseTo(d, 3);
  expect(r.directional[0]).toBeCloseTo(d, 4);
});

test('fgd trains the Tensor parameter in place with K = 4 directions (vector mode)', () => {
  const w = tensor([0, 0, 0], [3, 1]);
  const res = fgd(leastSquares, [w], {
    lr: 0.05,
    iterations: 400,
    directions: 4,
    seed: 1,
    inputs: () => [X, Y],
    progress: false,
  });
  expect(res.status).toBe('completed');
  // The least-squares residual is not zero (4 equations, 3 unknowns): compare with exact GD's loss.
  const best = gd(leastSquares, [tensor([0, 0, 0], [3, 1])], {
    lr: 0.05,
    iterations: 2000,
    inputs: () => [X, Y],
    progress: false,
  }).loss;
  expect(res.loss - best).toBeLessThan(0.05 * (res.losses[0] - best));
  const g = exactGrad(w.toArray());
  expect(Math.hypot(...g)).toBeLessThan(0.2 * Math.hypot(...exactGrad(new Float32Array(3))));
});

test('the log header of a tensor run names the kernel backend that ran it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-backend-'));
  try {
    const log = path.join(dir, 'run.jsonl');
    fgd(leastSquares, [tensor([0, 0, 0], [3, 1])], {
      lr: 0.05,
      iterations: 2,
      seed: 1,
      inputs: () => [X, Y],
      log,
      progress: false,
    });
    expect(readJsonLines(log)[0]).toMatchObject({ type: 'header', backend: getBackend().name });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.each([
  [1, true],
  [4, true],
  [4, false],
])('forwardGradient is one fgd step: K = %i (vectorized %s), θ − η·g bit for bit', (K, vectorized) => {
  const w0 = [0.5, -0.25, 1],
    lr = 0.05;
  const res = fgd(leastSquares, [tensor(w0, [3, 1])], {
    lr,
    decay: 0,
    iterations: 1,
    directions: K,
    vectorized,
    seed: 7,
    inputs: () => [X, Y],
    progress: false,
  });
  const g = forwardGradient(leastSquares, [tensor(w0, [3, 1]), X, Y], { wrt: 0, directions: K, vectorized, seed: 7 })
    .gradient[0] as Tensor;
  // fgd's sgd update in float32 (Float32Array storage), from forwardGradient's g
  const want = Float32Array.from(w0);
  g.toArray().forEach((gi, i) => {
    want[i] -= lr * gi;
  });
  expect(Array.from((res.params[0] as Tensor).toArray())).toEqual(Array.from(want));
});
