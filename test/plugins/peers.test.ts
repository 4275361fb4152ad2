// Each plugin entry point checks its peer dependencies first and fails with the exact install line,
// never with Node's `Cannot find module`. Missing packages are simulated (a resolver that refuses
// them), never uninstalled.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { checkPeers, ENTRY_PEERS, installLine, MissingPeerError, type Resolve } from '../../transformer/plugins/peers';
import { REPO } from './support/user-project';

/** require.resolve, except that `hidden` packages (and their files) are not installed. */
function resolveWithout(...hidden: string[]): Resolve {
  return (request) => {
    if (hidden.some((h) => request === h || request.startsWith(`${h}/`))) {
      throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
    }
    return require.resolve(request);
  };
}

describe('checkPeers', () => {
  test('everything installed: no error', () => {
    for (const entry of Object.keys(ENTRY_PEERS) as (keyof typeof ENTRY_PEERS)[])
      expect(() => checkPeers(entry)).not.toThrow();
  });

  test('jest entry without ts-jest: `npm i` and `ts-jest` on one line', () => {
    let error: unknown;
    try {
      checkPeers('forwardgrad/jest', resolveWithout('ts-jest'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MissingPeerError);
    const message = (error as Error).message;
    expect(message).toBe('forwardgrad/jest needs ts-jest, which is not installed: npm i -D ts-jest@29');
    expect(message.split('\n')).toHaveLength(1);
  });

  test('several missing: one install line for all of them', () => {
    expect(() => checkPeers('forwardgrad/esbuild', resolveWithout('esbuild', 'typescript'))).toThrow(
      'forwardgrad/esbuild needs esbuild and typescript, which are not installed: npm i -D esbuild typescript@5.9.3',
    );
  });

  test('a TypeScript without the JS compiler API (7.x) is refused with the version that works', () => {
    const load = (file: string) =>
      file.endsWith(path.join('typescript', 'package.json')) ? { version: '7.0.1' } : require(file);
    expect(() => checkPeers('forwardgrad/transformer', require.resolve, load)).toThrow(
      'forwardgrad/transformer needs typescript 5.x, found 7.0.1: npm i -D typescript@5.9.3',
    );
  });

  test('a resolver failure other than "not installed" is not disguised', () => {
    const broken: Resolve = () => {
      throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
    };
    expect(() => checkPeers('forwardgrad/jest', broken)).toThrow('EACCES');
  });

  test('installLine pins the tested versions', () => {
    expect(installLine(['typescript', 'ts-patch'])).toBe('npm i -D typescript@5.9.3 ts-patch@3.3.0');
    expect(installLine(['jest', 'ts-jest'])).toBe('npm i -D jest@30 ts-jest@29');
  });
});

// The real entry files, loaded in a fresh Node whose module resolution refuses one package.
describe('entry points, loaded with a peer missing', () => {
  const load = (entry: string, hidden: string) => {
    const script = `
      require(${JSON.stringify(require.resolve('ts-node'))}).register({ transpileOnly: true, project: ${JSON.stringify(path.join(REPO, 'tsconfig.json'))},
        compilerOptions: { module: 'commonjs', moduleResolution: 'node' } });
      const Module = require('module');
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (request === ${JSON.stringify(hidden)} || request.startsWith(${JSON.stringify(hidden + '/')})) {
          throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: 'MODULE_NOT_FOUND' });
        }
        return resolve.call(this, request, ...rest);
      };
      try { require(${JSON.stringify(path.join(REPO, entry))}); console.log('loaded'); }
      catch (e) { console.log(e.message); process.exitCode = 3; }`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, out: r.stdout.trim(), err: r.stderr };
  };

  test.each([
    [
      'transformer/plugins/jest.ts',
      'ts-jest',
      'forwardgrad/jest needs ts-jest, which is not installed: npm i -D ts-jest@29',
    ],
    [
      'transformer/plugins/esbuild.ts',
      'esbuild',
      'forwardgrad/esbuild needs esbuild, which is not installed: npm i -D esbuild',
    ],
    [
      'transformer/index.ts',
      'typescript',
      'forwardgrad/transformer needs typescript, which is not installed: npm i -D typescript@5.9.3',
    ],
    [
      'transformer/plugins/tsc.ts',
      'typescript',
      'forwardgrad/transformer needs typescript, which is not installed: npm i -D typescript@5.9.3',
    ],
  ])('%s without %s', (entry, hidden, message) => {
    const r = load(entry, hidden);
    expect(r.err).toBe('');
    expect(r.out).toBe(message);
    expect(r.status).toBe(3);
  });
});
