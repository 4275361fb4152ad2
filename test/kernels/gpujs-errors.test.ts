// A gpu.js kernel that fails to compile (or throws when run) is an error naming the kernel and the
// backend, never a raw gpu.js stack (the browser page shows this message when WebGL2 rejects a shader).
import { KernelCache } from '../../kernels/gpujs/runtime';

describe('gpu.js kernel failures', () => {
  it('name the kernel and the backend', () => {
    const cache = new KernelCache('cpu');
    try {
      const k = cache.get('broken', 'function (x) { return notDefinedAnywhere[this.thread.x]; }', [4], {});
      expect(() => cache.run('broken', k, [new Float32Array(4)])).toThrow(
        /^gpujs-cpu: kernel 'broken' failed to compile or run: /,
      );
    } finally {
      cache.destroy();
    }
  });
});
