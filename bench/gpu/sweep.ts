// Every gpu.js kernel launch the gpujs backends make, recorded on small inputs so the device
// check can replay the same sources, sizes, constants and arguments under another gpu.js mode
// (WebGPU) and compare with what gpu.js's cpu mode computed.
import { KernelCache } from '../../kernels/gpujs/runtime';
import { gemm } from '../../kernels/gpujs/gemm';
import { im2col } from '../../kernels/gpujs/im2col';
import { unary } from '../../kernels/gpujs/unary';
import { binary } from '../../kernels/gpujs/binary';
import { reduce, transpose } from '../../kernels/gpujs/reduce';
import { logSoftmax, softmaxCrossEntropy } from '../../kernels/gpujs/softmax';
import { maxPool2d } from '../../kernels/gpujs/pool';
import { BINARY_OPS, UNARY, UNARY_OPS } from '../../kernels/elementwise';

export interface Launch {
  name: string;
  source: string;
  output: number[];
  constants: Record<string, number>;
  args: (Float32Array | number)[];
  /** What gpu.js's cpu mode returned, flattened row-major. */
  expected: Float32Array;
}

type Kernel = Parameters<KernelCache['run']>[1];
type Output = ReturnType<KernelCache['run']>;

export function flatten(out: unknown): Float32Array {
  const parts: number[] = [];
  const walk = (v: unknown): void => {
    if (typeof (v as ArrayLike<number>)[0] === 'number') parts.push(...Array.from(v as ArrayLike<number>));
    else for (const p of v as unknown[]) walk(p);
  };
  walk(out);
  return Float32Array.from(parts);
}

/** A cpu-mode cache that keeps a copy of every launch and its result. */
class Recorder extends KernelCache {
  readonly launches: Launch[] = [];
  private readonly meta = new Map<Kernel, Omit<Launch, 'args' | 'expected'>>();

  constructor() {
    super('cpu');
  }

  override get(name: string, source: string, output: number[], constants: Record<string, number>): Kernel {
    const k = super.get(name, source, output, constants);
    this.meta.set(k, { name, source, output, constants });
    return k;
  }

  override run(name: string, k: Kernel, args: (Float32Array | number)[]): Output {
    const out = super.run(name, k, args);
    const meta = this.meta.get(k)!;
    this.launches.push({
      ...meta,
      args: args.map((a) => (typeof a === 'number' ? a : a.slice())),
      expected: flatten(out),
    });
    return out;
  }
}

function rand(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (hi - lo) * (s / 2 ** 32);
  });
}

/** Runs each kernel family (primal and fused tangent variants) once on odd sizes. */
export function recordLaunches(): Launch[] {
  const r = new Recorder();
  const K = 3;
  gemm(r, {
    m: 17,
    n: 65,
    k: 63,
    a: rand(17 * 63, 1),
    aOffset: 0,
    lda: 63,
    transA: false,
    strideA: 0,
    b: rand(65 * 63, 2),
    bOffset: 0,
    ldb: 63,
    transB: true,
    strideB: 0,
    c: new Float32Array(17 * 65),
    cOffset: 0,
    ldc: 65,
    strideC: 0,
    batch: 1,
    alpha: 1,
    beta: 0,
  });
  gemm(r, {
    m: 3,
    n: 17,
    k: 129,
    a: rand(2 * 129 * 3, 3),
    aOffset: 0,
    lda: 3,
    transA: true,
    strideA: 129 * 3,
    b: rand(129 * 17, 4),
    bOffset: 0,
    ldb: 17,
    transB: false,
    strideB: 0,
    c: new Float32Array(2 * 3 * 17),
    cOffset: 0,
    ldc: 17,
    strideC: 51,
    batch: 2,
    alpha: 1,
    beta: 0,
  });
  im2col(r, {
    x: rand(3 * 9 * 7, 5),
    xOffset: 0,
    c: 3,
    h: 9,
    w: 7,
    kh: 3,
    kw: 2,
    strideH: 2,
    strideW: 1,
    padH: 1,
    padW: 1,
    outH: 5,
    outW: 8,
    cols: new Float32Array(3 * 6 * 40),
    colsOffset: 0,
  });
  const n = 129;
  for (const op of UNARY_OPS) {
    const x = rand(n, 6, UNARY[op].domain === 'positive' ? 0.05 : -3, 3);
    unary(r, { op, n, x, xOffset: 0, y: new Float32Array(n), yOffset: 0 });
    unary(r, {
      op,
      n,
      x,
      xOffset: 0,
      y: new Float32Array(n),
      yOffset: 0,
      dx: rand(K * n, 7),
      dy: new Float32Array(K * n),
      directions: K,
    });
  }
  for (const op of BINARY_OPS) {
    const a = rand(3 * 65, 8),
      b = rand(65, 9, 0.5, 1.5);
    const base = {
      op,
      n: 3 * 65,
      a,
      aOffset: 0,
      aLen: 3 * 65,
      b,
      bOffset: 0,
      bLen: 65,
      y: new Float32Array(3 * 65),
      yOffset: 0,
    };
    binary(r, base);
    binary(r, {
      ...base,
      da: rand(K * 3 * 65, 10),
      db: rand(65, 11),
      dbStride: 0,
      dy: new Float32Array(K * 3 * 65),
      directions: K,
    });
    binary(r, { ...base, db: rand(K * 65, 12), dy: new Float32Array(K * 3 * 65), directions: K });
  }
  reduce(r, {
    x: rand(3 * 17 * 5, 13),
    xOffset: 0,
    outer: 3,
    len: 17,
    inner: 5,
    scale: 0.25,
    y: new Float32Array(15),
    yOffset: 0,
  });
  transpose(r, {
    x: rand(2 * 17 * 3, 14),
    xOffset: 0,
    batch: 2,
    rows: 17,
    cols: 3,
    y: new Float32Array(102),
    yOffset: 0,
  });
  const rows = 17,
    cols = 10;
  const logits = rand(rows * cols, 15, -4, 4),
    dl = rand(K * rows * cols, 16);
  logSoftmax(r, { x: logits, xOffset: 0, rows, cols, y: new Float32Array(rows * cols), yOffset: 0 });
  logSoftmax(r, {
    x: logits,
    xOffset: 0,
    rows,
    cols,
    y: new Float32Array(rows * cols),
    yOffset: 0,
    dx: dl,
    dy: new Float32Array(K * rows * cols),
    directions: K,
  });
  softmaxCrossEntropy(r, {
    logits,
    logitsOffset: 0,
    rows,
    cols,
    labels: Int32Array.from({ length: rows }, (_, i) => (i * 7) % cols),
    dlogits: dl,
    dloss: new Float32Array(K),
    directions: K,
    probs: new Float32Array(rows * cols),
  });
  const planes = 3,
    h = 7,
    w = 9,
    X = planes * h * w,
    P = planes * 3 * 4;
  const px = rand(X, 17);
  for (let i = 0; i < X; i += 5) px[i] = px[i + 1] ?? 0; // some ties
  maxPool2d(r, {
    x: px,
    xOffset: 0,
    planes,
    h,
    w,
    kh: 2,
    kw: 2,
    strideH: 2,
    strideW: 2,
    outH: 3,
    outW: 4,
    y: new Float32Array(P),
    yOffset: 0,
    argmax: new Int32Array(P),
    dx: rand(K * X, 18),
    dy: new Float32Array(K * P),
    directions: K,
  });
  r.destroy();
  return r.launches;
}
