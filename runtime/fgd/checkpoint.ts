// Checkpoints: everything a descent needs to continue bit-identically (step, parameters, optimizer
// slots) and everything that decides its future (the loss function's identity, every trajectory
// option, every leaf's path, shape and dtype), as JSON with float buffers in base64 (exact, and ~3×
// smaller than decimals), a SHA-256 checksum over the whole payload, written atomically.
// A checkpoint is untrusted input: every field is validated before use, and a resume whose run
// differs from the one that wrote it is refused field by field (resume.allowChanged overrides).
import { createHash, fs } from '../node-io';
import { writeFileAtomic } from './atomic';
import type { Buf, Leaf, LeafKind } from '../leaves';
import type { OptimizerState } from './optimizers/optimizer';

export const CHECKPOINT_FORMAT = 'forwardgrad-checkpoint';
export const CHECKPOINT_VERSION = 2;

type Dtype = 'f32' | 'f64';
interface Encoded {
  dtype: Dtype;
  data: string;
}
const LEAF_KINDS: readonly LeafKind[] = ['number', 'array', 'f32', 'f64', 'tensor'];

/** A recorded option value (flat: `optimizer.beta1`, not nested). */
export type OptionValue = number | string | boolean | null;

/** What decides a run's future besides its state: compared field by field on resume. */
export interface RunIdentity {
  algorithm: string;
  /** The loss function: its name and a hash of its twin's source (an edit to f changes the twin). */
  function: { name: string; twin: string };
  /** Every trajectory option: lr (or 'schedule' and its source hash), decay, optimizer and its hyper-parameters, seed, K, … */
  options: Record<string, OptionValue>;
}

export interface LeafRecord {
  path: string;
  kind: LeafKind;
  dtype: Dtype;
  shape: number[] | null;
  size: number;
}

export interface Checkpoint extends RunIdentity {
  file: string;
  /** Steps completed: the state is the one after this step's update. */
  step: number;
  /** The loss evaluated at the last completed step (null when none or not finite). */
  loss: number | null;
  createdAt: string;
  leaves: LeafRecord[];
  params: Array<Float32Array | Float64Array>;
  optimizer: OptimizerState;
}

/** A short content hash (hex) for sources and schedules. */
export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

const dtypeOf = (b: Buf): Dtype => (b instanceof Float32Array ? 'f32' : 'f64');

function encode(b: Buf): Encoded {
  const typed = b instanceof Float32Array || b instanceof Float64Array ? b : Float64Array.from(b);
  return {
    dtype: dtypeOf(typed),
    data: Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength).toString('base64'),
  };
}

export function leafRecords(leaves: readonly Leaf[]): LeafRecord[] {
  return leaves.map((l) => ({
    path: l.path,
    kind: l.kind,
    dtype: dtypeOf(l.data()),
    shape: l.shape ? [...l.shape] : null,
    size: l.size,
  }));
}

export function saveCheckpoint(
  file: string,
  run: RunIdentity,
  state: { step: number; loss: number },
  leaves: readonly Leaf[],
  optimizer: OptimizerState,
): void {
  const payload = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    createdAt: new Date().toISOString(),
    algorithm: run.algorithm,
    function: run.function,
    options: run.options,
    step: state.step,
    loss: Number.isFinite(state.loss) ? state.loss : null,
    leaves: leafRecords(leaves),
    params: leaves.map((l) => encode(l.data())),
    optimizer: {
      name: optimizer.name,
      hyper: optimizer.hyper,
      slots: Object.fromEntries(Object.entries(optimizer.slots).map(([k, bufs]) => [k, bufs.map(encode)])),
    },
  };
  const text = JSON.stringify(payload);
  // The checksum covers the payload's exact JSON text; a reader re-serialises the parsed payload
  // (JSON numbers and strings round-trip exactly), so any edit or corruption is detected.
  writeFileAtomic(file, `${text.slice(0, -1)},"checksum":"${sha256(text)}"}`);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Reads and validates a checkpoint: every field's type and range, buffer lengths and dtypes, the checksum. */
