// A plugin entry point whose peer dependency is missing fails with the install line, not "Cannot find module".
import { requirePeer } from '../../transformer/plugins/peers';

test('a missing package: the entry, the package and the npm i line, on one line', () => {
  expect(() => requirePeer('forwardgrad-no-such-package', 'forwardgrad/esbuild'))
    .toThrow(/^forwardgrad\/esbuild needs forwardgrad-no-such-package, which is not installed here; install it: npm i -D forwardgrad-no-such-package$/);
});

test('forwardgrad/jest without ts-jest says to npm i ts-jest', () => {
  jest.isolateModules(() => {
    jest.doMock('ts-jest', () => {
      const e = new Error("Cannot find module 'ts-jest' from 'transformer/plugins/peers.ts'") as NodeJS.ErrnoException;
      e.code = 'MODULE_NOT_FOUND';
      throw e;
    });
    const { createTransformer } = require('../../transformer/plugins/jest') as typeof import('../../transformer/plugins/jest');
    let message = '';
    try { createTransformer(); } catch (e) { message = (e as Error).message; }
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/forwardgrad\/jest needs ts-jest.*npm i -D jest ts-jest/);
  });
});

test('an error inside an installed package is not mistaken for a missing one', () => {
  jest.isolateModules(() => {
    jest.doMock('ts-jest', () => { throw new Error('boom inside ts-jest'); });
    const { requirePeer: peer } = require('../../transformer/plugins/peers') as typeof import('../../transformer/plugins/peers');
    expect(() => peer('ts-jest', 'forwardgrad/jest')).toThrow('boom inside ts-jest');
  });
});
