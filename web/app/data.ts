// Loads the demo's MNIST asset (web/mnist-format.ts, built by `npm run web`): fetched gzipped,
// inflated with the browser's DecompressionStream, decoded and checked, returned as the runtime's
// Dataset (pixels scaled to [0, 1]) so Batches and evaluate take it as they take loadMnist()'s.
import type { Dataset } from '../../runtime/index';
import { decodeMnist, PIXELS, type Split } from '../mnist-format';

function toDataset(s: Split, name: string): Dataset {
  const images = new Float32Array(s.count * PIXELS);
  for (let i = 0; i < images.length; i++) images[i] = s.pixels[i] / 255;
  return { images, labels: Int32Array.from(s.labels), count: s.count, height: 28, width: 28, name };
}

export async function loadDigits(
  url = 'mnist.bin.gz',
): Promise<{ train: Dataset; validation: Dataset; bytes: number }> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status} (build the page with npm run web)`);
  const inflated = res.body.pipeThrough(new DecompressionStream('gzip'));
  const bytes = new Uint8Array(await new Response(inflated).arrayBuffer());
  const { train, validation } = decodeMnist(bytes);
  return {
    train: toDataset(train, 'mnist-embedded/train'),
    validation: toDataset(validation, 'mnist-embedded/validation'),
    bytes: Number(res.headers.get('content-length') ?? 0),
  };
}
