// gpujs-gpu's residency (kernels/gpujs/device.ts, flat.ts, update.ts) on gpu.js's cpu mode with the
// array double of its device memory: every resident kernel against the float64 references, with
// host operands and with device operands read from offsets inside their device copies (the same
// checks the browser suite runs on WebGL2), and the resident update against the js one.
import { createCpuResidentBackend } from '../../kernels/gpujs/index';
import { registerBackend, loadBackend } from '../../kernels/select';
import { residencyInfo, isResident, syncHost } from '../../kernels/residency';
import { checkKernels } from '../browser/page/kernel-checks';

registerBackend({ name: 'gpujs-cpu-resident', load: () => createCpuResidentBackend() });

describe('gpujs resident kernels (cpu-mode double)', () => {
  it.each([false, true])('pass the kernel checks (device operands: %s)', (deviceOperands) => {
    const b = loadBackend('gpujs-cpu-resident');
    const results = checkKernels(b, { deviceOperands });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.length).toBeGreaterThan(100);
  });

  it('leaves a fused output on the device until the host reads it', () => {
    const b = loadBackend('gpujs-cpu-resident');
    const x = new Float32Array([1, -2, 3]),
      dx = new Float32Array([1, 1, 1]);
    const y = new Float32Array(6);
    const before = residencyInfo().downloads;
    b.unary({ op: 'relu', n: 3, x, xOffset: 0, y, yOffset: 0, dx, dxOffset: 0, dy: y, dyOffset: 3 });
    expect(isResident(y)).toBe(true);
    expect(Array.from(y)).toEqual([0, 0, 0, 0, 0, 0]); // host copy untouched (stale)
    syncHost(y);
    expect(Array.from(y)).toEqual([1, 0, 3, 1, 0, 1]);
    expect(residencyInfo().downloads).toBe(before + 1);
  });
});
