// Options and environment of the wasm backend: thread count, memory size, errors for bad values.
import { createBackend, createWasmBackend } from '../../kernels/wasm/index';

describe('wasm backend options', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('FORWARDGRAD_THREADS selects one or two threads', async () => {
    process.env.FORWARDGRAD_THREADS = '1';
    const one = createBackend();
    expect(one.threads).toBe(1);
    expect(one.waitForThreads(10)).toBe(false); // no helper to wait for
    await one.dispose();
    process.env.FORWARDGRAD_THREADS = '2';
    const two = createBackend();
    expect(two.threads).toBe(2);
    await two.dispose();
  });

  it('rejects bad thread counts and memory sizes with a clear error', () => {
    process.env.FORWARDGRAD_THREADS = 'two';
    expect(() => createBackend()).toThrow("FORWARDGRAD_THREADS must be a positive integer, got 'two'");
    expect(() => createWasmBackend({ threads: 3 })).toThrow('wasm backend: threads must be 1 or 2, got 3');
    // a misspelt option is refused by name, not ignored
    expect(() => createWasmBackend({ threads: 1, heapshare: 0.5 } as never)).toThrow(
      "wasm backend: unknown option 'heapshare' (options: threads, memoryMB, heapShare,",
    );
    expect(() => createWasmBackend({ threads: 1, memoryMB: 5000 })).toThrow(
      'wasm backend: memory must be between 1 and 4096 MB, got 5000',
    );
    process.env.FORWARDGRAD_THREADS = '1';
    process.env.FORWARDGRAD_WASM_MEMORY_MB = '0';
    expect(() => createBackend()).toThrow("FORWARDGRAD_WASM_MEMORY_MB must be a positive integer, got '0'");
  });
});
