// What the kernels need from the host, Node's version: core count, environment variables, V8
// flags, base64 decoding, eval'd worker threads and blocking waits. kernels/host.browser.ts is
// the browser's version, selected by package.json's `browser` field (esbuild, webpack, vite), so a
// browser bundle never sees a `node:` import. Keep both files' exports identical.
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';

/** Which host this is (diagnostics and tests). */
export const HOST = 'node' as const;

/** Hardware threads of this machine. */
export function hardwareThreads(): number {
  return availableParallelism();
}

/** An environment variable, or undefined (the browser has none). */
export function envVar(name: string): string | undefined {
  return typeof process === 'object' ? process.env[name] : undefined;
}

/** Sets a V8 flag before compiling (Node only; returns whether it could). */
export function setEngineFlag(flag: string): boolean {
  setFlagsFromString(flag);
  return true;
}

/** Decodes base64 (the embedded wasm binaries). */
export function base64Bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** A started worker: what the helpers use of it. */
export interface HostWorker {
  terminate(): Promise<number>;
  /** Called once if the worker dies with an error. */
  onError(f: (e: unknown) => void): void;
}

/**
 * Starts `source` (plain JS that reads `require('node:worker_threads').workerData`) on a new
 * thread with `workerData` (a wasm Module and shared Memory among it). Never keeps Node alive.
 */
export function startEvalWorker(source: string, workerData: unknown): HostWorker {
  const w = new Worker(source, { eval: true, workerData });
  w.unref();
  return {
    terminate: () => w.terminate(),
    onError: (f) => {
      w.on('error', f);
    },
  };
}

/**
 * Atomics.wait where this thread may block, else a spin on Atomics.load (a browser's main thread
 * may not block; the helper it waits for runs in parallel, so the spin ends). Same result codes.
 */
export function waitWhile(
  ctl: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
): 'ok' | 'not-equal' | 'timed-out' {
  return Atomics.wait(ctl, index, value, timeoutMs);
}

/** Atomics for this thread's waits: Node threads may always block, so the real object. */
export const threadAtomics: typeof Atomics = Atomics;
