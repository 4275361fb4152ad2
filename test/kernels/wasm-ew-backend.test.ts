// The wasm backend's elementwise family as the tensor layer reaches it: operands from the backend's
// own tensor heap (`allocate`) run in wasm, in place, on one thread and on two (every call split:
// minParallelBytes 0), with the js kernels' bits; the optimizers' float32 slots come from that heap.
import type { CompleteBackend } from '../../kernels/backend';
import { jsBackend } from '../../kernels/js';
import { createWasmBackend, type WasmBackend } from '../../kernels/wasm/index';
import { registerBackend, setBackend } from '../../kernels/select';
import { Adam } from '../../runtime/fgd/optimizers';
import { dropPooled } from '../../runtime/tensor/pool';
import { rng, uniform } from '../support/random';
import { bitsEqual } from './wasm-ew-support';

const backends: [string, WasmBackend][] = [
  ['1 thread', createWasmBackend({ threads: 1 })],
  ['2 threads, every call split', createWasmBackend({ threads: 2, minParallelBytes: 0 })],
];
afterAll(async () => {
  setBackend('js');
  for (const [, b] of backends) await b.dispose();
});

/** A heap buffer holding v. */
const inHeap = (b: WasmBackend, v: Float32Array): Float32Array => {
  const h = b.allocate(v.length)!;
  h.set(v);
  return h;
};

describe.each(backends)('wasm backend (%s), operands in its tensor heap', (_name, b) => {
  beforeAll(() => {
    b.waitForThreads(20000);
  });

  test('relu JVP (K = 2), bias add JVP, [C,1,1] mul, maxPool2d JVP, reduce: the js bits', () => {
    const r = rng(5);
    const M = 33,
      N = 70,
      n = M * N,
      K = 2;
    const x = uniform(r, n),
      dx = uniform(r, K * n),
      bias = uniform(r, N),
      dbias = uniform(r, K * N);
    const run = (k: CompleteBackend | WasmBackend, put: (v: Float32Array) => Float32Array) => {
      const y = put(new Float32Array(n)),
        dy = put(new Float32Array(K * n)),
        z = put(new Float32Array(n)),
        dz = put(new Float32Array(K * n));
      const X = put(x),
        dX = put(dx);
      k.unary!({ op: 'relu', n, x: X, xOffset: 0, y, yOffset: 0, dx: dX, dxOffset: 0, dy, dyOffset: 0, directions: K });
      k.binary!({
        op: 'add',
        n,
        a: y,
        aOffset: 0,
        aLen: n,
        b: put(bias),
        bOffset: 0,
        bLen: N,
        y: z,
        yOffset: 0,
        da: dy,
        daOffset: 0,
        db: put(dbias),
        dbOffset: 0,
        dy: dz,
        dyOffset: 0,
        directions: K,
      });
      // [C,1,1] scale over [C,H,W] = [10, 3, 77] (n = 2310)
      const w = put(new Float32Array(n));
      k.binary!({
        op: 'mul',
        n,
        a: z,
        aOffset: 0,
        aLen: n,
        b: put(bias.subarray(0, 10)),
        bOffset: 0,
        bLen: 10,
        bInner: 231,
        y: w,
        yOffset: 0,
      });
      // pool [C=10, 21, 11] 2×2/2 → [10, 10, 5], K = 2 tangent
      const P = 10 * 10 * 5,
        pooled = put(new Float32Array(P)),
        dpooled = put(new Float32Array(K * P)),
        argmax = new Int32Array(P);
      k.maxPool2d!({
        x: w,
        xOffset: 0,
        planes: 10,
        h: 21,
        w: 11,
        kh: 2,
        kw: 2,
        strideH: 2,
        strideW: 2,
        outH: 10,
        outW: 5,
        y: pooled,
        yOffset: 0,
        argmax,
        dx: dz,
        dxOffset: 0,
        dy: dpooled,
        dyOffset: 0,
        directions: K,
      });
      const col = put(new Float32Array(N));
      k.reduce!({ x: z, xOffset: 0, outer: 1, len: M, inner: N, scale: 1 / M, y: col, yOffset: 0 });
      return { y, dy, z, dz, w, pooled, dpooled, argmax, col };
    };
    const want = run(jsBackend, (v) => v.slice()),
      got = run(b, (v) => inHeap(b, v));
    for (const k of ['y', 'dy', 'z', 'dz', 'w', 'pooled', 'dpooled', 'col'] as const)
      bitsEqual(got[k] as Float32Array, want[k] as Float32Array, k);
    expect(Array.from(got.argmax)).toEqual(Array.from(want.argmax));
    expect(got.y.buffer).toBe(got.dz.buffer); // (they were in the heap)
  });

  test('Adam through this backend: slots in the heap, the js kernel bits', () => {
    registerBackend({ name: 'wasm-ew-test', load: () => b });
    setBackend('wasm-ew-test');
    dropPooled();
    const p = inHeap(b, uniform(rng(6), 999)),
      g = inHeap(b, uniform(rng(7), 999));
    const opt = new Adam([p]);
    const slots = opt.state().slots;
    expect((slots.m[0] as Float32Array).buffer).toBe(p.buffer); // the same kernel memory
    const pj = p.slice(),
      m = new Float32Array(999),
      v = new Float32Array(999);
    for (let t = 1; t <= 3; t++) {
      opt.stepScaled([p], [g], 0.7, 0.01, t);
      jsBackend.update({
        rule: { name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, c1: 1 - 0.9 ** t, c2: 1 - 0.999 ** t, m, v },
        n: 999,
        params: pj,
        grad: g,
        scale: 0.7,
        lr: 0.01,
      });
    }
    bitsEqual(p, pj, 'params');
    bitsEqual(slots.m[0] as Float32Array, m, 'm');
    bitsEqual(slots.v[0] as Float32Array, v, 'v');
    opt.dispose();
    setBackend('js');
  });
});

test('minParallelBytes must be a number ≥ 0', () => {
  expect(() => createWasmBackend({ threads: 1, minParallelBytes: -1 })).toThrow(
    /minParallelBytes must be a number ≥ 0/,
  );
});
