// The IDX file format (LeCun's MNIST format, also Fashion-MNIST): a 4-byte magic — two zero bytes,
// an element-type byte, a rank byte — then `rank` big-endian uint32 dimensions, then the elements in
// row-major order, big-endian. Files may be gzipped (detected by the gzip magic 1f 8b, whatever the
// name). Every structural fact is checked against the file, and the file must end exactly where the
// header says: a truncated download and a file with trailing bytes are both errors naming the file.
import { fs, zlib } from '../node-io';

export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxFile {
  readonly type: IdxType;
  readonly shape: number[];
  readonly data: IdxData;
}

interface ElementType {
  readonly name: IdxType;
  readonly bytes: number;
  /** Reads n big-endian elements starting at byte `at` of view. */
  readonly read: (view: DataView, at: number, n: number) => IdxData;
}

const readWith =
  <A extends IdxData>(make: (n: number) => A, bytes: number, get: (v: DataView, at: number) => number) =>
  (view: DataView, at: number, n: number): A => {
    const out = make(n);
    for (let i = 0; i < n; i++) out[i] = get(view, at + i * bytes);
    return out;
  };

/** The element-type byte (third byte of the magic) → element type; the table the format defines. */
const TYPES: Readonly<Record<number, ElementType>> = {
  0x08: {
    name: 'uint8',
    bytes: 1,
    read: (v, at, n) => new Uint8Array(v.buffer.slice(v.byteOffset + at, v.byteOffset + at + n)),
  },
  0x09: {
    name: 'int8',
    bytes: 1,
    read: (v, at, n) => new Int8Array(v.buffer.slice(v.byteOffset + at, v.byteOffset + at + n)),
  },
  0x0b: {
    name: 'int16',
    bytes: 2,
    read: readWith(
      (n) => new Int16Array(n),
      2,
      (v, at) => v.getInt16(at, false),
    ),
  },
  0x0c: {
    name: 'int32',
    bytes: 4,
    read: readWith(
      (n) => new Int32Array(n),
      4,
      (v, at) => v.getInt32(at, false),
    ),
  },
  0x0d: {
    name: 'float32',
    bytes: 4,
    read: readWith(
      (n) => new Float32Array(n),
      4,
      (v, at) => v.getFloat32(at, false),
    ),
  },
  0x0e: {
    name: 'float64',
    bytes: 8,
    read: readWith(
      (n) => new Float64Array(n),
      8,
      (v, at) => v.getFloat64(at, false),
    ),
  },
};

const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

/** Reads and validates an IDX file (raw or gzipped). Throws an Error naming the file and the defect. */
export function readIdx(path: string): IdxFile {
  if (typeof path !== 'string' || path === '')
    throw new Error(`readIdx: path must be a non-empty string, got ${JSON.stringify(path)}`);
  const fail = (what: string): Error => new Error(`readIdx: ${path}: ${what}`);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path);
  } catch (e) {
    throw fail(`cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = zlib.gunzipSync(bytes);
    } catch (e) {
      throw fail(`corrupt or truncated gzip data (${(e as Error).message})`);
    }
  }
  if (bytes.length < 4) throw fail(`truncated: ${bytes.length} bytes, shorter than the 4-byte IDX magic`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw fail(`not an IDX file: magic starts ${hex(bytes[0])} ${hex(bytes[1])}, expected 0x00 0x00`);
  }
  const type = TYPES[bytes[2]];
  if (!type) {
    throw fail(
      `unknown element type ${hex(bytes[2])} (expected one of ${Object.entries(TYPES)
        .map(([k, t]) => `${hex(+k)} ${t.name}`)
        .join(', ')})`,
    );
  }
  const rank = bytes[3];
  if (rank < 1) throw fail('rank 0: an IDX file needs at least one dimension');
  const header = 4 + 4 * rank;
  if (bytes.length < header)
    throw fail(`truncated: the header of a rank-${rank} file needs ${header} bytes, the file has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < rank; d++) {
    shape.push(view.getUint32(4 + 4 * d, false));
    count *= shape[d];
  }
  const expected = header + count * type.bytes;
  // Beyond 2^53 the arithmetic is inexact, but such a header can never match a real file anyway.
  if (!Number.isSafeInteger(expected) || expected > bytes.length) {
    throw fail(
      `truncated: header says ${type.name} [${shape.join(', ')}] = ${expected} bytes, the file has ${bytes.length}`,
    );
  }
  if (expected < bytes.length) {
    throw fail(
      `${bytes.length - expected} trailing bytes: header says ${type.name} [${shape.join(', ')}] = ${expected} bytes, the file has ${bytes.length}`,
    );
  }
  return { type: type.name, shape, data: type.read(view, header, count) };
}
