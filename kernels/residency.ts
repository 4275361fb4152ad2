// Where a buffer's current elements are: the coherence rule between host memory and a device
// backend's memory (gpujs-gpu's textures), for device-resident training.
//
// THE RULE. A tensor buffer (the Float32Array a Storage owns) may have device segments: ranges
// [offset, offset + length) whose current elements live only on a device (a kernel wrote them
// there); the host elements of those ranges are stale. Segments of one buffer never overlap.
//   - A device kernel that reads a range covered by one segment reads the device copy
//     (`deviceRange`); a range that straddles segments or host memory is first synced to the host.
//   - A device kernel that writes a range records its output as a new segment (`setDeviceCopy`);
//     segments inside the range are dropped, and one the write covers only partly keeps the rest
//     (the same device copy, from a later base): nothing is read back.
//   - Anything else that reads or writes a buffer syncs it first (`syncHost`: every segment over the
//     buffer's elements is downloaded into the host array and dropped). The tensor layer does this on every host access
//     (Storage.data: Tensor.buffer, toArray, item), and kernels/select.ts does it for every kernel
//     a device backend runs on host memory (the js kernels it fills in), so a host reader never sees
//     stale elements and a host write is never shadowed by an old device copy.
//   - A buffer that goes back to the pool drops its segments without downloading (`discard`): its
//     contents are garbage by then.
// Only code that hands a buffer straight to a device backend's kernel may skip the sync
// (Tensor.kernelBuffer). With no device backend in use the registry is empty and every check is one
// integer compare.
// Segments belong to the memory, not to an array object: they are kept per ArrayBuffer, at element
// positions from its start, so every view of a buffer (a parameter leaf's subarray, a tensor's
// toArray()) sees the same segments — a kernel handed a view can neither miss a device copy nor
// leave one where the owner of the whole buffer would not find it.

/** A device backend's side of the rule: how its copies come back and go away. */
export interface Device {
  readonly name: string;
  /** Writes elements [from, from + length) of a device copy into host[offset, offset + length) (host: its whole ArrayBuffer). */
  download(handle: unknown, from: number, host: Float32Array, offset: number, length: number): void;
  /** Frees a device copy (no segment refers to it any more). */
  free(handle: unknown): void;
  /**
   * Optional: the same as download, finished asynchronously (WebGL2: a pixel-pack buffer and a
   * fence, so the page keeps running while the GPU drains). Tensor.data() uses it.
   */
  downloadAsync?(handle: unknown, from: number, host: Float32Array, offset: number, length: number): Promise<void>;
}

export interface Segment {
  /** Elements from the start of the ArrayBuffer. */
  readonly offset: number;
  readonly length: number;
  /** The device copy, and where the segment's first element is in it (a write over part of a segment leaves the rest in place). */
  readonly handle: unknown;
  readonly base: number;
  readonly device: Device;
}

const registry = new WeakMap<ArrayBufferLike, Segment[]>();
/** Segments per device copy: it is freed when the last one goes. */
const users = new WeakMap<object, number>();

function use(handle: unknown, by: number): void {
  const h = handle as object,
    n = (users.get(h) ?? 0) + by;
  if (n > 0) users.set(h, n);
  else users.delete(h);
}
/** Memories (ArrayBuffers) with at least one segment: 0 means nothing is on a device (the fast path). */
let residentMemories = 0;
let segmentCount = 0;
const counters = { downloads: 0, downloadedBytes: 0 };

/** buf's position in its ArrayBuffer, in elements. */
const startOf = (buf: Float32Array): number => buf.byteOffset >> 2;

/** The segments of buf's memory, at element positions from buf's own start (empty when the host copy is current). */
export function segmentsOf(buf: Float32Array): readonly Segment[] {
  const list = residentMemories === 0 ? undefined : registry.get(buf.buffer);
  const at = startOf(buf);
  return (list ?? []).filter((s) => overlaps(s, buf)).map((s) => ({ ...s, offset: s.offset - at }));
}

/** Whether any of buf's elements live only on a device. */
export function isResident(buf: Float32Array): boolean {
  return residentMemories > 0 && (registry.get(buf.buffer) ?? []).some((s) => overlaps(s, buf));
}

function drop(memory: ArrayBufferLike, list: Segment[], i: number, download: boolean): void {
  const s = list[i];
  if (download) {
    s.device.download(s.handle, s.base, new Float32Array(memory), s.offset, s.length);
    counters.downloads++;
    counters.downloadedBytes += 4 * s.length;
  }
  use(s.handle, -1);
  if (!users.has(s.handle as object)) s.device.free(s.handle);
  list.splice(i, 1);
  segmentCount--;
  if (list.length === 0) {
    registry.delete(memory);
    residentMemories--;
  }
}

