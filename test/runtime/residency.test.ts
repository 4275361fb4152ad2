// kernels/residency.ts, the host/device coherence rule, on a recording fake device: segments,
// downloads (and their order, so a partly overwritten segment is read back before it is dropped),
// deviceRange, discard, syncArgs into an update rule's state, the read-back counters; and the
// tensor layer's side of it (Storage.data syncs, kernelBuffer does not, on a device backend only).
import {
  Device,
  deviceRange,
  discard,
  isResident,
  residencyInfo,
  segmentsOf,
  setDeviceCopy,
  syncArgs,
  syncHost,
  syncHostAsync,
} from '../../kernels/residency';
import { getBackend, setBackend } from '../../kernels/select';
import { Tensor } from '../../runtime/tensor/tensor';
import { SIM_DEVICE, registerSimDevice } from '../support/sim-device';

/** A device whose handles are arrays of values; it logs every download and free. */
function fakeDevice(name = 'fake') {
  const log: string[] = [];
  const device: Device = {
    name,
    download(handle, from, host, offset, length) {
      log.push(`down ${offset}+${length}`);
      host.set((handle as number[]).slice(from, from + length), offset);
    },
    free(handle) {
      log.push(`free ${(handle as number[]).length}`);
    },
  };
  return { device, log };
}
const fill = (n: number, v: number) => new Array<number>(n).fill(v);
const delta = (from: ReturnType<typeof residencyInfo>) => {
  const now = residencyInfo();
  return { downloads: now.downloads - from.downloads, bytes: now.downloadedBytes - from.downloadedBytes };
};

