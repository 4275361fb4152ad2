// conv2d's direct path: on a backend with `conv2dNchw` (wasm) the primal and fused JVP go through
// it (spied: no im2col/gemm calls), for C ≥ 4 where the wasm kernel runs its own indirect GEMM, and
// agree with the float64 reference, central differences, and the js (im2col + gemm) path.
import { hasConv2dNchw } from '../../kernels/backend';
import { Rng } from '../../kernels/rng';
import { listBackends, loadBackend, setBackend } from '../../kernels/select';
import * as R from '../../kernels/reference/ops';
import { alongRefs, centralDifference } from '../support/fd';
import * as ops from '../../runtime/ops/index';
import { allocOut } from '../../runtime/ops/tangents';
import { Tensor } from '../../runtime/tensor/tensor';
import { direction, expectClose, randomTensor, stackDirections, toRef } from './helpers';

const TOL = 2e-4;
const geometries: [number[], number[], { stride?: number | [number, number]; padding?: number | [number, number] }][] =
  [
    [[2, 8, 6, 5], [9, 8, 3, 3], { padding: 1 }],
    [[3, 5, 7, 9], [4, 5, 2, 3], { stride: [2, 1], padding: [0, 1] }],
    [[1, 17, 5, 5], [3, 17, 1, 1], {}],
  ];
const pair = (v: number | [number, number] | undefined, d: number): [number, number] =>
  v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : v;

const hasWasm = listBackends().includes('wasm');
(hasWasm ? describe : describe.skip)('conv2d on the wasm backend uses conv2dNchw', () => {
  const calls = { conv: 0, gemm: 0, im2col: 0 };
  let restore = (): void => {};
  beforeAll(() => {
    const b = loadBackend('wasm') as any;
    expect(hasConv2dNchw(b)).toBe(true); // select.ts's completion keeps the optional kernel
    const real = { conv: b.conv2dNchw, gemm: b.gemm, im2col: b.im2col };
    b.conv2dNchw = (a: any) => {
      calls.conv++;
      real.conv(a);
    };
    b.gemm = (a: any) => {
      calls.gemm++;
      real.gemm(a);
    };
    b.im2col = (a: any) => {
      calls.im2col++;
      real.im2col(a);
    };
    restore = () => {
      b.conv2dNchw = real.conv;
      b.gemm = real.gemm;
      b.im2col = real.im2col;
    };
  });
  afterAll(() => {
    restore();
    setBackend('js');
  });
  const reset = (): void => {
    calls.conv = calls.gemm = calls.im2col = 0;
  };

  describe.each(geometries.map((g) => [JSON.stringify(g), g] as const))('%s', (_n, [sx, sw, o]) => {
    const stride = pair(o.stride, 1),
      padding = pair(o.padding, 0);
    const rng = new Rng(sx.reduce((a, b) => a * 7 + b, 11));
    const x = randomTensor(rng, sx),
      w = randomTensor(rng, sw),
      dx = randomTensor(rng, sx),
      dw = randomTensor(rng, sw);
    const conv = (a: R.Ref, b: R.Ref): R.Ref => R.conv2dRef(a, b, stride, padding);

    test('primal and both tangents: one pass each, match the reference and central differences', () => {
      setBackend('wasm');
      reset();
      const [y, dy] = ops.conv2dJvp(x, dx, w, dw, o);
      expect(calls).toEqual({ conv: 3, gemm: 0, im2col: 0 });
      expectClose(y.toArray(), conv(toRef(x), toRef(w)).data, TOL, TOL, 'y');
      const fd = centralDifference(alongRefs(conv, [toRef(x), toRef(w)], [toRef(dx), toRef(dw)]));
      expectClose(dy!.toArray(), fd, TOL, TOL, 'ẏ');
      reset();
      ops.conv2d(x, w, o);
      expect(calls).toEqual({ conv: 1, gemm: 0, im2col: 0 });
    });

    test.each([
      [1, false],
      [3, true],
    ])('K=%i, each input alone and both, stacked or not: equals the js path', (K, axis) => {
      const dxs = axis ? stackDirections([dx, randomTensor(rng, sx), randomTensor(rng, sx)]) : dx;
      const dws = axis ? stackDirections([dw, randomTensor(rng, sw), randomTensor(rng, sw)]) : dw;
      // [x; ẋ] and [w; ẇ] already stacked in one buffer (the no-copy batch path).
      const stackedPair = (p: Tensor, t: Tensor): [Tensor, Tensor] => {
        const [sp, st] = allocOut(p.shape, { K, axis, active: true });
        sp.toArray().set(p.toArray());
        st!.toArray().set(t.toArray());
        return [sp, st!];
      };
      const [xs, dxst] = stackedPair(x, dxs),
        [ws, dwst] = stackedPair(w, dws);
      const variants: [Tensor, Tensor | undefined, Tensor, Tensor | undefined][] = [
        [x, dxs, w, dws],
        [x, dxs, w, undefined],
        [x, undefined, w, dws],
        [xs, dxst, ws, dwst],
        [xs, dxst, w, undefined],
      ];
      for (const [a, da, b, db] of variants) {
        setBackend('js');
        const [yj, dyj] = ops.conv2dJvp(a, da, b, db, o);
        setBackend('wasm');
        reset();
        const [yw, dyw] = ops.conv2dJvp(a, da, b, db, o);
        expect(calls.gemm + calls.im2col).toBe(0);
        expect(calls.conv).toBeLessThanOrEqual(3);
        expectClose(yw.toArray(), yj.toArray(), TOL, TOL, 'y');
        expectClose(dyw!.toArray(), dyj!.toArray(), TOL, TOL, 'ẏ');
        if (axis) for (let k = 0; k < K; k++) expect(direction(dyw!, k).shape).toEqual(yw.shape);
      }
    });
  });
});
