// readIdx on files written here: every element type round-trips (big-endian), gzip is detected by
// content, and each structural defect fails with a message naming the file and the defect.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { readIdx } from '../../runtime/index';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-idx-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const TYPE_BYTES: Record<number, [string, number, (b: Buffer, v: number, at: number) => void]> = {
  0x08: ['uint8', 1, (b, v, at) => b.writeUInt8(v, at)],
  0x09: ['int8', 1, (b, v, at) => b.writeInt8(v, at)],
  0x0b: ['int16', 2, (b, v, at) => b.writeInt16BE(v, at)],
  0x0c: ['int32', 4, (b, v, at) => b.writeInt32BE(v, at)],
  0x0d: ['float32', 4, (b, v, at) => b.writeFloatBE(v, at)],
  0x0e: ['float64', 8, (b, v, at) => b.writeDoubleBE(v, at)],
};

/** An IDX file's bytes, written independently of the reader (Buffer's big-endian writers). */
function idxBytes(type: number, shape: number[], values: number[]): Buffer {
  const [, size, write] = TYPE_BYTES[type];
  const b = Buffer.alloc(4 + 4 * shape.length + size * values.length);
  b[2] = type;
  b[3] = shape.length;
  shape.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
  values.forEach((v, i) => write(b, v, 4 + 4 * shape.length + size * i));
  return b;
}

function file(name: string, bytes: Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, bytes);
  return p;
}

const VALUES: Record<number, number[]> = {
  0x08: [0, 1, 127, 128, 254, 255],
  0x09: [-128, -1, 0, 1, 100, 127],
  0x0b: [-32768, -2, 0, 3, 258, 32767],
  0x0c: [-2147483648, -70000, 0, 1, 65536, 2147483647],
  0x0d: [-1.5, 0, 0.25, 3.140625, 1e10, -2e-3],
  0x0e: [-1.5, 0, Math.PI, 1e300, -1e-300, 7],
};

describe('valid files', () => {
  test.each(Object.keys(TYPE_BYTES).map(Number))('element type 0x%s: raw and gzipped', (type) => {
    const [name] = TYPE_BYTES[type];
    const bytes = idxBytes(type, [2, 3], VALUES[type]);
    const expected = type === 0x0d ? Array.from(Float32Array.from(VALUES[type])) : VALUES[type];
    for (const p of [
      file(`v${type}`, bytes),
      file(`v${type}.gz`, zlib.gzipSync(bytes)),
      file(`v${type}-gz-no-suffix`, zlib.gzipSync(bytes)),
    ]) {
      const r = readIdx(p);
      expect(r.type).toBe(name);
      expect(r.shape).toEqual([2, 3]);
      expect(r.data.constructor.name.toLowerCase()).toBe(`${name}array`);
      expect(Array.from(r.data)).toEqual(expected);
    }
  });

  test('rank 3 with MNIST-like dims, and a zero-length dimension', () => {
    const values = Array.from({ length: 2 * 4 * 5 }, (_, i) => (i * 37) % 256);
    expect(readIdx(file('r3', idxBytes(0x08, [2, 4, 5], values))).shape).toEqual([2, 4, 5]);
    expect(readIdx(file('r3', idxBytes(0x08, [2, 4, 5], values))).data[39]).toBe(values[39]);
    const empty = readIdx(file('empty', idxBytes(0x08, [0, 28, 28], [])));
    expect(empty.shape).toEqual([0, 28, 28]);
    expect(empty.data.length).toBe(0);
  });
});

describe('bad files fail with the file name and the defect', () => {
  const good = (): Buffer => idxBytes(0x08, [3, 2], [1, 2, 3, 4, 5, 6]);
  const expectError = (bytes: Buffer, name: string, pattern: RegExp): void => {
    const p = file(name, bytes);
    let message = '';
    try {
      readIdx(p);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(p);
    expect(message).toMatch(pattern);
  };

  test('missing file', () => {
    expect(() => readIdx(path.join(dir, 'nope'))).toThrow(/readIdx: .*nope: cannot read the file \(ENOENT\)/);
  });
  test('truncated data, raw and gzipped', () => {
    expectError(good().subarray(0, 15), 'trunc', /truncated: header says uint8 \[3, 2\] = 18 bytes, the file has 15/);
    expectError(zlib.gzipSync(good().subarray(0, 17)), 'trunc.gz', /truncated: .* = 18 bytes, the file has 17/);
  });
  test('truncated header', () => {
    expectError(good().subarray(0, 3), 'trunc-magic', /truncated: 3 bytes, shorter than the 4-byte IDX magic/);
    expectError(
      good().subarray(0, 9),
      'trunc-header',
      /truncated: the header of a rank-2 file needs 12 bytes, the file has 9/,
    );
  });
  test('truncated gzip stream', () => {
    const gz = zlib.gzipSync(good());
    expectError(gz.subarray(0, gz.length - 6), 'cut.gz', /corrupt or truncated gzip data/);
  });
  test('trailing bytes', () => {
    expectError(
      Buffer.concat([good(), Buffer.from([0, 0])]),
      'trailing',
      /2 trailing bytes: header says uint8 \[3, 2\] = 18 bytes, the file has 20/,
    );
  });
  test('bad magic', () => {
    const b = good();
    b[0] = 0x12;
    expectError(b, 'magic', /not an IDX file: magic starts 0x12 0x00, expected 0x00 0x00/);
  });
  test('unknown element type', () => {
    const b = good();
    b[2] = 0x0a;
    expectError(b, 'type', /unknown element type 0x0a \(expected one of 0x08 uint8, .*0x0e float64\)/);
  });
  test('rank 0', () => {
    expectError(Buffer.from([0, 0, 8, 0, 7]), 'rank0', /rank 0: an IDX file needs at least one dimension/);
  });
  test('dimensions that do not match the length', () => {
    const b = good();
    b.writeUInt32BE(4, 4); // says [4, 2] = 8 values, holds 6
    expectError(b, 'dims', /truncated: header says uint8 \[4, 2\] = 20 bytes, the file has 18/);
    const huge = good();
    huge.writeUInt32BE(0xffffffff, 4);
    huge.writeUInt32BE(0xffffffff, 8);
    expectError(huge, 'huge', /truncated: header says uint8 \[4294967295, 4294967295\]/);
  });
});