describe('kernels/residency.ts', () => {
  test('a segment makes the buffer resident; syncHost downloads it (counted) and drops it', () => {
    const { device, log } = fakeDevice();
    const buf = new Float32Array(8);
    const before = residencyInfo();
    setDeviceCopy(buf, 2, 3, device, fill(3, 7));
    expect(isResident(buf)).toBe(true);
    expect(residencyInfo().segments).toBe(before.segments + 1);
    expect(segmentsOf(buf).map((s) => [s.offset, s.length])).toEqual([[2, 3]]);
    syncHost(buf);
    expect(Array.from(buf)).toEqual([0, 0, 7, 7, 7, 0, 0, 0]);
    expect(log).toEqual(['down 2+3', 'free 3']);
    expect(isResident(buf)).toBe(false);
    expect(residencyInfo().segments).toBe(before.segments);
    expect(delta(before)).toEqual({ downloads: 1, bytes: 12 });
    syncHost(buf); // nothing left: no second read-back
    expect(delta(before)).toEqual({ downloads: 1, bytes: 12 });
  });

  test('a write over a segment frees it unread; one it overlaps partly keeps the rest, unread', () => {
    const { device, log } = fakeDevice();
    const buf = new Float32Array(10);
    setDeviceCopy(buf, 0, 4, device, fill(4, 1)); // [0,4)
    setDeviceCopy(buf, 6, 2, device, fill(2, 2)); // [6,8)
    const before = residencyInfo();
    // [3,8) covers [6,8) (freed unread) and sticks into [0,4) (element 3 is overwritten, 0..2 stay on the device)
    setDeviceCopy(buf, 3, 5, device, fill(5, 3));
    expect(log).toEqual(['free 2']);
    expect(delta(before)).toEqual({ downloads: 0, bytes: 0 });
    expect(
      segmentsOf(buf)
        .map((s) => [s.offset, s.length])
        .sort((a, b) => a[0] - b[0]),
    ).toEqual([
      [0, 3],
      [3, 5],
    ]);
    syncHost(buf);
    expect(Array.from(buf)).toEqual([1, 1, 1, 3, 3, 3, 3, 3, 0, 0]);
    expect(log.filter((l) => l.startsWith('free')).sort()).toEqual(['free 2', 'free 4', 'free 5']); // the first copy freed with its last segment
  });

  test('a range outside the buffer is an error', () => {
    const { device } = fakeDevice();
    const buf = new Float32Array(4);
    expect(() => setDeviceCopy(buf, 2, 3, device, [])).toThrow(/outside the buffer's 4 elements/);
    expect(() => setDeviceCopy(buf, 0, 0, device, [])).toThrow(/outside/);
    expect(() => setDeviceCopy(buf, 0.5, 1, device, [])).toThrow(/outside/);
    expect(isResident(buf)).toBe(false);
  });

  test('deviceRange: inside one segment of the device → the segment; straddling → synced to the host', () => {
    const a = fakeDevice('a'),
      b = fakeDevice('b');
    const buf = new Float32Array(10);
    setDeviceCopy(buf, 0, 4, a.device, fill(4, 1));
    setDeviceCopy(buf, 4, 4, a.device, fill(4, 2));
    const inside = deviceRange(buf, 5, 3, a.device);
    expect(inside?.segment.offset).toBe(4);
    expect(inside?.base).toBe(1);
    expect(a.log).toEqual([]);
    // on the host entirely: nothing to do
    expect(deviceRange(buf, 8, 2, a.device)).toBeUndefined();
    expect(a.log).toEqual([]);
    // across two segments: the whole buffer comes back first
    expect(deviceRange(buf, 2, 4, a.device)).toBeUndefined();
    expect(a.log.filter((l) => l.startsWith('down')).sort()).toEqual(['down 0+4', 'down 4+4']);
    expect(isResident(buf)).toBe(false);
    expect(Array.from(buf)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 0, 0]);
    // a segment on another device is not this device's: synced to the host too
    setDeviceCopy(buf, 0, 4, b.device, fill(4, 5));
    expect(deviceRange(buf, 0, 4, a.device)).toBeUndefined();
    expect(b.log).toEqual(['down 0+4', 'free 4']);
    expect(buf[0]).toBe(5);
  });

  test('discard drops segments without reading them back', () => {
    const { device, log } = fakeDevice();
    const buf = new Float32Array(4);
    const before = residencyInfo();
    setDeviceCopy(buf, 0, 4, device, fill(4, 9));
    discard(buf);
    expect(log).toEqual(['free 4']);
    expect(Array.from(buf)).toEqual([0, 0, 0, 0]);
    expect(delta(before)).toEqual({ downloads: 0, bytes: 0 });
    expect(residencyInfo().segments).toBe(before.segments);
  });

  test('syncArgs syncs every Float32Array argument, one level into objects (an update rule’s state)', () => {
    const { device } = fakeDevice();
    const params = new Float32Array(2),
      m = new Float32Array(2),
      v = new Float32Array(2),
      labels = new Int32Array(2);
    for (const [b, x] of [
      [params, 1],
      [m, 2],
      [v, 3],
    ] as const)
      setDeviceCopy(b, 0, 2, device, fill(2, x));
    syncArgs({ params, n: 2, labels, rule: { name: 'adam', beta1: 0.9, m, v } });
    expect([...params, ...m, ...v]).toEqual([1, 1, 2, 2, 3, 3]);
    expect([params, m, v].some(isResident)).toBe(false);
  });

  test('syncHostAsync reads back through downloadAsync where the device has it', async () => {
    const { device, log } = fakeDevice();
    const asyncDevice: Device = {
      ...device,
      async downloadAsync(handle, from, host, offset, length) {
        log.push(`async ${offset}+${length}`);
        host.set((handle as number[]).slice(from, from + length), offset);
      },
    };
    const buf = new Float32Array(3);
    const before = residencyInfo();
    setDeviceCopy(buf, 0, 3, asyncDevice, [4, 5, 6]);
    await syncHostAsync(buf);
    expect(log).toEqual(['async 0+3', 'free 3']);
    expect(Array.from(buf)).toEqual([4, 5, 6]);
    expect(delta(before)).toEqual({ downloads: 1, bytes: 12 });
  });

  test('syncHostAsync never writes over what the host wrote while the read-back was on its way', async () => {
    const { device } = fakeDevice();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slowDevice: Device = {
      ...device,
      async downloadAsync(handle, from, host, offset, length) {
        await gate; // the GPU is still busy
        host.set((handle as number[]).slice(from, from + length), offset);
      },
    };
    const buf = new Float32Array(2);
    setDeviceCopy(buf, 0, 2, slowDevice, [4, 5]);
    const pending = syncHostAsync(buf);
    syncHost(buf); // a host reader meanwhile: synchronous read-back
    buf[0] = 99; // and a host write
    release();
    await pending;
    expect(Array.from(buf)).toEqual([99, 5]);
  });
});

describe('the tensor layer on a device backend', () => {
  registerSimDevice();
  const initial = getBackend().name;
  afterAll(() => {
    setBackend(initial);
  });

  test('kernelBuffer skips the sync on a device backend only; buffer, toArray, item and data() sync', async () => {
    const { device } = fakeDevice();
    const t = new Tensor(new Float32Array(3), [3]);
    const resident = () => setDeviceCopy(t.storage.data, 0, 3, device, [1, 2, 3]);
    setBackend(SIM_DEVICE);
    resident();
    expect(t.kernelBuffer[0]).toBe(0); // the stale host copy: kernels of a device backend find the device copy
    expect(isResident(t.storage.data)).toBe(false); // .data synced it
    expect(t.kernelBuffer[1]).toBe(2);
    setBackend('js');
    resident();
    expect(t.kernelBuffer[2]).toBe(3); // a host backend's kernels read the host copy: synced
    resident();
    expect(Array.from(t.toArray())).toEqual([1, 2, 3]);
    resident();
    expect(t.buffer[0]).toBe(1);
    resident();
    expect(Array.from(await t.data())).toEqual([1, 2, 3]);
    const s = new Tensor(new Float32Array(1), []);
    setDeviceCopy(s.storage.data, 0, 1, device, [8]);
    expect(s.item()).toBe(8);
  });
});
