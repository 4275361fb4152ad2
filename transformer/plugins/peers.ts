// The packages forwardgrad's entry points need beside it (its peer dependencies), one table: each
// entry point checks its peers before loading them, so a missing one is reported with the exact
// install line instead of Node's `Cannot find module`; `forwardgrad init` prints the same lines.

export interface Peer {
  /** What `npm i -D` installs: the version this package is tested with. */
  readonly install: string;
  /** The versions that work (the peerDependencies range), checked on the installed package.json. */
  readonly accepts?: { readonly range: string; readonly test: (version: string) => boolean };
}

const major = (wanted: number) => (version: string) => Number(version.split('.')[0]) === wanted;

export const PEERS = {
  // 5.x only: TypeScript 7 (the native port) has no transformer or language-service API in JS.
  typescript: { install: 'typescript@5.9.3', accepts: { range: '5.x', test: major(5) } },
  'ts-patch': { install: 'ts-patch@3.3.0' },
  esbuild: { install: 'esbuild' },
  jest: { install: 'jest@30' },
  'ts-jest': { install: 'ts-jest@29' },
  // only `forwardgrad init --esbuild` needs it (an AST edit of the build script): optional, 15 MB
  'ts-morph': { install: 'ts-morph@27' },
} as const satisfies Record<string, Peer>;

export type PeerName = keyof typeof PEERS;

/** What each entry point loads at run time besides its own files. */
export const ENTRY_PEERS = {
  'forwardgrad/transformer': ['typescript'],
  'forwardgrad/esbuild': ['esbuild', 'typescript'],
  'forwardgrad/jest': ['ts-jest', 'typescript'],
  'forwardgrad/language-service': ['typescript'],
  'forwardgrad init --esbuild': ['ts-morph'],
} as const satisfies Record<string, readonly PeerName[]>;

export type EntryPoint = keyof typeof ENTRY_PEERS;

/**
 * What a user installs for each build path (the README's table and `forwardgrad init` print these).
 * TypeScript is listed for every path: npm 7+ installs it with forwardgrad (a required peer), but
 * pinning it keeps the tested version, and pnpm/yarn do not install peers.
 */
export const BUILD_PATHS = {
  tsc: { peers: ['typescript', 'ts-patch'], run: 'npx tspc' },
  esbuild: { peers: ['esbuild', 'typescript'], run: 'node <your build script>' },
  jest: { peers: ['jest', 'ts-jest', 'typescript'], run: 'npx jest' },
} as const satisfies Record<string, { peers: readonly PeerName[]; run: string }>;

export type BuildPath = keyof typeof BUILD_PATHS;

export function installLine(peers: readonly PeerName[]): string {
  return `npm i -D ${peers.map((p) => PEERS[p].install).join(' ')}`;
}

/** `require.resolve` semantics: a path, or a throw (code MODULE_NOT_FOUND) when not installed. */
export type Resolve = (request: string) => string;

/** Thrown instead of `Cannot find module`: one line, naming the entry point and the fix. */
export class MissingPeerError extends Error {
  constructor(
    readonly entry: string,
    readonly missing: readonly PeerName[],
    detail: string,
  ) {
    super(`${entry} ${detail}: ${installLine(missing)}`);
    this.name = 'MissingPeerError';
    // the fix is the whole story: tools that print `stack` (jest) show this one line
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** Throws MissingPeerError when a peer of `entry` is not installed or has a version that cannot work. */
export function checkPeers(
  entry: EntryPoint,
  resolve: Resolve = require.resolve,
  load: (file: string) => unknown = require,
): void {
  const peers: readonly PeerName[] = ENTRY_PEERS[entry];
  const missing = peers.filter((p) => !resolvable(p, resolve));
  if (missing.length)
    throw new MissingPeerError(
      entry,
      missing,
      `needs ${missing.join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed`,
    );
  for (const p of peers) {
    const accepts = (PEERS[p] as Peer).accepts;
    const version = accepts && installedVersion(p, resolve, load);
    if (accepts && version !== undefined && !accepts.test(version)) {
      throw new MissingPeerError(entry, [p], `needs ${p} ${accepts.range}, found ${version}`);
    }
  }
}

function resolvable(name: string, resolve: Resolve): boolean {
  try {
    resolve(name);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND') return false;
    throw e;
  }
}

/** The installed version, or undefined when the package does not expose its package.json. */
function installedVersion(name: string, resolve: Resolve, load: (file: string) => unknown): string | undefined {
  try {
    const version = (load(resolve(`${name}/package.json`)) as { version?: unknown }).version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}
