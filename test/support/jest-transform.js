// This repository's tests run through our own jest transformer, from its TypeScript source:
// ts-node (transpile-only, in the jest worker's own Node context, not the tests' module registry)
// loads transformer/plugins/jest.ts, so annotated runtime models get their twins in tests.
const path = require('path');

require('ts-node').register({
  transpileOnly: true,
  project: path.join(__dirname, '..', '..', 'tsconfig.json'),
  compilerOptions: { module: 'commonjs', moduleResolution: 'node' },
});

module.exports = require('../../transformer/plugins/jest.ts');
