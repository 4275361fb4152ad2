// FORWARDGRAD_BACKEND / FORWARDGRAD_THREADS with an invalid value are errors naming the variable and the valid
// values, never a silent fall-back to the slow js backend.
import { checkEnvironment } from '../../kernels/select';

test.each([
  [{ FORWARDGRAD_THREADS: 'two' }, /^FORWARDGRAD_THREADS="two" is not valid; valid values: 1, 2/],
  [{ FORWARDGRAD_THREADS: '3' }, /^FORWARDGRAD_THREADS="3" is not valid; valid values: 1, 2/],
  [
    { FORWARDGRAD_BACKEND: 'wsam' },
    /^FORWARDGRAD_BACKEND="wsam" is not valid; valid values: js, wasm, gpujs-webasm, gpujs-cpu, gpujs-gpu/,
  ],
])('%j is an error naming the variable and its valid values', (env, message) => {
  expect(() => checkEnvironment(env)).toThrow(message);
});

test.each([
  [{}],
  [{ FORWARDGRAD_THREADS: '1' }],
  [{ FORWARDGRAD_THREADS: '2', FORWARDGRAD_BACKEND: 'js' }],
  [{ FORWARDGRAD_BACKEND: '' }],
])('%j is accepted', (env) => {
  expect(() => checkEnvironment(env)).not.toThrow();
});

test('getBackend() refuses an invalid FORWARDGRAD_THREADS instead of falling back to js', () => {
  const saved = process.env.FORWARDGRAD_THREADS;
  process.env.FORWARDGRAD_THREADS = '4';
  try {
    jest.isolateModules(() => {
      const select = require('../../kernels/select') as typeof import('../../kernels/select');
      expect(() => select.getBackend()).toThrow(/FORWARDGRAD_THREADS="4" is not valid; valid values: 1, 2/);
    });
  } finally {
    if (saved === undefined) delete process.env.FORWARDGRAD_THREADS;
    else process.env.FORWARDGRAD_THREADS = saved;
  }
});
