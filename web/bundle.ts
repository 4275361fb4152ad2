// Bundles a page entry the way a user's project would: esbuild, platform browser, ESM, our plugin,
// nothing else (no stubs, externals or loaders: the package's `browser` field swaps its Node-only
// modules, and the wasm binaries are embedded). Inside this repository the twins import the runtime
// from source (runtimeModule = runtime/index.ts) instead of the built package.
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { forwardGradPlugin } from '../transformer/plugins/esbuild';

export const REPO = path.resolve(__dirname, '..');

export interface Bundle {
  js: Uint8Array;
  bytes: number;
  warnings: string[];
}

export async function bundlePage(entry: string, options: { minify?: boolean } = {}): Promise<Bundle> {
  const result = await esbuild.build({
    entryPoints: [path.resolve(REPO, entry)],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    outfile: 'page.js',
    minify: options.minify ?? false,
    logLevel: 'silent',
    plugins: [forwardGradPlugin({ runtimeModule: path.join(REPO, 'runtime', 'index.ts') })],
  });
  const js = result.outputFiles[0].contents;
  return { js, bytes: js.length, warnings: result.warnings.map((w) => w.text) };
}
