// Write versions for `GemmArgs.bVersion`: a backend may reuse its packed copy of B while the same
// buffer comes back with the same version, so a version must change on EVERY write to the buffer.
//
// THE RULE.
// 1. Every version comes from ONE global counter (`writeVersion()`), never from per-tensor counts:
//    pooled buffers pass from tensor to tensor and op to op, and a count that restarts could
//    repeat a (buffer, version) pair over different contents.
// 2. A version is passed for a buffer only when every write to it between the calls is known:
//    - op-internal scratch (im2col columns, stacked copies): filled by the op, stamped right after
//      the fill, never exposed, released by the op;
//    - storages explicitly sealed with `sealForReuse(t)`: the sealer promises that every later
//      write to that storage (all its views: a parameter and tangents stacked after it) is
//      followed by `markWritten(t)` (e.g. a descent loop's in-place update) before the next op.
// 3. Nothing else is stamped: `toArray()` hands out live views, so writes through them are
//    invisible here; an unsealed tensor gets `undefined` (the backend never reuses).

import type { Storage } from './pool';

let counter = 0;

/** A version no earlier call has returned: stamp it on a buffer right after writing the buffer. */
export function writeVersion(): number {
  return ++counter;
}

const sealed = new WeakMap<Storage, number>();

/** Lets ops pass a reuse version for t's storage; the caller must then `markWritten` after every write (rule 2). */
export function sealForReuse(t: { readonly storage: Storage }): void {
  sealed.set(t.storage, writeVersion());
}

/** Records a write to a sealed storage (no-op when unsealed). */
export function markWritten(t: { readonly storage: Storage }): void {
  if (sealed.has(t.storage)) sealed.set(t.storage, writeVersion());
}

/** Ends the promise: ops pass no version for this storage any more. */
export function unseal(t: { readonly storage: Storage }): void {
  sealed.delete(t.storage);
}

/** The version to pass as `bVersion` for t, or undefined when t's storage is not sealed. */
export function reuseVersion(t: { readonly storage: Storage }): number | undefined {
  return sealed.get(t.storage);
}