export function loadCheckpoint(file: string): Checkpoint {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed JSON document, checked field by field below
  let doc: any;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`checkpoint ${file}: cannot read it (${(e as Error).message})`);
  }
  const fail = (field: string, what: string): never => {
    throw new Error(`checkpoint ${file}: field '${field}' ${what}`);
  };
  const got = (v: unknown) => (v === undefined ? 'it is missing' : `got ${JSON.stringify(v)}`);
  if (!isObject(doc) || doc.format !== CHECKPOINT_FORMAT)
    throw new Error(
      `checkpoint ${file}: not a forwardgrad checkpoint (format ${JSON.stringify(isObject(doc) ? doc.format : doc)})`,
    );
  if (doc.version !== CHECKPOINT_VERSION) {
    throw new Error(
      `checkpoint ${file}: version ${JSON.stringify(doc.version)} is not supported (this forwardgrad reads version ${CHECKPOINT_VERSION}; ` +
        'version 1 files lack the run identity and checksum, so they cannot be vouched for)',
    );
  }
  const { checksum, ...payload } = doc;
  if (typeof checksum !== 'string') fail('checksum', `must be a hex string, ${got(checksum)}`);
  if (sha256(JSON.stringify(payload)) !== checksum)
    throw new Error(`checkpoint ${file}: checksum mismatch: the file was modified or corrupted after it was written`);

  // Past the checksum the file is what forwardgrad wrote, but possibly by another version or by hand
  // (with a recomputed checksum): still check every field before use.
  if (typeof doc.algorithm !== 'string' || doc.algorithm === '')
    fail('algorithm', `must be a non-empty string, ${got(doc.algorithm)}`);
  if (typeof doc.step !== 'number' || !Number.isSafeInteger(doc.step) || doc.step < 0)
    fail('step', `must be an integer ≥ 0, ${got(doc.step)}`);
  if (doc.loss !== null && typeof doc.loss !== 'number') fail('loss', `must be a number or null, ${got(doc.loss)}`);
  if (typeof doc.createdAt !== 'string') fail('createdAt', `must be a string, ${got(doc.createdAt)}`);
  if (!isObject(doc.function) || typeof doc.function.name !== 'string' || typeof doc.function.twin !== 'string')
    fail('function', `must be { name, twin } strings, ${got(doc.function)}`);
  if (!isObject(doc.options)) fail('options', `must be an object, ${got(doc.options)}`);
  for (const [k, v] of Object.entries(doc.options)) {
    if (v !== null && !['number', 'string', 'boolean'].includes(typeof v))
      fail(`options.${k}`, `must be a number, string, boolean or null, ${got(v)}`);
  }
  if (!Array.isArray(doc.leaves)) fail('leaves', `must be an array, ${got(doc.leaves)}`);
  const leaves = doc.leaves as LeafRecord[];
  leaves.forEach((l, i) => {
    const f = `leaves[${i}]`;
    if (!isObject(l)) fail(f, `must be an object, ${got(l)}`);
    if (typeof l.path !== 'string') fail(`${f}.path`, `must be a string, ${got(l.path)}`);
    if (!LEAF_KINDS.includes(l.kind)) fail(`${f}.kind`, `must be one of ${LEAF_KINDS.join(', ')}, ${got(l.kind)}`);
    if (l.dtype !== 'f32' && l.dtype !== 'f64') fail(`${f}.dtype`, `must be 'f32' or 'f64', ${got(l.dtype)}`);
    if (!Number.isSafeInteger(l.size) || l.size < 0) fail(`${f}.size`, `must be an integer ≥ 0, ${got(l.size)}`);
    if (
      l.shape !== null &&
      (!Array.isArray(l.shape) ||
        l.shape.some((d) => !Number.isSafeInteger(d) || d < 0) ||
        l.shape.reduce((p, d) => p * d, 1) !== l.size)
    ) {
      fail(`${f}.shape`, `must be null or non-negative integers whose product is the size ${l.size}, ${got(l.shape)}`);
    }
  });
  const buffers = (field: string, list: unknown): Array<Float32Array | Float64Array> => {
    if (!Array.isArray(list) || list.length !== leaves.length)
      fail(
        field,
        `must be an array of ${leaves.length} buffers (one per leaf), ${Array.isArray(list) ? `got ${list.length}` : got(list)}`,
      );
    return (list as unknown[]).map((e, i) => decode(e, leaves[i], `${field}[${i}]`, fail));
  };
  const params = buffers('params', doc.params);
  // Non-finite parameters cannot continue a run (its first loss would be NaN): refuse them here, by name.
  params.forEach((b, j) => {
    const i = b.findIndex((v) => !Number.isFinite(v));
    if (i >= 0)
      fail(
        `params[${j}]`,
        `(leaf ${leaves[j].path}) holds ${b[i]} at element ${i}; a checkpoint must hold finite parameters`,
      );
  });
  const opt = doc.optimizer;
  if (!isObject(opt) || typeof opt.name !== 'string') fail('optimizer', `must be { name, hyper, slots }, ${got(opt)}`);
  if (!isObject(opt.hyper) || Object.values(opt.hyper).some((v) => typeof v !== 'number' && typeof v !== 'boolean'))
    fail('optimizer.hyper', `must map names to numbers or booleans, ${got(opt.hyper)}`);
  if (!isObject(opt.slots)) fail('optimizer.slots', `must be an object, ${got(opt.slots)}`);
  const slots = Object.fromEntries(
    Object.entries(opt.slots).map(([k, list]) => [k, buffers(`optimizer.slots.${k}`, list)]),
  );
  return {
    file,
    algorithm: doc.algorithm,
    function: doc.function,
    options: doc.options,
    step: doc.step,
    loss: doc.loss,
    createdAt: doc.createdAt,
    leaves,
    params,
    optimizer: { name: opt.name, hyper: opt.hyper, slots },
  };
}

