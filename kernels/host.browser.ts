// What the kernels need from the host, the browser's version (see kernels/host.ts, whose exports
// this file mirrors; package.json's `browser` field swaps it in). Workers come from a Blob URL and
// receive their data by postMessage; they need SharedArrayBuffer, i.e. a cross-origin-isolated
// page (COOP/COEP headers), or startEvalWorker throws and the caller stays on one thread.

export const HOST = 'browser' as const;

interface BrowserGlobals {
  navigator?: { hardwareConcurrency?: number };
  crossOriginIsolated?: boolean;
  SharedArrayBuffer?: unknown;
  Worker?: new (url: string) => {
    postMessage(m: unknown): void;
    terminate(): void;
    onerror: ((e: unknown) => void) | null;
  };
  Blob: new (parts: string[], opts: { type: string }) => unknown;
  URL: { createObjectURL(b: unknown): string; revokeObjectURL(u: string): void };
}
const g = globalThis as unknown as BrowserGlobals;

export function hardwareThreads(): number {
  return g.navigator?.hardwareConcurrency ?? 1;
}

export function envVar(_name: string): string | undefined {
  return undefined;
}

/** Browsers expose no engine flags: the wasm loader then validates what the engine has. */
export function setEngineFlag(_flag: string): boolean {
  return false;
}

export function base64Bytes(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export interface HostWorker {
  terminate(): Promise<number>;
  onError(f: (e: unknown) => void): void;
}

/**
 * Runs `source` in a Web Worker: it is wrapped so that `require('node:worker_threads')` inside it
 * returns `{ workerData }` once the data message arrives (a wasm Module and a shared Memory clone
 * across postMessage in a cross-origin-isolated page).
 */
export function startEvalWorker(source: string, workerData: unknown): HostWorker {
  if (!g.Worker) throw new Error('no Web Worker in this context');
  if (!g.crossOriginIsolated || typeof g.SharedArrayBuffer !== 'function') {
    throw new Error(
      'SharedArrayBuffer is unavailable: the page is not cross-origin isolated (serve it with ' +
        'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)',
    );
  }
  const wrapped = `self.onmessage = (e) => { self.onmessage = null; const __data = e.data;
const require = () => ({ workerData: __data });
${source}
};`;
  const url = g.URL.createObjectURL(new g.Blob([wrapped], { type: 'text/javascript' }));
  const w = new g.Worker(url);
  g.URL.revokeObjectURL(url);
  w.postMessage(workerData);
  let onError: ((e: unknown) => void) | undefined;
  w.onerror = (e) => onError?.(e);
  return {
    terminate: async () => {
      w.terminate();
      return 0;
    },
    onError: (f) => {
      onError = f;
    },
  };
}

/** Whether this thread may call Atomics.wait (a browser's main thread may not). */
const canBlock = (() => {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
})();

export function waitWhile(
  ctl: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
): 'ok' | 'not-equal' | 'timed-out' {
  if (canBlock) return Atomics.wait(ctl, index, value, timeoutMs);
  if (Atomics.load(ctl, index) !== value) return 'not-equal';
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    for (let i = 0; i < 256; i++) if (Atomics.load(ctl, index) !== value) return 'ok';
  }
  return 'timed-out';
}

/** Atomics whose `wait` is waitWhile: what code shared with the workers uses on this thread. */
export const threadAtomics: typeof Atomics = Object.create(Atomics, {
  wait: {
    value: (ctl: Int32Array, index: number, value: number, timeoutMs = Infinity) =>
      waitWhile(ctl, index, value, timeoutMs),
  },
});
