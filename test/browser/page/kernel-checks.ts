// Every kernel a backend implements — gemm, im2col, each unary and binary op (primal and fused
// primal+tangent with K directions), reduce, transpose, logSoftmax, softmaxCrossEntropy, maxPool2d —
// against the float64 references of test/kernels/gpujs-reference.ts, as a list of results instead of
// jest expectations, so the same checks run in a page (gpujs-gpu on WebGL2) and in Node (where
// test/browser/kernel-checks.test.ts shows they fail on a wrong kernel). Tolerances are the Node
// tests' (test/kernels/gpujs-*.test.ts), float32-derived; `slack` widens the transcendental ones
// only (GLSL exp/log/tanh are not correctly rounded; the result records by how much we widen).
import type { CompleteBackend } from '../../../kernels/backend';
import { syncArgs } from '../../../kernels/residency';
import type { UpdateRule } from '../../../kernels/backend';
import { update as jsUpdate } from '../../../kernels/js/update';
import { FILLERS } from '../../../kernels/rng';
import { BINARY_OPS, UNARY, UNARY_OPS, type UnaryOp } from '../../../kernels/elementwise';
import { BINARY_REF, UNARY_REF, gemmRef, im2colRef, logSoftmaxRef, worstRatio } from '../../kernels/gpujs-reference';
import { rng, uniform } from '../../support/random';

const U = 2 ** -24; // float32 unit roundoff

export interface KernelCheck {
  /** e.g. 'unary tanh n=129 K=3 tangent'. */
  name: string;
  /** Worst |got − want| / tolerance: ≤ 1 passes (NaN fails). */
  ratio: number;
  ok: boolean;
  /** A thrown error (e.g. a kernel compile failure naming kernel and backend). */
  error?: string;
}

export interface CheckOptions {
  /** Multiplies the relative tolerance of exp/log/tanh/sigmoid/softplus-derived values (default 1). */
  transcendentalSlack?: number;
  /**
   * A resident backend (gpujs-gpu): every operand buffer is first made a device copy (`upload`)
   * and its host elements poisoned with NaN, so each kernel must read its operands where they
   * live, from their offsets inside the device copies (kernels/gpujs/device.ts), and fused
   * outputs are stacked [y; dy] in one buffer (what the tensor layer passes: one output texture).
   */
  deviceOperands?: boolean;
}

type Kernel = (args: object) => unknown;
/** The kernel families the checks cover (update only on a device backend, whose own update it is). */
export const KERNELS = [
  'gemm',
  'im2col',
  'unary',
  'binary',
  'reduce',
  'transpose',
  'logSoftmax',
  'softmaxCrossEntropy',
  'maxPool2d',
  'update',
] as const;

/**
 * The backend as the checks call it: on a device backend, every kernel's buffers are brought back
 * to the host after it runs (the checks read them there), and with `deviceOperands` they start on
 * the device.
 */
function asChecked(backend: CompleteBackend, deviceOperands: boolean): CompleteBackend {
  if (!backend.device) {
    if (deviceOperands) throw new Error(`deviceOperands: ${backend.name} keeps nothing on a device`);
    return backend;
  }
  const upload = (backend as { upload?: (buf: Float32Array) => void }).upload;
  if (deviceOperands && !upload) throw new Error(`deviceOperands: ${backend.name} has no upload`);
  const wrapped: Record<string, unknown> = { ...backend };
  for (const key of KERNELS) {
    const kernel = backend[key] as Kernel;
    wrapped[key] = (args: object) => {
      if (deviceOperands) {
        const rule = (args as { rule?: object }).rule; // an update's state buffers too
        for (const v of new Set([...Object.values(args), ...Object.values(rule ?? {})]))
          if (v instanceof Float32Array && v.length > 0) {
            upload!(v);
            v.fill(NaN); // the host copy is stale now: a kernel reading it would see NaN
          }
      }
      const stacked = deviceOperands ? restack(key, args) : undefined;
      const result = kernel(stacked?.args ?? args);
      // maxPool2d's resident form has no argmax (forward mode never asks): the argmax comes from a
      // host-output run into scratch after the resident one (which gives the values and tangents)
      const argmax = (args as { argmax?: Int32Array }).argmax;
      if (stacked && key === 'maxPool2d' && argmax) {
        const g = args as { y: Float32Array; dy?: Float32Array };
        kernel({ ...args, y: new Float32Array(g.y.length), dy: g.dy && new Float32Array(g.dy.length) });
      }
      syncArgs(args);
      stacked?.unstack();
      return result;
    };
  }
  return wrapped as unknown as CompleteBackend;
}

