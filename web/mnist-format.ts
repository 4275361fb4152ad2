// The demo's MNIST asset (`mnist.bin`, gzipped on the wire as mnist.bin.gz): the `mnist` package's
// 10,000 digits with loadMnist()'s fixed train/validation split, as bytes instead of 10,000 JSON
// arrays. Layout (little-endian): magic 'FGM1', u32 train count, u32 validation count, then for
// train and then validation: labels (u8 each), then pixels (u8 0–255, 784 per digit, row-major).
// Pure functions with no imports: web/build.ts encodes in Node, web/app/data.ts decodes in the page.

export const MAGIC = 0x314d4746; // 'FGM1' read as a little-endian u32
export const PIXELS = 784;

export interface Split {
  labels: Uint8Array;
  pixels: Uint8Array;
  count: number;
}

export function encodeMnist(train: Split, validation: Split): Uint8Array {
  const size = 12 + (train.count + validation.count) * (1 + PIXELS);
  const out = new Uint8Array(size),
    view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, train.count, true);
  view.setUint32(8, validation.count, true);
  let o = 12;
  for (const s of [train, validation]) {
    out.set(s.labels, o);
    o += s.count;
    out.set(s.pixels, o);
    o += s.count * PIXELS;
  }
  return out;
}

/** Decodes and checks an asset; throws naming what is wrong. */
export function decodeMnist(bytes: Uint8Array): { train: Split; validation: Split } {
  const fail = (what: string) => new Error(`mnist.bin: ${what}`);
  if (bytes.length < 12) throw fail(`${bytes.length} bytes is shorter than the 12-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw fail('bad magic (not a forwardgrad MNIST asset)');
  const nt = view.getUint32(4, true),
    nv = view.getUint32(8, true);
  const want = 12 + (nt + nv) * (1 + PIXELS);
  if (bytes.length !== want) throw fail(`${bytes.length} bytes, expected ${want} for ${nt} + ${nv} digits`);
  let o = 12;
  const split = (count: number): Split => {
    const labels = bytes.subarray(o, o + count);
    o += count;
    const pixels = bytes.subarray(o, o + count * PIXELS);
    o += count * PIXELS;
    const bad = labels.findIndex((l) => l > 9);
    if (bad >= 0) throw fail(`label ${labels[bad]} at index ${bad} is outside 0–9`);
    return { labels, pixels, count };
  };
  return { train: split(nt), validation: split(nv) };
}