function decode(
  e: unknown,
  leaf: LeafRecord,
  field: string,
  fail: (field: string, what: string) => never,
): Float32Array | Float64Array {
  if (!isObject(e) || typeof e.data !== 'string')
    return fail(field, `must be { dtype, data } with base64 data, got ${JSON.stringify(e)}`);
  if (e.dtype !== leaf.dtype)
    return fail(`${field}.dtype`, `is ${JSON.stringify(e.dtype)} but leaf ${leaf.path} is ${leaf.dtype}`);
  const bytes = Buffer.from(e.data, 'base64');
  const Ctor = leaf.dtype === 'f32' ? Float32Array : Float64Array;
  if (bytes.length !== leaf.size * Ctor.BYTES_PER_ELEMENT) {
    return fail(
      field,
      `holds ${bytes.length} bytes, but leaf ${leaf.path} needs ${leaf.size} ${leaf.dtype} values (${leaf.size * Ctor.BYTES_PER_ELEMENT} bytes)`,
    );
  }
  const out = new Ctor(leaf.size);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- lets the checks read fields of unknown type
function isObject(x: unknown): x is Record<string, any> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/** Fields a resume may be told to accept changed; the rest (algorithm, optimizer name, leaves) would load state that cannot fit. */
export function changeableFields(run: RunIdentity): string[] {
  return ['function', 'twin', ...Object.keys(run.options).filter((k) => k !== 'optimizer')];
}

/**
 * Throws unless the checkpoint was written by this run: same algorithm, function, options (except
 * those in `allowChanged`), leaves (path, kind, dtype, shape), and a step within `iterations`.
 * The message names the file and every mismatching field.
 */
export function checkResume(
  ck: Checkpoint,
  run: RunIdentity,
  leaves: readonly Leaf[],
  iterations: number,
  allowChanged: readonly string[],
  caller: string,
): void {
  const file = ck.file;
  const changeable = changeableFields(run);
  for (const f of allowChanged) {
    if (!changeable.includes(f))
      throw new Error(
        `${caller}: resume.allowChanged names '${f}', which is not a field that may change (one of: ${changeable.join(', ')})`,
      );
  }
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
  const diffs: string[] = [];
  const compare = (field: string, theirs: unknown, mine: unknown) => {
    if (theirs !== mine && !allowChanged.includes(field))
      diffs.push(`${field} (checkpoint ${show(theirs)}, this run ${show(mine)})`);
  };
  compare('algorithm', ck.algorithm, run.algorithm);
  compare('function', ck.function.name, run.function.name);
  compare('twin', ck.function.twin, run.function.twin);
  for (const k of new Set([...Object.keys(ck.options), ...Object.keys(run.options)]))
    compare(k, ck.options[k], run.options[k]);
  const mine = leafRecords(leaves);
  if (ck.leaves.length !== mine.length)
    diffs.push(`leaves (checkpoint ${ck.leaves.length} parameter leaves, this run ${mine.length})`);
  else {
    mine.forEach((l, i) => {
      const c = ck.leaves[i];
      for (const k of ['path', 'kind', 'dtype', 'size'] as const)
        if (c[k] !== l[k]) diffs.push(`leaves[${i}].${k} (checkpoint ${show(c[k])}, this run ${show(l[k])})`);
      if (JSON.stringify(c.shape) !== JSON.stringify(l.shape))
        diffs.push(`leaves[${i}].shape (checkpoint ${show(c.shape)}, this run ${show(l.shape)})`);
    });
  }
  if (diffs.length) {
    throw new Error(
      `${caller}: checkpoint ${file} was written by a different run; mismatching fields: ${diffs.join('; ')}. ` +
        'Resume with the same function, options and parameters, or name the options meant to change in resume: { path, allowChanged: [...] }',
    );
  }
  if (ck.step > iterations)
    throw new Error(
      `${caller}: checkpoint ${file}: field 'step' is ${ck.step}, beyond this run's iterations (${iterations})`,
    );
}