/**
 * A fused call's y and dy moved into one buffer, dy right after y: the layout the tensor layer
 * uses and the one a resident kernel writes as a single texture. unstack() copies the results back.
 */
function restack(key: string, args: object): { args: object; unstack(): void } | undefined {
  const g = args as {
    y?: Float32Array;
    yOffset?: number;
    dy?: Float32Array;
    dyOffset?: number;
    directions?: number;
    n?: number;
    rows?: number;
    cols?: number;
    planes?: number;
    outH?: number;
    outW?: number;
  };
  if (!g.y || !g.dy || !['unary', 'binary', 'logSoftmax', 'maxPool2d'].includes(key)) return undefined;
  const n = key === 'logSoftmax' ? g.rows! * g.cols! : key === 'maxPool2d' ? g.planes! * g.outH! * g.outW! : g.n!,
    K = g.directions ?? 1,
    y = g.y,
    yo = g.yOffset ?? 0,
    dy = g.dy,
    dyo = g.dyOffset ?? 0;
  const z = new Float32Array(1 + (K + 1) * n); // at offset 1: an offset inside the texture too
  z.set(y.subarray(yo, yo + n), 1);
  z.set(dy.subarray(dyo, dyo + K * n), 1 + n);
  return {
    args: { ...args, y: z, yOffset: 1, dy: z, dyOffset: 1 + n, argmax: undefined },
    unstack() {
      syncArgs({ z });
      y.set(z.subarray(1, 1 + n), yo);
      dy.set(z.subarray(1 + n), dyo);
    },
  };
}

