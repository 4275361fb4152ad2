// Tests run through our own jest transformer (forwardgrad/jest, from source via a small shim), so a
// test can import annotated runtime models and get their twins. Emitted code imports the runtime
// from runtime/index.ts (runtimeModule), never from a built package.
const path = require('path');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '<rootDir>/test/support/jest-transform.js',
      {
        runtimeModule: path.join(__dirname, 'runtime', 'index.ts'),
        // Build-time code and test helpers never hold twins: keep them on the fast path.
        exclude: ['<rootDir>/transformer', '<rootDir>/test/support'],
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testTimeout: 60000,
};
