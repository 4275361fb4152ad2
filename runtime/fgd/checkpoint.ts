// Checkpoints: everything a descent needs to continue bit-identically (step, seed, parameters,
// optimizer slots), as JSON with float buffers in base64 (exact, and ~3× smaller than decimals),
// written atomically.
import * as fs from 'node:fs';
import { writeFileAtomic } from './atomic';
import type { Buf, Leaf, LeafKind } from './leaves';
import type { OptimizerState } from './optimizers/optimizer';

export const CHECKPOINT_FORMAT = 'forwardgrad-checkpoint';

interface Encoded { dtype: 'f32' | 'f64'; data: string }

export interface CheckpointMeta {
  algorithm: string;
  step: number;
  seed: number | null;
  directions: number;
  distribution: string;
  loss: number;
}

export interface Checkpoint extends CheckpointMeta {
  leaves: Array<{ path: string; kind: LeafKind; size: number }>;
  params: Buf[];
  optimizer: OptimizerState;
}

function encode(b: Buf): Encoded {
  const typed = b instanceof Float32Array || b instanceof Float64Array ? b : Float64Array.from(b);
  return { dtype: typed instanceof Float32Array ? 'f32' : 'f64', data: Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength).toString('base64') };
}

function decode(e: Encoded, where: string): Float32Array | Float64Array {
  const bytes = Buffer.from(e.data, 'base64');
  const Ctor = e.dtype === 'f32' ? Float32Array : e.dtype === 'f64' ? Float64Array : undefined;
  if (!Ctor || bytes.length % Ctor.BYTES_PER_ELEMENT !== 0) throw new Error(`checkpoint: ${where} is not a valid ${e.dtype} buffer`);
  const out = new Ctor(bytes.length / Ctor.BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export function saveCheckpoint(file: string, meta: CheckpointMeta, leaves: readonly Leaf[], optimizer: OptimizerState): void {
  const doc = {
    format: CHECKPOINT_FORMAT, version: 1, ...meta,
    leaves: leaves.map((l) => ({ path: l.path, kind: l.kind, size: l.size })),
    params: leaves.map((l) => encode(l.data())),
    optimizer: { name: optimizer.name, hyper: optimizer.hyper, slots: Object.fromEntries(Object.entries(optimizer.slots).map(([k, bufs]) => [k, bufs.map(encode)])) },
  };
  writeFileAtomic(file, JSON.stringify(doc));
}

export function loadCheckpoint(file: string): Checkpoint {
  let doc: any;
  try { doc = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e) { throw new Error(`checkpoint ${file}: cannot read it (${(e as Error).message})`); }
  if (doc?.format !== CHECKPOINT_FORMAT || doc.version !== 1) throw new Error(`checkpoint ${file}: not a forwardgrad checkpoint (format ${doc?.format}, version ${doc?.version})`);
  return {
    ...doc,
    params: doc.params.map((e: Encoded, i: number) => decode(e, `params[${i}]`)),
    optimizer: { ...doc.optimizer, slots: Object.fromEntries(Object.entries(doc.optimizer.slots as Record<string, Encoded[]>).map(([k, bufs]) => [k, bufs.map((e, i) => decode(e, `optimizer.${k}[${i}]`))])) },
  };
}

/** Throws unless the checkpoint's parameters have the same structure as this run's. */
export function checkLeaves(file: string, ck: Checkpoint, leaves: readonly Leaf[]): void {
  const mine = leaves.map((l) => `${l.path}:${l.kind}(${l.size})`).join(', ');
  const theirs = ck.leaves.map((l) => `${l.path}:${l.kind}(${l.size})`).join(', ');
  if (mine !== theirs) throw new Error(`checkpoint ${file}: parameters do not match this run (checkpoint: ${theirs}; run: ${mine})`);
}
