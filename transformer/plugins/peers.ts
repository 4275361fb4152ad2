// Peer dependencies of the plugin entry points: a missing one is an error with the exact install line,
// not Node's "Cannot find module".
const INSTALL: Readonly<Record<string, string>> = {
  typescript: 'npm i -D typescript',
  'ts-jest': 'npm i -D jest ts-jest',
  esbuild: 'npm i -D esbuild',
};

/** `require(name)` for the plugin `entry`, or an error naming the entry, the package and its install line. */
export function requirePeer<T>(name: string, entry: string, subpath = ''): T {
  try {
    return require(name + subpath) as T;
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException)?.code === 'MODULE_NOT_FOUND' && String((e as Error).message).includes(`'${name}`);
    if (!missing) throw e;
    throw new Error(`${entry} needs ${name}, which is not installed here; install it: ${INSTALL[name] ?? `npm i -D ${name}`}`);
  }
}
