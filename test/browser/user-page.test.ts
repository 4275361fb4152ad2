// The browser build as a user gets it: forwardgrad installed from its `npm pack` tarball, a page
// written against `forwardgrad` and `forwardgrad/models`, bundled with exactly
// esbuild.build({ bundle: true, platform: 'browser', format: 'esm', plugins: [forwardGradPlugin()] })
// (no stubs, externals or loaders of the user's), then run in Chromium: setBackend, getBackend().name,
// jvp on tensors (checked against a hand-derived value), await t.data(), and the models' twins.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createUserProject, REPO, type UserProject } from '../plugins/support/user-project';
import { serve } from '../../web/server';
import { chromiumAvailable, CHROMIUM, launchChromium } from './chromium';

const run = chromiumAvailable() ? describe : describe.skip;
if (!chromiumAvailable()) console.log(`test/browser: skipped, no Chromium at ${CHROMIUM}`);

const PAGE = `import { jvp, tensor, setBackend, getBackend, matmul, relu, sum, type Tensor } from 'forwardgrad';
import { mlp, initMlp } from 'forwardgrad/models';

/** @forwardGrad */
function energy(x: Tensor): Tensor {
  return sum(relu(matmul(x, x)));
}

const out: Record<string, unknown> = {};
(globalThis as any).__user = out;
(async () => {
  for (const name of ['wasm', 'gpujs-gpu', 'js']) {
    try {
      await setBackend(name);
      const x = tensor([1, -2, 3, 4], [2, 2]);
      const [y, dy] = jvp(energy, [x], [tensor([1, 0, 0, 0], [2, 2])]);
      const params = initMlp(1, [4, 8, 8, 3]);
      const [l, dl] = jvp(mlp.loss, [params, tensor([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], [2, 4]), Int32Array.from([0, 2])],
        [params, undefined, undefined]);
      out[name] = { backend: getBackend().name, y: Array.from(await y.data()), dy: Array.from(await (dy as Tensor).data()), loss: l.item(), dloss: (dl as Tensor).item() };
    } catch (e) {
      out[name] = { error: (e as Error).message };
    }
  }
  out.done = true;
})();
`;

const BUILD = `import * as esbuild from 'esbuild';
import { forwardGradPlugin } from 'forwardgrad/esbuild';
await esbuild.build({ entryPoints: ['src/page.ts'], outfile: 'out/page.js', bundle: true, platform: 'browser', format: 'esm', plugins: [forwardGradPlugin()] });
`;

const TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'bundler',
    strict: true,
    skipLibCheck: true,
    lib: ['ES2022', 'DOM'],
  },
});

run("a user's page bundled with esbuild and forwardGradPlugin() only", () => {
  let project: UserProject;
  beforeAll(() => {
    project = createUserProject({
      'src/page.ts': PAGE,
      'build.mjs': BUILD,
      'tsconfig.json': TSCONFIG,
      'package.json': '{ "type": "module" }',
    });
    // gpu.js is an optional peer dependency: a user who wants gpujs-gpu installs it.
    fs.symlinkSync(path.join(REPO, 'node_modules', 'gpu.js'), path.join(project.dir, 'node_modules', 'gpu.js'), 'dir');
  }, 240_000);
  afterAll(() => project?.remove());

  it('builds, and runs on wasm, WebGL2 and js with the right derivatives', async () => {
    const built = project.node(['build.mjs']);
    expect(built.stderr).not.toMatch(/error/i);
    expect(built.status).toBe(0);
    const js = fs.readFileSync(path.join(project.dir, 'out', 'page.js'));
    const server = await serve({
      files: new Map<string, Uint8Array | string>([
        ['/index.html', '<!doctype html><script type="module" src="/page.js"></script>'],
        ['/page.js', js],
      ]),
    });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(server.url);
      await page.waitForFunction(
        () => (globalThis as unknown as { __user?: { done?: boolean } }).__user?.done === true,
        undefined,
        { timeout: 60_000 },
      );
      const out = await page.evaluate(
        () =>
          (
            globalThis as unknown as {
              __user: Record<
                string,
                { backend: string; y: number[]; dy: number[]; loss: number; dloss: number; error?: string }
              >;
            }
          ).__user,
      );
      expect(errors).toEqual([]);
      // x·x = [[-5, -10], [15, 10]] → relu sum 25; along e00: x·e + e·x = [[2, -2], [3, 0]], masked by
      // relu' (the first row is off): 3 + 0 = 3.
      for (const name of ['wasm', 'gpujs-gpu', 'js']) {
        expect(out[name].error).toBeUndefined();
        expect(out[name]).toMatchObject({ backend: name, y: [25], dy: [3] });
      }
      // The same MLP loss and directional derivative on every backend (float32 kernels: 1e-5 relative).
      for (const name of ['wasm', 'gpujs-gpu']) {
        expect(Math.abs(out[name].loss - out.js.loss)).toBeLessThanOrEqual(1e-5 * Math.abs(out.js.loss));
        expect(Math.abs(out[name].dloss - out.js.dloss)).toBeLessThanOrEqual(1e-5 * Math.abs(out.js.dloss) + 1e-6);
      }
      expect(Number.isFinite(out.js.dloss) && out.js.dloss !== 0).toBe(true);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 120_000);
});