export function checkKernels(checked: CompleteBackend, options: CheckOptions = {}): KernelCheck[] {
  const backend = asChecked(checked, options.deviceOperands === true);
  const slack = options.transcendentalSlack ?? 1;
  const out: KernelCheck[] = [];
  const record = (name: string, ratio: number) => out.push({ name, ratio, ok: ratio <= 1 });
  const attempt = (name: string, f: () => void) => {
    try {
      f();
    } catch (e) {
      out.push({ name, ratio: NaN, ok: false, error: (e as Error).message });
    }
  };

  // ---- gemm: (k + 8)·u relative to Σ|a·b| + |beta·c| (worst-case float32 dot error) ----
  const GEMMS: [string, number, number, number, boolean, boolean, number, number][] = [
    // name, m, n, k, transA, transB, alpha, beta
    ['3×17×63', 3, 17, 63, false, false, 1, 0],
    ['65×3×129 transA', 65, 3, 129, true, false, -0.75, 0],
    ['17×65×3 transB beta 0.5', 17, 65, 3, false, true, 1.25, 0.5],
    ['64×32×784 (MLP layer)', 64, 32, 784, false, false, 1, 0],
  ];
  for (const [label, m, n, k, transA, transB, alpha, beta] of GEMMS) {
    attempt(`gemm ${label}`, () => {
      const rand = rng(m * 31 + n * 7 + k);
      const lda = transA ? m : k,
        ldb = transB ? k : n;
      const a = uniform(rand, 2 + m * k),
        b = uniform(rand, 1 + k * n),
        c = beta === 0 ? new Float32Array(3 + m * n).fill(NaN) : uniform(rand, 3 + m * n);
      const g = {
        m,
        n,
        k,
        a,
        aOffset: 2,
        lda,
        transA,
        strideA: 0,
        b,
        bOffset: 1,
        ldb,
        transB,
        strideB: 0,
        c,
        cOffset: 3,
        ldc: n,
        strideC: 0,
        batch: 1,
        alpha,
        beta,
      };
      const { c: want, scale } = gemmRef(g);
      backend.gemm(g);
      record(`gemm ${label}`, worstRatio(c.subarray(3), want.subarray(3), 1e-30, (k + 8) * U, scale.subarray(3)));
    });
  }

  // ---- im2col: pure data movement, exact ----
  const IM2COL = [
    { c: 3, h: 5, w: 7, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, outH: 5, outW: 7 },
    { c: 2, h: 9, w: 8, kh: 2, kw: 3, strideH: 2, strideW: 1, padH: 0, padW: 1, outH: 4, outW: 8 },
  ];
  for (const s of IM2COL) {
    const name = `im2col c${s.c} ${s.h}×${s.w} k${s.kh}×${s.kw} s${s.strideH}×${s.strideW} p${s.padH}×${s.padW}`;
    attempt(name, () => {
      const rand = rng(s.c * 31 + s.kw);
      const x = uniform(rand, 3 + s.c * s.h * s.w),
        cols = new Float32Array(2 + s.c * s.kh * s.kw * s.outH * s.outW);
      const g = { ...s, x, xOffset: 3, cols, colsOffset: 2 };
      const want = im2colRef(g);
      backend.im2col(g);
      record(name, exact(cols, want));
    });
  }

  // ---- unary: value 1e-6 relative (+1e-7), tangent 2e-6 relative + 5e-7 ----
  const transcendental = new Set(['exp', 'log', 'tanh', 'sigmoid', 'softplus']);
  for (const op of UNARY_OPS) {
    for (const [n, K] of [
      [17, 3],
      [129, 1],
    ]) {
      const name = `unary ${op} n=${n} K=${K}`;
      attempt(name, () => {
        const rand = rng(n * 7 + K);
        const x = unaryInput(op, rand, n, 2),
          dx = uniform(rand, 1 + K * n);
        const y = new Float32Array(3 + n),
          dy = new Float32Array(4 + K * n);
        backend.unary({ op, n, x, xOffset: 2, y, yOffset: 3, dx, dxOffset: 1, dy, dyOffset: 4, directions: K });
        const want = Array.from({ length: n }, (_, i) => UNARY_REF[op](x[2 + i]));
        const s = transcendental.has(op) ? slack : 1;
        record(
          `${name} value`,
          worstRatio(
            y.subarray(3),
            want.map((v) => v[0]),
            1e-7,
            1e-6 * s,
          ),
        );
        const dwant = Array.from({ length: K * n }, (_, t) => want[t % n][1] * dx[1 + t]);
        record(`${name} tangent`, worstRatio(dy.subarray(4), dwant, 5e-7 * s, 2e-6 * s));
        const y2 = new Float32Array(n);
        backend.unary({ op, n, x, xOffset: 2, y: y2, yOffset: 0 });
        record(
          `${name} primal-only kernel`,
          worstRatio(
            y2,
            want.map((v) => v[0]),
            1e-7,
            1e-6 * s,
          ),
        );
      });
    }
  }

  // ---- binary with broadcasting and K = 3: value 1e-6, tangent 4e-6 relative to Σ|terms| ----
  // (the last two: [C,1,1]-style operands, element j spanning `inner` outputs; the large one puts
  // float32 division i / inner near its rounding edge, where the kernel corrects the quotient)
  const BCAST: [string, number, number, number, boolean, boolean, number | undefined, number?, number?][] = [
    ['same shape, both tangents', 63, 63, 63, true, true, undefined],
    ['bias row [3] on [65, 3], da only', 195, 195, 3, true, false, undefined],
    ['scalar b shared across directions', 17, 17, 1, false, true, 0],
    ['broadcast a [3] with b [65, 3]', 195, 3, 195, true, true, undefined],
    ['[5,1,1] b on [3,5,7]', 105, 105, 5, true, true, undefined, 1, 7],
    ['[13,1,1] a on [2,13,4099]', 2 * 13 * 4099, 13, 2 * 13 * 4099, true, true, undefined, 4099, 1],
  ];
  for (const op of BINARY_OPS) {
    for (const [label, n, aLen, bLen, hasDa, hasDb, dbStride, aInner = 1, bInner = 1] of BCAST) {
      const ia = (i: number) => Math.floor(i / aInner) % aLen,
        ib = (i: number) => Math.floor(i / bInner) % bLen;
      const name = `binary ${op} ${label}`;
      attempt(name, () => {
        const rand = rng(n + aLen * 3 + bLen * 5),
          K = 3;
        const a = uniform(rand, 1 + aLen),
          b = uniform(rand, 2 + bLen, 0.5, 1.5);
        for (let i = 0; i < b.length; i += 2) b[i] = -b[i];
        const das = aLen,
          dbs = dbStride ?? bLen;
        const da = hasDa ? uniform(rand, (K - 1) * das + aLen) : undefined;
        const db = hasDb ? uniform(rand, 3 + (K - 1) * dbs + bLen) : undefined;
        const y = new Float32Array(n),
          dy = new Float32Array(2 + K * n);
        backend.binary({
          op,
          n,
          a,
          aOffset: 1,
          aLen,
          aInner,
          b,
          bOffset: 2,
          bLen,
          bInner,
          y,
          yOffset: 0,
          da,
          daOffset: 0,
          db,
          dbOffset: 3,
          dbStride,
          dy,
          dyOffset: 2,
          directions: K,
        });
        const vals = Array.from({ length: n }, (_, i) => BINARY_REF[op](a[1 + ia(i)], b[2 + ib(i)]));
        record(
          `${name} value`,
          worstRatio(
            y,
            vals.map((v) => v[0]),
            1e-7,
            1e-6,
          ),
        );
        const dwant: number[] = [],
          dscale: number[] = [];
        for (let k = 0; k < K; k++)
          for (let i = 0; i < n; i++) {
            const ta = da ? vals[i][1] * da[k * das + ia(i)] : 0;
            const tb = db ? vals[i][2] * db[3 + k * dbs + ib(i)] : 0;
            dwant.push(ta + tb);
            dscale.push(Math.abs(ta) + Math.abs(tb));
          }
        record(`${name} tangent`, worstRatio(dy.subarray(2), dwant, 1e-7, 4e-6, dscale));
      });
    }
  }

  // ---- reduce: (len + 2)·u relative to Σ|x| ----
  for (const [outer, len, inner, scale] of [
    [3, 17, 5, 1],
    [1, 129, 1, 1 / 129],
    [65, 3, 1, 0.5],
  ]) {
    const name = `reduce [${outer}, ${len}, ${inner}] scale ${scale.toPrecision(3)}`;
    attempt(name, () => {
      const rand = rng(outer * 1000 + len);
      const x = uniform(rand, 4 + outer * len * inner),
        y = new Float32Array(1 + outer * inner);
      backend.reduce({ x, xOffset: 4, outer, len, inner, scale, y, yOffset: 1 });
      const want: number[] = [],
        abs: number[] = [];
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          let s = 0,
            sa = 0;
          for (let j = 0; j < len; j++) {
            const v = x[4 + (o * len + j) * inner + i];
            s += v;
            sa += Math.abs(v);
          }
          want.push(s * scale);
          abs.push(sa * scale);
        }
      record(name, worstRatio(y.subarray(1), want, 1e-30, (len + 2) * U, abs));
    });
  }

  // ---- transpose: exact ----
  for (const [batch, rows, cols] of [
    [1, 17, 3],
    [2, 5, 4],
  ]) {
    const name = `transpose [${batch}, ${rows}, ${cols}]`;
    attempt(name, () => {
      const rand = rng(batch + rows + cols);
      const x = uniform(rand, 2 + batch * rows * cols),
        y = new Float32Array(1 + batch * rows * cols);
      backend.transpose({ x, xOffset: 2, batch, rows, cols, y, yOffset: 1 });
      const want = new Float64Array(batch * rows * cols);
      for (let t = 0; t < batch; t++)
        for (let i = 0; i < rows; i++)
          for (let j = 0; j < cols; j++) {
            want[t * rows * cols + j * rows + i] = x[2 + t * rows * cols + i * cols + j];
          }
      record(name, exact(y.subarray(1), want));
    });
  }

  // ---- logSoftmax (value and fused tangent): 2e-6 absolute ----
  for (const [rows, cols, K] of [
    [3, 17, 3],
    [64, 10, 1],
  ]) {
    const name = `logSoftmax rows ${rows} cols ${cols} K ${K}`;
    attempt(name, () => {
      const rand = rng(rows * 100 + cols),
        size = rows * cols;
      const x = uniform(rand, 1 + size, -4, 4),
        dx = uniform(rand, 2 + K * size);
      const y = new Float32Array(size),
        dy = new Float32Array(K * size);
      backend.logSoftmax({ x, xOffset: 1, rows, cols, y, yOffset: 0, dx, dxOffset: 2, dy, dyOffset: 0, directions: K });
      const { y: want, p } = logSoftmaxRef(x, 1, rows, cols);
      record(`${name} value`, worstRatio(y, want, 2e-6 * slack, 0));
      const dwant: number[] = [];
      for (let k = 0; k < K; k++)
        for (let r = 0; r < rows; r++) {
          let dot = 0;
          for (let c = 0; c < cols; c++) dot += p[r * cols + c] * dx[2 + k * size + r * cols + c];
          for (let c = 0; c < cols; c++) dwant.push(dx[2 + k * size + r * cols + c] - dot);
        }
      record(`${name} tangent`, worstRatio(dy, dwant, 2e-6 * slack, 0));
    });
  }

  // ---- softmaxCrossEntropy (loss, fused dloss, probabilities): 2e-6 absolute ----
  for (const [rows, cols, K] of [
    [3, 10, 2],
    [64, 10, 1],
  ]) {
    const name = `softmaxCrossEntropy rows ${rows} cols ${cols} K ${K}`;
    attempt(name, () => {
      const rand = rng(rows * 10 + cols),
        size = rows * cols;
      const logits = uniform(rand, 3 + size, -4, 4),
        dlogits = uniform(rand, 1 + K * size);
      const labels = Int32Array.from({ length: rows }, () => Math.floor(rand() * cols));
      const dloss = new Float32Array(K),
        probs = new Float32Array(size);
      const loss = backend.softmaxCrossEntropy({
        logits,
        logitsOffset: 3,
        rows,
        cols,
        labels,
        dlogits,
        dlogitsOffset: 1,
        dloss,
        directions: K,
        probs,
      });
      const { y, p } = logSoftmaxRef(logits, 3, rows, cols);
      let want = 0;
      const dwant = new Array<number>(K).fill(0);
      for (let r = 0; r < rows; r++) {
        want -= y[r * cols + labels[r]] / rows;
        for (let k = 0; k < K; k++) {
          let dot = 0;
          for (let c = 0; c < cols; c++) dot += p[r * cols + c] * dlogits[1 + k * size + r * cols + c];
          dwant[k] += (dot - dlogits[1 + k * size + r * cols + labels[r]]) / rows;
        }
      }
      record(`${name} loss`, worstRatio([loss], [want], 2e-6 * slack, 0));
      record(`${name} dloss`, worstRatio(dloss, dwant, 2e-6 * slack, 0));
      record(`${name} probs`, worstRatio(probs, p, 2e-6 * slack, 0));
    });
  }

  // ---- maxPool2d: value, argmax and tangent gather exact (ties go to the first element) ----
  const POOL: [string, number, number, number, number, number, number, number, number, boolean][] = [
    ['2×2 stride 2 on 7×9, K = 2', 3, 7, 9, 2, 2, 2, 2, 2, false],
    ['3×2 stride 1 with ties', 2, 5, 4, 3, 2, 1, 1, 1, true],
  ];
  for (const [label, planes, h, w, kh, kw, sh, sw, K, ties] of POOL) {
    const name = `maxPool2d ${label}`;
    attempt(name, () => {
      const rand = rng(planes * 100 + h * 10 + w);
      const outH = Math.floor((h - kh) / sh) + 1,
        outW = Math.floor((w - kw) / sw) + 1;
      const X = planes * h * w,
        P = planes * outH * outW,
        xo = 2;
      const x = ties ? Float32Array.from({ length: xo + X }, () => Math.floor(rand() * 3)) : uniform(rand, xo + X);
      const dx = uniform(rand, 1 + K * X);
      const y = new Float32Array(P),
        dy = new Float32Array(K * P),
        argmax = new Int32Array(P);
      backend.maxPool2d({
        x,
        xOffset: xo,
        planes,
        h,
        w,
        kh,
        kw,
        strideH: sh,
        strideW: sw,
        outH,
        outW,
        y,
        yOffset: 0,
        argmax,
        dx,
        dxOffset: 1,
        dy,
        dyOffset: 0,
        directions: K,
      });
      const wy: number[] = [],
        wa: number[] = [],
        wdy = new Array<number>(K * P);
      let o = 0;
      for (let p = 0; p < planes; p++)
        for (let oy = 0; oy < outH; oy++)
          for (let ox = 0; ox < outW; ox++, o++) {
            let best = -Infinity,
              at = -1;
            for (let ki = 0; ki < kh; ki++)
              for (let kj = 0; kj < kw; kj++) {
                const q = p * h * w + (oy * sh + ki) * w + ox * sw + kj;
                if (x[xo + q] > best) {
                  best = x[xo + q];
                  at = q;
                }
              }
            wy.push(best);
            wa.push(at);
            for (let k = 0; k < K; k++) wdy[k * P + o] = dx[1 + k * X + at];
          }
      record(`${name} value`, exact(y, wy));
      record(`${name} argmax`, exact(argmax, wa));
      record(`${name} tangent`, exact(dy, wdy));
    });
  }

  // ---- update (an optimizer step): against the js kernel's float64 loops; a device backend runs
  // them in float32, so 2e-6 relative to |θ| + |step| (a few float32 roundings of each term) ----
  if (checked.device) {
    const n = 1000;
    const RULES: [string, (u: Float32Array, m: Float32Array, v: Float32Array) => UpdateRule][] = [
      ['sgd', () => ({ name: 'sgd' })],
      ['momentum', (u) => ({ name: 'momentum', momentum: 0.9, nesterov: false, u })],
      ['nesterov', (u) => ({ name: 'momentum', momentum: 0.9, nesterov: true, u })],
      ['adam', (_u, m, v) => ({ name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, c1: 0.271, c2: 0.00599, m, v })],
    ];
    for (const [label, rule] of RULES) {
      for (const scale of [undefined, -0.37]) {
        const name = `update ${label}${scale === undefined ? '' : ' fused scale'}`;
        attempt(name, () => {
          const rand = rng(label.length * 7 + (scale === undefined ? 0 : 1));
          const make = () => ({
            params: uniform(rand, n),
            grad: uniform(rand, n),
            u: uniform(rand, n),
            m: uniform(rand, n),
            v: uniform(rand, n, 0.01, 1),
          });
          const got = make();
          const want = {
            params: got.params.slice(),
            grad: got.grad.slice(),
            u: got.u.slice(),
            m: got.m.slice(),
            v: got.v.slice(),
          };
          const save = new Float32Array(n),
            before = got.params.slice();
          const args = (b: typeof got, saveTo?: Float32Array) => ({
            rule: rule(b.u, b.m, b.v),
            n,
            params: b.params,
            grad: b.grad,
            scale,
            lr: 0.05,
            save: saveTo,
          });
          backend.update(args(got, save));
          jsUpdate(args(want));
          const scaleOf = Array.from(want.params, (p, i) => Math.abs(p) + Math.abs(before[i] - p));
          record(`${name} params`, worstRatio(got.params, want.params, 1e-7, 2e-6, scaleOf));
          record(`${name} save`, exact(save, before));
          if (label === 'momentum' || label === 'nesterov') record(`${name} u`, worstRatio(got.u, want.u, 1e-6, 2e-6));
          if (label === 'adam') {
            record(`${name} m`, worstRatio(got.m, want.m, 1e-6, 2e-6));
            record(`${name} v`, worstRatio(got.v, want.v, 1e-6, 2e-6));
          }
        });
      }
    }
  }

  // ---- fillDirection (a device's random directions): the CPU streams of kernels/rng.ts; normals
  // within 2e-6 (the GLSL float32 Box–Muller, as philox-gl's check), Rademacher signs exact ----
  if (checked.fillDirection) {
    const TWO32 = 2 ** 32;
    const CASES: [string, number, number, number, number, number][] = [
      // label, seed, stream, streamOffset, rows, size
      ['small', 7, 3, 0, 1, 1000],
      ['unaligned, 3 rows', 12345, 10, 5, 3, 333],
      ['high words and a block carry', 0x12345 * TWO32 + 0x89abcdef, 0x101 * TWO32 + 5, 4 * (TWO32 - 2) - 3, 2, 70],
    ];
    for (const distribution of ['normal', 'rademacher'] as const) {
      for (const [label, seed, stream, streamOffset, rows, size] of CASES) {
        const name = `fillDirection ${distribution} ${label}`;
        attempt(name, () => {
          const out = new Float32Array(2 + rows * size).fill(NaN);
          checked.fillDirection!({ distribution, seed, stream, streamOffset, rows, size, out, offset: 2 });
          syncArgs({ out });
          const want = new Float32Array(rows * size);
          for (let r = 0; r < rows; r++)
            FILLERS[distribution](want.subarray(r * size, (r + 1) * size), seed, stream + r, streamOffset);
          const got = out.subarray(2);
          record(name, distribution === 'normal' ? worstRatio(got, want, 2e-6, 0) : exact(got, want));
        });
      }
    }
  }
  return out;
}

/** x in the op's table domain; relu's kink gets exact zeros (relu'(0) = 0). */
function unaryInput(op: UnaryOp, rand: () => number, n: number, offset: number): Float32Array {
  const x = uniform(rand, offset + n, UNARY[op].domain === 'positive' ? 0.05 : -3, 3);
  if (UNARY[op].domain === 'awayFromZero') for (let i = offset; i < offset + n; i += 3) x[i] = 0;
  return x;
}

/** 0 if every element is equal (Object.is apart from ±0), else Infinity: data movement is exact. */
function exact(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Infinity;
  for (let i = 0; i < got.length; i++)
    if (got[i] !== want[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) return Infinity;
  return 0;
}
