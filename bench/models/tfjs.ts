// TensorFlow.js on its wasm backend (XNNPACK), written as a tfjs user would write the paper's
// models: tf.variable parameters, tf.train.sgd(lr).minimize for a step (gradient + update).
// Two versions of each model:
//  - stock: tf.matMul / tf.conv2d with tfjs's own gradients. On wasm the dense gradients run
//    BatchMatMul with transposeA (dW = xᵀ·dy) and transposeB (dx = dy·Wᵀ), which XNNPACK does not
//    cover (tfjs-wasm falls back to a slow path), and there is no wasm Conv2DBackpropFilter kernel
//    at all, so the stock CNN step cannot run (reported as unsupported, with tfjs's error).
//  - fixed: the same forward with tf.customGrad layers whose gradients only call untransposed
//    matMuls on explicitly transposed copies (an O(n) tf.transpose each), and the conv filter
//    gradient as im2col (nine shifted slices of the padded input, concatenated) times dy, one GEMM.
// Layouts: our weights are [in, out] (dense) and [O, C, 3, 3] (conv, NCHW); tfjs convolves NHWC
// with filters [3, 3, C, O], so filters and inputs are permuted once at build time, and the first
// dense weight after the CNN's flatten has its rows permuted from (c, h, w) to (h, w, c) order so
// that both flatten orders meet the same weights: same function, same loss.
import type { BenchModel, HostBatch, HostParam } from './host';
import { oneHot, param } from './host';

type Tf = any;

let tfP: Promise<Tf> | undefined;

/** @tensorflow/tfjs on the wasm backend (loaded once). */
export function loadTfjs(): Promise<Tf> {
  return (tfP ??= (async () => {
    const tf = require('@tensorflow/tfjs');
    require('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    await tf.ready();
    return tf;
  })());
}

export interface PeerVariant {
  /** Loss at the current parameters (no gradient). */
  forward(): number;
  /** One training step (gradient + SGD update); returns the loss before the update. */
  step(): number;
  /** Frees everything the variant holds. */
  dispose(): void;
}

/** dense(x, w) = x·w with a gradient that never asks wasm for a transposed matMul. */
function fixedDense(tf: Tf) {
  return tf.customGrad((x: any, w: any, save: any) => {
    save([x, w]);
    return {
      value: tf.matMul(x, w),
      gradFunc: (dy: any, [xs, ws]: any[]) => [tf.matMul(dy, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy)],
    };
  });
}

/**
 * conv 3×3 'same' (NHWC, filter [3, 3, C, O]) with the filter gradient tfjs-wasm lacks: im2col of
 * the padded input (column index (kh·3 + kw)·C + c, the filter's own order) transposed, times dy.
 */
function fixedConv(tf: Tf) {
  return tf.customGrad((x: any, w: any, save: any) => {
    save([x, w]);
    return {
      value: tf.conv2d(x, w, 1, 'same'),
      gradFunc: (dy: any, [xs, ws]: any[]) => {
        const [B, H, W, C] = xs.shape,
          O = ws.shape[3];
        const dx = tf.conv2dTranspose(dy, ws, xs.shape, 1, 'same');
        const xp = tf.pad(xs, [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]);
        const slices: any[] = [];
        for (let kh = 0; kh < 3; kh++)
          for (let kw = 0; kw < 3; kw++) slices.push(tf.slice(xp, [0, kh, kw, 0], [B, H, W, C]));
        const cols = tf.reshape(tf.concat(slices, 3), [B * H * W, 9 * C]);
        const dw = tf.matMul(tf.transpose(cols), tf.reshape(dy, [B * H * W, O]));
        return [dx, tf.reshape(dw, [3, 3, C, O])];
      },
    };
  });
}

/** Our [O, C, kh, kw] filter as tfjs's [kh, kw, C, O]. */
function filterToHwio(p: HostParam): { data: Float32Array; shape: number[] } {
  const [O, C, KH, KW] = p.shape;
  const out = new Float32Array(p.data.length);
  for (let o = 0; o < O; o++)
    for (let c = 0; c < C; c++)
      for (let i = 0; i < KH; i++)
        for (let j = 0; j < KW; j++) {
          out[((i * KW + j) * C + c) * O + o] = p.data[((o * C + c) * KH + i) * KW + j];
        }
  return { data: out, shape: [KH, KW, C, O] };
}

/** Rows of a [C·H·W, N] weight reordered to (h, w, c): the NHWC flatten meets the same weights. */
function rowsChwToHwc(p: HostParam, C: number, H: number, W: number): Float32Array {
  const N = p.shape[1],
    out = new Float32Array(p.data.length);
  for (let c = 0; c < C; c++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++) {
        const from = ((c * H + h) * W + w) * N,
          to = ((h * W + w) * C + c) * N;
        out.set(p.data.subarray(from, from + N), to);
      }
  return out;
}

/** NCHW batch data as NHWC. */
function nchwToNhwc(x: Float32Array, [B, C, H, W]: readonly number[]): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++)
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++) {
          out[((b * H + h) * W + w) * C + c] = x[((b * C + c) * H + h) * W + w];
        }
  return out;
}

