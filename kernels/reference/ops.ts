// Float64 reference implementations of every tensor op, written for clarity (direct loops, no
// im2col): tests compare the float32 kernels against these and take central finite differences
// of them to check every JVP rule. The elementwise references are kernels/elementwise.ts's.
import { BINARY, UNARY } from '../elementwise';

export interface Ref {
  readonly data: Float64Array;
  readonly shape: readonly number[];
}

const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
export const ref = (data: ArrayLike<number>, shape: readonly number[]): Ref => ({
  data: Float64Array.from(data),
  shape,
});
const map = (x: Ref, f: (v: number) => number): Ref => ({ data: x.data.map(f), shape: x.shape });

export const UNARY_REF: Readonly<Record<string, (v: number) => number>> = Object.fromEntries(
  Object.entries(UNARY).map(([op, e]) => [op, e.ref]),
);
export const unaryRef = (op: string, x: Ref): Ref => map(x, UNARY_REF[op]);

export const BINARY_REF: Readonly<Record<string, (a: number, b: number) => number>> = Object.fromEntries(
  Object.entries(BINARY).map(([op, e]) => [op, e.ref]),
);
/** Numpy broadcasting (right-aligned, size-1 dims stretch); numbers are shape []. */
export function binaryRef(op: string, a: Ref | number, b: Ref | number): Ref {
  const A = typeof a === 'number' ? ref([a], []) : a,
    B = typeof b === 'number' ? ref([b], []) : b;
  const R = Math.max(A.shape.length, B.shape.length);
  const pad = (s: readonly number[]): number[] => [...Array(R - s.length).fill(1), ...s];
  const pa = pad(A.shape),
    pb = pad(B.shape);
  const shape = pa.map((d, i) => Math.max(d, pb[i]));
  const n = size(shape),
    f = BINARY_REF[op];
  const out = new Float64Array(n);
  const index = (s: number[], coords: number[]): number =>
    coords.reduce((p, c, i) => p * s[i] + (s[i] === 1 ? 0 : c), 0);
  for (let i = 0; i < n; i++) {
    const coords: number[] = [];
    for (let d = R - 1, r = i; d >= 0; d--) {
      coords[d] = r % shape[d];
      r = Math.floor(r / shape[d]);
    }
    out[i] = f(A.data[index(pa, coords)], B.data[index(pb, coords)]);
  }
  return { data: out, shape: R === 0 ? [] : shape.slice(R - Math.max(A.shape.length, B.shape.length)) };
}

export function matmulRef(a: Ref, b: Ref): Ref {
  const [M, K] = a.shape,
    N = b.shape[1];
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++) s += a.data[i * K + p] * b.data[p * N + j];
      out[i * N + j] = s;
    }
  return { data: out, shape: [M, N] };
}

export function sumRef(x: Ref, axis?: number, mean = false): Ref {
  if (axis === undefined) {
    const s = x.data.reduce((p, v) => p + v, 0);
    return ref([mean ? s / x.data.length : s], []);
  }
  const ax = axis < 0 ? axis + x.shape.length : axis;
  const outer = size(x.shape.slice(0, ax)),
    len = x.shape[ax],
    inner = size(x.shape.slice(ax + 1));
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < len; j++)
      for (let i = 0; i < inner; i++) out[o * inner + i] += x.data[(o * len + j) * inner + i];
  if (mean) for (let i = 0; i < out.length; i++) out[i] /= len;
  return { data: out, shape: x.shape.filter((_, i) => i !== ax) };
}

/** Axis permutation (default: reversed axes), by computing each output's input coordinates. */
export function transposeRef(x: Ref, perm?: readonly number[]): Ref {
  const r = x.shape.length,
    p = perm ?? x.shape.map((_, i) => r - 1 - i);
  const outShape = p.map((a) => x.shape[a]),
    n = size(x.shape),
    out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const coord: number[] = [];
    for (let d = r - 1, rest = i; d >= 0; d--) {
      coord[d] = rest % outShape[d];
      rest = Math.floor(rest / outShape[d]);
    }
    const inCoord: number[] = [];
    p.forEach((a, d) => {
      inCoord[a] = coord[d];
    });
    out[i] = x.data[inCoord.reduce((acc, c, d) => acc * x.shape[d] + c, 0)];
  }
  return { data: out, shape: outShape };
}

export function logSoftmaxRef(x: Ref): Ref {
  const C = x.shape[x.shape.length - 1],
    out = new Float64Array(x.data.length);
  for (let r = 0; r < x.data.length / C; r++) {
    const row = x.data.subarray(r * C, (r + 1) * C);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((p, v) => p + Math.exp(v - m), 0));
    for (let c = 0; c < C; c++) out[r * C + c] = row[c] - lse;
  }
  return { data: out, shape: x.shape };
}

export function softmaxCrossEntropyRef(logits: Ref, labels: ArrayLike<number>): Ref {
  const [B, C] = logits.shape,
    ls = logSoftmaxRef(logits);
  let s = 0;
  for (let b = 0; b < B; b++) s -= ls.data[b * C + labels[b]];
  return ref([s / B], []);
}

/** Direct 7-loop convolution, NCHW, zero padding. */
export function conv2dRef(x: Ref, w: Ref, stride: [number, number], padding: [number, number]): Ref {
  const [N, C, H, W] = x.shape,
    [O, , kh, kw] = w.shape;
  const oh = Math.floor((H + 2 * padding[0] - kh) / stride[0]) + 1,
    ow = Math.floor((W + 2 * padding[1] - kw) / stride[1]) + 1;
  const out = new Float64Array(N * O * oh * ow);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let y = 0; y < oh; y++)
        for (let z = 0; z < ow; z++) {
          let s = 0;
          for (let c = 0; c < C; c++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const iy = y * stride[0] + i - padding[0],
                  ix = z * stride[1] + j - padding[1];
                if (iy >= 0 && iy < H && ix >= 0 && ix < W)
                  s += x.data[((n * C + c) * H + iy) * W + ix] * w.data[((o * C + c) * kh + i) * kw + j];
              }
          out[((n * O + o) * oh + y) * ow + z] = s;
        }
  return { data: out, shape: [N, O, oh, ow] };
}

export function maxPool2dRef(x: Ref, size2: [number, number], stride: [number, number]): Ref {
  const [N, C, H, W] = x.shape;
  const oh = Math.floor((H - size2[0]) / stride[0]) + 1,
    ow = Math.floor((W - size2[1]) / stride[1]) + 1;
  const out = new Float64Array(N * C * oh * ow);
  for (let p = 0; p < N * C; p++)
    for (let y = 0; y < oh; y++)
      for (let z = 0; z < ow; z++) {
        let m = -Infinity;
        for (let i = 0; i < size2[0]; i++)
          for (let j = 0; j < size2[1]; j++)
            m = Math.max(m, x.data[p * H * W + (y * stride[0] + i) * W + z * stride[1] + j]);
        out[(p * oh + y) * ow + z] = m;
      }
  return { data: out, shape: [N, C, oh, ow] };
}
