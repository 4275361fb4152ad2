// Node preload (`node -r ./test/support/register-transform.js <script.ts>`) for the child processes
// tests spawn: runs the TypeScript sources through our real transformer, as jest-transform.js does in
// jest. Files that need twins go through transformer/plugins/register.ts (one ts.Program per process,
// runtimeModule and exclusions taken from jest.config.js so both choose the same files); everything
// else through ts-node, transpile-only. Emitted files are cached on disk (keyed like jest's transform
// cache) so that only the first child of a test run builds the Program.
const os = require('os');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');

// The tsconfig's own module kind (node16): CommonJS here, with `import()` kept for ESM-only packages.
require('ts-node').register({ transpileOnly: true, project: path.join(ROOT, 'tsconfig.json') });

/** The options jest.config.js hands our jest transformer. */
function jestTransformOptions() {
  const entries = Object.values(require('../../jest.config.js').transform ?? {});
  const ours = entries.find((e) => Array.isArray(e) && /jest-transform\.js$/.test(e[0]));
  if (!ours) throw new Error('register-transform: jest.config.js no longer uses test/support/jest-transform.js');
  return ours[1];
}

const { runtimeModule, exclude = [] } = jestTransformOptions();
const { installTwinRequireHook } = require('../../transformer/plugins/register.ts');

installTwinRequireHook({
  rootDir: ROOT,
  runtimeModule,
  exclude: exclude.map((p) => p.replace('<rootDir>', ROOT)),
  cacheDir: path.join(os.tmpdir(), `forwardgrad-register-${process.getuid?.() ?? 'user'}`),
});
