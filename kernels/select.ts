// Backend registry and selection. Backends are listed with lazy loaders so a backend's code (and
// its dependencies: gpu.js, the wasm binary) is only required when that backend is selected.
// Selection: setBackend(name) > FORWARDGRAD_BACKEND env > DEFAULT_ORDER (fastest measured first),
// falling back along that order when a backend fails to load.
import type { CompleteBackend, KernelBackend } from './backend';
import { jsBackend } from './js';
import { syncArgs } from './residency';

export interface BackendEntry {
  readonly name: string;
  /** Synchronous; throws when the backend cannot run here. */
  readonly load: () => KernelBackend;
}

// Each backend directory exports `createBackend(mode?)` (see ARCHITECTURE.md).
const BUILT_IN: readonly BackendEntry[] = [
  { name: 'js', load: () => jsBackend },
  { name: 'wasm', load: () => require('./wasm/index').createBackend() },
  { name: 'gpujs-webasm', load: () => require('./gpujs/index').createBackend('webasm') },
  { name: 'gpujs-cpu', load: () => require('./gpujs/index').createBackend('cpu') },
  { name: 'gpujs-gpu', load: () => require('./gpujs/index').createBackend('gpu') },
];

/** The default when nothing is chosen: fastest measured in Node first. */
const DEFAULT_ORDER = ['wasm', 'js'];

const entries = new Map<string, BackendEntry>(BUILT_IN.map((e) => [e.name, e]));
const loaded = new Map<string, CompleteBackend>();
const failures = new Map<string, Error>();
let current: CompleteBackend | undefined;

/** Adds (or replaces) a backend; `load` runs the first time it is selected. */
export function registerBackend(entry: BackendEntry): void {
  entries.set(entry.name, entry);
  loaded.delete(entry.name);
  failures.delete(entry.name);
}

/** Names of all registered backends (loadable or not). */
export function registeredBackends(): string[] {
  return [...entries.keys()];
}

/** Names of the registered backends that load here (loads each once; failures are remembered). */
export function listBackends(): string[] {
  return registeredBackends().filter((name) => tryLoad(name) !== undefined);
}

/**
 * Fills kernels a backend lacks with the js reference's, keeping its name and EVERY other member:
 * optional fast paths outside KernelBackend (`conv2dNchw`, see hasConv2dNchw), `threads`,
 * `variant`, `dispose`, ... Members are found on the object and its prototype chain (class-based
 * backends); methods are bound to the backend and getters stay live.
 */
function complete(b: KernelBackend): CompleteBackend {
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (let o: object | null = b; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      if (key === 'constructor' || seen.has(key)) continue;
      seen.add(key);
      const desc = Object.getOwnPropertyDescriptor(o, key)!;
      if (desc.get)
        Object.defineProperty(out, key, {
          get: () => (b as unknown as Record<string, unknown>)[key],
          enumerable: true,
        });
      else out[key] = typeof desc.value === 'function' ? desc.value.bind(b) : desc.value;
    }
  }
  for (const key of Object.keys(jsBackend) as (keyof CompleteBackend)[]) {
    if (key === 'name' || typeof b[key] === 'function') continue;
    const js = jsBackend[key] as (args: object) => unknown;
    // A device backend hands kernels buffers whose current elements may be on the device
    // (kernels/residency.ts): a js kernel runs on host memory, so it syncs them first.
    out[key] = b.device
      ? (args: object) => {
          syncArgs(args);
          return js(args);
        }
      : js;
  }
  return out as unknown as CompleteBackend;
}

function tryLoad(name: string): CompleteBackend | undefined {
  const hit = loaded.get(name);
  if (hit) return hit;
  if (failures.has(name)) return undefined;
  const entry = entries.get(name);
  if (!entry) return undefined;
  try {
    const b = complete(entry.load());
    loaded.set(name, b);
    return b;
  } catch (e) {
    failures.set(name, e instanceof Error ? e : new Error(String(e)));
    return undefined;
  }
}

/** Loads `name` or throws an error that says why and what exists. */
export function loadBackend(name: string): CompleteBackend {
  if (!entries.has(name)) {
    throw new Error(`backend '${name}' is not registered; registered backends: ${registeredBackends().join(', ')}`);
  }
  const b = tryLoad(name);
  if (!b) throw new Error(`backend '${name}' failed to load: ${failures.get(name)?.message}`);
  return b;
}

/** Selects the backend every tensor op uses from now on. */
export function setBackend(name: string): CompleteBackend {
  current = loadBackend(name);
  return current;
}

/** Environment variables that choose a backend or tune one, with the values each accepts. */
const ENV_VALUES: Readonly<Record<string, () => readonly string[]>> = {
  FORWARDGRAD_BACKEND: () => registeredBackends(),
  FORWARDGRAD_THREADS: () => ['1', '2'],
};

/**
 * Checks the environment before any backend is chosen: an invalid value is an error naming the variable and the
 * valid values, never a silent fall-back to the slow `js` backend (a wasm load that fails on a bad
 * FORWARDGRAD_THREADS would otherwise be skipped by the default order).
 */
export function checkEnvironment(
  env: Readonly<Record<string, string | undefined>> = typeof process === 'undefined' ? {} : process.env,
): void {
  for (const [name, values] of Object.entries(ENV_VALUES)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    const valid = values();
    if (!valid.includes(v.trim())) {
      throw new Error(
        `${name}=${JSON.stringify(v)} is not valid; valid values: ${valid.join(', ')} (or leave ${name} unset for the default)`,
      );
    }
  }
}

/** The backend selected so far, without choosing one (a scalar-only run never loads a backend). */
export function selectedBackend(): CompleteBackend | undefined {
  return current;
}

/** The selected backend (choosing the default on first use). `getBackend().name` reports it. */
export function getBackend(): CompleteBackend {
  if (current) return current;
  checkEnvironment();
  const env = typeof process === 'undefined' ? undefined : process.env.FORWARDGRAD_BACKEND?.trim();
  if (env) {
    // explicit choice: failing loudly beats a silent fallback
    try {
      return setBackend(env);
    } catch (e) {
      throw new Error(`FORWARDGRAD_BACKEND=${env}: ${(e as Error).message}`);
    }
  }
  for (const name of DEFAULT_ORDER) {
    const b = tryLoad(name);
    if (b) return (current = b);
  }
  return (current = loadBackend('js'));
}