/** The model's loss and trainable variables in tfjs, stock or fixed. */
export function tfjsVariant(
  tf: Tf,
  bm: BenchModel,
  ps: readonly HostParam[],
  batch: HostBatch,
  fixed: boolean,
  lr: number,
): PeerVariant {
  const v = (data: Float32Array, shape: readonly number[]) => tf.variable(tf.tensor(data, [...shape]));
  const vp = (path: string) => {
    const p = param(ps, path);
    return v(p.data, p.shape);
  };
  const B = batch.shape[0];
  const dense = fixed ? fixedDense(tf) : (x: any, w: any) => tf.matMul(x, w);
  const conv = fixed ? fixedConv(tf) : (x: any, w: any) => tf.conv2d(x, w, 1, 'same');
  const labels = tf.tensor(oneHot(batch), [B, batch.classes]);
  let x: any;
  let vars: any[];
  let logits: () => any;
  switch (bm.family) {
    case 'logreg':
    case 'mlp': {
      x = tf.tensor(batch.x, [...batch.shape]);
      const layers =
        bm.family === 'logreg'
          ? [['w', 'b']]
          : [
              ['w1', 'b1'],
              ['w2', 'b2'],
              ['w3', 'b3'],
            ];
      const wb = layers.map(([w, b]) => [vp(w), vp(b)]);
      vars = wb.flat();
      logits = () =>
        wb.reduce((h: any, [w, b], i) => {
          const z = tf.add(dense(h, w), b);
          return i < wb.length - 1 ? tf.relu(z) : z;
        }, x);
      break;
    }
    case 'deep': {
      x = tf.tensor(batch.x, [...batch.shape]);
      const ws = Array.from({ length: bm.depth }, (_, i) => vp(`layers.${i}`)),
        out = vp('out');
      vars = [...ws, out];
      logits = () =>
        dense(
          ws.reduce((h: any, w: any) => tf.relu(dense(h, w)), x),
          out,
        );
      break;
    }
    case 'cnn': {
      const [, C, H, W] = batch.shape;
      x = tf.tensor(nchwToNhwc(batch.x, batch.shape), [B, H, W, C]);
      const filt = (path: string) => {
        const f = filterToHwio(param(ps, path));
        return v(f.data, f.shape);
      };
      const bias = (path: string) => {
        const p = param(ps, path);
        return v(p.data, [p.shape[0]]);
      }; // [C,1,1] → [C] (NHWC broadcast)
      const cs = [1, 2, 3, 4].map((i) => [filt(`c${i}`), bias(`cb${i}`)]);
      const w5p = param(ps, 'w5'),
        Ch = cs[0][0].shape[3];
      const w5 = v(rowsChwToHwc(w5p, Ch, H / 4, W / 4), w5p.shape),
        b5 = vp('b5'),
        w6 = vp('w6'),
        b6 = vp('b6');
      vars = [...cs.flat(), w5, b5, w6, b6];
      const block = (h: any, [w, b]: any[]) => tf.relu(tf.add(conv(h, w), b));
      const pool = (h: any) => tf.maxPool(h, 2, 2, 'valid');
      logits = () => {
        const a4 = pool(block(block(pool(block(block(x, cs[0]), cs[1])), cs[2]), cs[3]));
        const h = tf.relu(tf.add(dense(tf.reshape(a4, [B, -1]), w5), b5));
        return tf.add(dense(h, w6), b6);
      };
      break;
    }
  }
  const loss = () => tf.neg(tf.div(tf.sum(tf.mul(labels, tf.logSoftmax(logits()))), B));
  const opt = tf.train.sgd(lr);
  return {
    forward: () => tf.tidy(() => loss().dataSync()[0]),
    step: () => {
      const l = opt.minimize(loss, true, vars);
      const value = l.dataSync()[0];
      l.dispose();
      return value;
    },
    dispose: () => {
      for (const t of [...vars, x, labels]) t.dispose();
      opt.dispose();
    },
  };
}
