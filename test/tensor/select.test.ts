// Backend registry and selection: default, explicit choice, errors, and filling missing kernels.
import { jsBackend } from '../../kernels/js';
import { hasConv2dNchw, type CompleteBackend, type GemmArgs, type Im2colArgs } from '../../kernels/backend';
import {
  getBackend,
  listBackends,
  loadBackend,
  registerBackend,
  registeredBackends,
  setBackend,
} from '../../kernels/select';
import * as ops from '../../runtime/ops/index';
import { tensor } from '../../runtime/tensor/create';
import { spawnSync } from 'child_process';
import * as path from 'path';

describe('backend selection', () => {
  afterAll(() => setBackend('js'));

  test('js always loads; the built-in backends are registered', () => {
    expect(listBackends()).toContain('js');
    expect(registeredBackends()).toEqual(
      expect.arrayContaining(['js', 'wasm', 'gpujs-webasm', 'gpujs-cpu', 'gpujs-gpu']),
    );
  });

  test('the default is the first loadable of wasm, js and is reported by name', () => {
    const env = process.env.FORWARDGRAD_BACKEND;
    const expected = env ?? (listBackends().includes('wasm') ? 'wasm' : 'js');
    expect(getBackend().name).toBe(expected);
  });

  test('setBackend selects; unknown names and failing loads throw clear errors', () => {
    expect(setBackend('js').name).toBe('js');
    expect(getBackend().name).toBe('js');
    expect(() => setBackend('nope')).toThrow("backend 'nope' is not registered; registered backends: js, wasm");
    registerBackend({
      name: 'broken',
      load: () => {
        throw new Error('no device');
      },
    });
    expect(() => setBackend('broken')).toThrow("backend 'broken' failed to load: no device");
    expect(listBackends()).not.toContain('broken');
  });

  test('a backend that only has gemm and im2col inherits every other kernel from js', () => {
    let gemmCalls = 0;
    registerBackend({
      name: 'partial',
      load: () => ({
        name: 'partial',
        gemm: (a) => {
          gemmCalls++;
          jsBackend.gemm(a);
        },
        im2col: jsBackend.im2col,
      }),
    });
    const b = loadBackend('partial');
    expect(b.name).toBe('partial');
    expect(b.unary).toBe(jsBackend.unary);
    setBackend('partial');
    const y = ops.relu(ops.matmul(tensor([1, -2], [1, 2]), tensor([1, 1], [2, 1])));
    expect([...y.toArray()]).toEqual([0]);
    expect(gemmCalls).toBe(1);
  });

  test('completion keeps members outside KernelBackend (conv2dNchw, threads, variant, dispose), also from a class', () => {
    class Extra {
      readonly name = 'extra';
      private n = 1;
      get threads(): number {
        return this.n;
      }
      readonly variant = 'simd';
      gemm(a: GemmArgs): void {
        jsBackend.gemm(a);
      }
      im2col(a: Im2colArgs): void {
        jsBackend.im2col(a);
      }
      conv2dNchw(): number {
        return this.n;
      }
      async dispose(): Promise<void> {
        this.n = 0;
      }
    }
    registerBackend({ name: 'extra', load: () => new Extra() });
    const b = loadBackend('extra') as CompleteBackend & Record<string, any>;
    expect(hasConv2dNchw(b)).toBe(true);
    expect([b.name, b.threads, b.variant, b.conv2dNchw()]).toEqual(['extra', 1, 'simd', 1]);
    return b.dispose().then(() => {
      expect(b.threads).toBe(0);
      expect(b.conv2dNchw()).toBe(0);
      expect(b.relu).toBeUndefined();
      expect(b.unary).toBe(jsBackend.unary);
    });
  });

  test('the wasm backend keeps conv2dNchw, threads, variant and dispose through selection', () => {
    if (!listBackends().includes('wasm')) return; // wasm cannot load here: nothing to keep
    const b = loadBackend('wasm') as CompleteBackend & Record<string, unknown>;
    expect(hasConv2dNchw(b)).toBe(true);
    expect([1, 2]).toContain(b.threads);
    expect(['simd', 'relaxed']).toContain(b.variant);
    expect(typeof b.dispose).toBe('function');
  });

  test('gpu.js is not loaded unless a gpujs backend is selected; FORWARDGRAD_BACKEND selects', () => {
    const script = `
      const fg = require('./runtime/index');
      fg.relu(fg.matmul(fg.tensor([1, 2], [1, 2]), fg.tensor([3, 4], [2, 1])));
      const gpu = Object.keys(require.cache).some((k) => k.includes('gpu.js'));
      console.log(JSON.stringify({ backend: fg.getBackend().name, gpu }));
      process.exit(0);`;
    const run = (env: Record<string, string>) => {
      const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
        cwd: path.resolve(__dirname, '../..'),
        env: { ...process.env, ...env },
        encoding: 'utf8',
      });
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout.trim().split('\n').pop()!);
    };
    expect(run({ FORWARDGRAD_BACKEND: 'js' })).toEqual({ backend: 'js', gpu: false });
    expect(run({ FORWARDGRAD_BACKEND: '' }).gpu).toBe(false); // the default (wasm, else js) does not touch gpu.js
  });
});
