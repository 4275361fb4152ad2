// The page's kernel checks (test/browser/page/kernel-checks.ts) in Node: they pass on the js
// reference backend and on gpu.js's cpu mode, and they fail on kernels that are wrong by a little
// (so the browser suite, which only counts failures, cannot pass vacuously).
import { loadBackend } from '../../kernels/select';
import type { CompleteBackend } from '../../kernels/backend';
import { KERNELS, checkKernels } from './page/kernel-checks';

describe("kernel checks (the browser suite's, run in Node)", () => {
  it.each(['js', 'gpujs-cpu'])('all pass on %s, and cover every kernel family', (name) => {
    const results = checkKernels(loadBackend(name));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    for (const family of KERNELS.filter((k) => k !== 'update')) {
      expect(results.some((r) => r.name.startsWith(family + ' '))).toBe(true);
    }
    expect(results.length).toBeGreaterThan(100);
  });

  it('fail on kernels off by a few float32 ulps, on a wrong tangent and on a throw', () => {
    const js = loadBackend('js');
    const nudged: CompleteBackend = {
      ...js,
      // gemm 16 ulps high everywhere: above (k + 8)·u only where k is small, as a real bug would be
      gemm: (g) => {
        js.gemm(g);
        for (let i = 0; i < g.c.length; i++) g.c[i] *= 1 + 2e-5;
      },
      // tangent of tanh scaled by 1.0001: the value stays right
      unary: (g) => {
        js.unary(g);
        if (g.dy && g.op === 'tanh') for (let i = 0; i < g.dy.length; i++) g.dy[i] *= 1.0001;
      },
      transpose: () => {
        throw new Error('gpujs-gpu: kernel transpose failed to compile');
      },
    };
    const bad = checkKernels(nudged)
      .filter((r) => !r.ok)
      .map((r) => r.name);
    expect(bad).toContain('gemm 17×65×3 transB beta 0.5');
    expect(bad.filter((n) => n.startsWith('unary tanh') && n.endsWith('tangent')).length).toBe(2);
    expect(bad.filter((n) => n.startsWith('unary tanh') && n.endsWith('value'))).toEqual([]);
    expect(bad.filter((n) => n.startsWith('transpose')).length).toBe(2);
  });
});
