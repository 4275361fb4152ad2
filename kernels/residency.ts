// Where a buffer's current elements are: the coherence rule between host memory and a device
// backend's memory (gpujs-gpu's textures), for device-resident training.
//
// THE RULE. A tensor buffer (the Float32Array a Storage owns) may have device segments: ranges
// [offset, offset + length) whose current elements live only on a device (a kernel wrote them
// there); the host elements of those ranges are stale. Segments of one buffer never overlap.
//   - A device kernel that reads a range covered by one segment reads the device copy
//     (`deviceRange`); a range that straddles segments or host memory is first synced to the host.
//   - A device kernel that writes a range records its output as a new segment (`setDeviceCopy`);
//     overlapped segments are dropped (a partly overlapped one is downloaded first, so the part the
//     write does not cover is not lost).
//   - Anything else that reads or writes a buffer syncs it first (`syncHost`: every segment is
//     downloaded into the host array and dropped). The tensor layer does this on every host access
//     (Storage.data: Tensor.buffer, toArray, item), and kernels/select.ts does it for every kernel
//     a device backend runs on host memory (the js kernels it fills in), so a host reader never sees
//     stale elements and a host write is never shadowed by an old device copy.
//   - A buffer that goes back to the pool drops its segments without downloading (`discard`): its
//     contents are garbage by then.
// Segments belong to the Float32Array object, not to its memory: a view (subarray) of a buffer is
// another array with no segments. So a device kernel's arguments are whole tensor buffers (with
// offsets), never views of them, and host code syncs the buffer before taking a view.
// Only code that hands a buffer straight to a device backend's kernel may skip the sync
// (Tensor.kernelBuffer). With no device backend in use the registry is empty and every check is one
// integer compare.

/** A device backend's side of the rule: how its copies come back and go away. */
export interface Device {
  readonly name: string;
  /** Writes a segment's `length` elements into host[offset, offset + length). */
  download(handle: unknown, host: Float32Array, offset: number, length: number): void;
  /** Frees a segment's device memory (the segment is being dropped). */
  free(handle: unknown): void;
  /**
   * Optional: the same as download, finished asynchronously (WebGL2: a pixel-pack buffer and a
   * fence, so the page keeps running while the GPU drains). Tensor.data() uses it.
   */
  downloadAsync?(handle: unknown, host: Float32Array, offset: number, length: number): Promise<void>;
}

export interface Segment {
  readonly offset: number;
  readonly length: number;
  readonly handle: unknown;
  readonly device: Device;
}

const registry = new WeakMap<Float32Array, Segment[]>();
/** Buffers with at least one segment: 0 means nothing is on a device (the fast path). */
let residentBuffers = 0;
const counters = { downloads: 0, downloadedBytes: 0 };

/** The buffer's segments (empty when its host copy is current everywhere). */
export function segmentsOf(buf: Float32Array): readonly Segment[] {
  return residentBuffers === 0 ? [] : (registry.get(buf) ?? []);
}

/** Whether any range of buf lives only on a device. */
export function isResident(buf: Float32Array): boolean {
  return residentBuffers > 0 && registry.has(buf);
}

function drop(buf: Float32Array, list: Segment[], i: number, download: boolean): void {
  const s = list[i];
  if (download) {
    s.device.download(s.handle, buf, s.offset, s.length);
    counters.downloads++;
    counters.downloadedBytes += 4 * s.length;
  }
  s.device.free(s.handle);
  list.splice(i, 1);
  if (list.length === 0) {
    registry.delete(buf);
    residentBuffers--;
  }
}

/** Brings every device segment of buf back into its host array and drops them: the host copy is then current. */
export function syncHost(buf: Float32Array): void {
  if (residentBuffers === 0) return;
  const list = registry.get(buf);
  if (!list) return;
  while (list.length > 0) drop(buf, list, list.length - 1, true);
}

/** syncHost for every Float32Array among a kernel's arguments (one level into nested objects: an update rule's state). */
export function syncArgs(args: object): void {
  if (residentBuffers === 0) return;
  for (const v of Object.values(args)) {
    if (v instanceof Float32Array) syncHost(v);
    else if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v))
      for (const w of Object.values(v)) if (w instanceof Float32Array) syncHost(w);
  }
}

/** Asynchronous syncHost: segments whose device reads back asynchronously do so without blocking. */
export async function syncHostAsync(buf: Float32Array): Promise<void> {
  if (residentBuffers === 0) return;
  const list = registry.get(buf);
  if (!list) return;
  for (const s of [...list]) {
    if (!s.device.downloadAsync) continue;
    await s.device.downloadAsync(s.handle, buf, s.offset, s.length);
    counters.downloads++;
    counters.downloadedBytes += 4 * s.length;
    // dropped without a second download (unless a kernel replaced it meanwhile)
    const now = registry.get(buf);
    const i = now ? now.indexOf(s) : -1;
    if (i >= 0) drop(buf, now!, i, false);
  }
  syncHost(buf); // whatever is left (devices without async read-back, segments added meanwhile)
}

/**
 * For a device kernel reading buf[offset, offset + length): the segment that holds the whole range
 * on `device` and the range's start inside it; undefined when the range is current on the host
 * (a range that straddles segments, or lies on another device, is synced to the host first).
 */
export function deviceRange(
  buf: Float32Array,
  offset: number,
  length: number,
  device: Device,
): { segment: Segment; base: number } | undefined {
  if (residentBuffers === 0) return undefined;
  const list = registry.get(buf);
  if (!list) return undefined;
  const end = offset + length;
  let overlaps = false;
  for (const s of list) {
    if (s.offset <= offset && end <= s.offset + s.length && s.device === device)
      return { segment: s, base: offset - s.offset };
    if (s.offset < end && offset < s.offset + s.length) overlaps = true;
  }
  if (overlaps) syncHost(buf);
  return undefined;
}

/**
 * Records that buf[offset, offset + length) now lives in `handle` on `device` (its host elements
 * are stale). Segments inside the range are freed; one that sticks out is downloaded first.
 */
export function setDeviceCopy(
  buf: Float32Array,
  offset: number,
  length: number,
  device: Device,
  handle: unknown,
): void {
  if (
    !Number.isInteger(offset) ||
    !Number.isInteger(length) ||
    offset < 0 ||
    length < 1 ||
    offset + length > buf.length
  )
    throw new Error(
      `setDeviceCopy: range [${offset}, ${offset + length}) is outside the buffer's ${buf.length} elements`,
    );
  let list = registry.get(buf);
  if (list) {
    const end = offset + length;
    for (let i = list.length - 1; i >= 0; i--) {
      const s = list[i];
      if (s.offset >= end || offset >= s.offset + s.length) continue;
      const inside = s.offset >= offset && s.offset + s.length <= end;
      drop(buf, list, i, !inside);
    }
    list = registry.get(buf);
  }
  if (!list) {
    registry.set(buf, (list = []));
    residentBuffers++;
  }
  list.push({ offset, length, handle, device });
}

/** Drops buf's segments without reading them back (the pool got it back: its contents no longer matter). */
export function discard(buf: Float32Array): void {
  if (residentBuffers === 0) return;
  const list = registry.get(buf);
  if (!list) return;
  while (list.length > 0) drop(buf, list, list.length - 1, false);
}

/** Read-backs so far (segments downloaded to the host, and their bytes): what tests and benchmarks count per step. */
export function residencyInfo(): { downloads: number; downloadedBytes: number; residentBuffers: number } {
  return { ...counters, residentBuffers };
}