/** Whether segment s overlaps buf's elements (other buffers can share buf's memory: the wasm heap's views). */
const overlaps = (s: Segment, buf: Float32Array): boolean =>
  s.offset < startOf(buf) + buf.length && startOf(buf) < s.offset + s.length;

/** Brings every device segment over buf's elements back into the host array and drops them: the host copy is then current. */
export function syncHost(buf: Float32Array): void {
  if (residentMemories === 0) return;
  const list = registry.get(buf.buffer);
  if (!list) return;
  for (let i = list.length - 1; i >= 0; i--) if (overlaps(list[i], buf)) drop(buf.buffer, list, i, true);
}

/** syncHost for every Float32Array among a kernel's arguments (one level into nested objects: an update rule's state). */
export function syncArgs(args: object): void {
  if (residentMemories === 0) return;
  for (const v of Object.values(args)) {
    if (v instanceof Float32Array) syncHost(v);
    else if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v))
      for (const w of Object.values(v)) if (w instanceof Float32Array) syncHost(w);
  }
}

/** Asynchronous syncHost: segments whose device reads back asynchronously do so without blocking. */
export async function syncHostAsync(buf: Float32Array): Promise<void> {
  if (residentMemories === 0) return;
  const memory = buf.buffer;
  const list = registry.get(memory);
  if (!list) return;
  for (const s of [...list]) {
    if (!s.device.downloadAsync || !overlaps(s, buf)) continue;
    // into scratch: while it arrives, host code may sync and write these elements, or a kernel may
    // replace the segment; only a segment still registered then is the current copy
    const values = new Float32Array(s.length);
    await s.device.downloadAsync(s.handle, s.base, values, 0, s.length);
    counters.downloads++;
    counters.downloadedBytes += 4 * s.length;
    const now = registry.get(memory);
    const i = now ? now.indexOf(s) : -1;
    if (i >= 0) {
      new Float32Array(memory).set(values, s.offset);
      drop(memory, now!, i, false);
    }
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
  if (residentMemories === 0) return undefined;
  const list = registry.get(buf.buffer);
  if (!list) return undefined;
  offset += startOf(buf);
  const end = offset + length;
  let overlaps = false;
  for (const s of list) {
    if (s.offset <= offset && end <= s.offset + s.length && s.device === device)
      return { segment: s, base: s.base + offset - s.offset };
    if (s.offset < end && offset < s.offset + s.length) overlaps = true;
  }
  if (overlaps) syncHost(buf);
  return undefined;
}

/**
 * Records that buf[offset, offset + length) now lives in `handle` on `device` (its host elements
 * are stale). Segments inside the range are dropped; one that sticks out keeps the part outside
 * (the same device copy, from a later base), so a partial write reads nothing back.
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
  const memory = buf.buffer;
  offset += startOf(buf);
  let list = registry.get(memory);
  if (list) {
    const end = offset + length;
    for (let i = list.length - 1; i >= 0; i--) {
      const s = list[i];
      const sEnd = s.offset + s.length;
      if (s.offset >= end || offset >= sEnd) continue;
      // the parts of s outside the write stay, as segments of the same copy
      if (s.offset < offset) {
        list.push({ ...s, length: offset - s.offset });
        segmentCount++;
        use(s.handle, 1);
      }
      if (sEnd > end) {
        list.push({ ...s, offset: end, length: sEnd - end, base: s.base + end - s.offset });
        segmentCount++;
        use(s.handle, 1);
      }
      drop(memory, list, i, false);
    }
    list = registry.get(memory);
  }
  if (!list) {
    registry.set(memory, (list = []));
    residentMemories++;
  }
  list.push({ offset, length, handle, base: 0, device });
  segmentCount++;
  use(handle, 1);
}

/** Drops buf's segments without reading them back (the pool got it back: its contents no longer matter). */
export function discard(buf: Float32Array): void {
  if (residentMemories === 0) return;
  const list = registry.get(buf.buffer);
  if (!list) return;
  const from = startOf(buf),
    to = from + buf.length;
  // only the segments inside buf: another pooled buffer could share the memory (a heap)
  for (let i = list.length - 1; i >= 0; i--) {
    const s = list[i];
    if (s.offset >= from && s.offset + s.length <= to) drop(buf.buffer, list, i, false);
    else if (s.offset < to && from < s.offset + s.length) drop(buf.buffer, list, i, true); // never happens for pooled buffers
  }
}

/** Read-backs so far (segments downloaded to the host, and their bytes), and the segments alive now: what tests and benchmarks count per step. */
export function residencyInfo(): { downloads: number; downloadedBytes: number; segments: number } {
  return { ...counters, segments: segmentCount };
}
