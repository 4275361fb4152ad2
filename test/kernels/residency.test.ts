// kernels/residency.ts, the host/device coherence rule, with a fake device whose copies are arrays.
import {
  deviceRange,
  discard,
  isResident,
  residencyInfo,
  setDeviceCopy,
  syncArgs,
  syncHost,
  type Device,
} from '../../kernels/residency';

const freed: Float32Array[] = [];
const device: Device = {
  name: 'fake',
  download: (h, from, host, offset, length) => host.set((h as Float32Array).subarray(from, from + length), offset),
  free: (h) => void freed.push(h as Float32Array),
};
/** Puts values on the device over buf[offset, …) and poisons the host copy. */
function put(buf: Float32Array, offset: number, values: number[]): Float32Array {
  const copy = Float32Array.from(values);
  setDeviceCopy(buf, offset, values.length, device, copy);
  buf.fill(NaN, offset, offset + values.length);
  return copy;
}

describe('residency', () => {
  beforeEach(() => (freed.length = 0));

  it('brings segments back on sync, and only then', () => {
    const buf = new Float32Array(6);
    put(buf, 1, [1, 2, 3]);
    expect(isResident(buf)).toBe(true);
    const before = residencyInfo().downloads;
    syncHost(buf);
    expect(Array.from(buf)).toEqual([0, 1, 2, 3, 0, 0]);
    expect(isResident(buf)).toBe(false);
    expect(residencyInfo().downloads).toBe(before + 1);
    expect(freed).toHaveLength(1);
  });

  it('a write over part of a segment keeps the rest on the device, reading nothing back', () => {
    const buf = new Float32Array(8);
    const first = put(buf, 0, [1, 2, 3, 4, 5, 6]);
    const before = residencyInfo().downloads;
    put(buf, 2, [30, 40]); // inside: splits the first into [0,2) and [4,6)
    expect(residencyInfo().downloads).toBe(before);
    expect(freed).toEqual([]); // the first copy still backs two segments
    expect(deviceRange(buf, 4, 2, device)).toMatchObject({ base: 4 });
    syncHost(buf);
    expect(Array.from(buf)).toEqual([1, 2, 30, 40, 5, 6, 0, 0]);
    expect(freed).toContain(first);
  });

  it('views of one buffer share its segments', () => {
    const buf = new Float32Array(10);
    put(buf, 4, [7, 8, 9]);
    const view = buf.subarray(3, 8);
    expect(isResident(view)).toBe(true);
    expect(deviceRange(view, 1, 3, device)).toMatchObject({ base: 0 });
    expect(isResident(buf.subarray(0, 3))).toBe(false); // another buffer's range in the same memory
    syncHost(view);
    expect(Array.from(view)).toEqual([0, 7, 8, 9, 0]);
  });

  it('a read that straddles a segment and host memory syncs first', () => {
    const buf = new Float32Array(6);
    put(buf, 2, [5, 6]);
    expect(deviceRange(buf, 1, 3, device)).toBeUndefined();
    expect(Array.from(buf)).toEqual([0, 0, 5, 6, 0, 0]);
  });

  it('discard drops without reading back; syncArgs reaches an update rule’s state', () => {
    const a = new Float32Array(3),
      u = new Float32Array(3);
    put(a, 0, [1, 2, 3]);
    const before = residencyInfo().downloads;
    discard(a);
    expect(residencyInfo().downloads).toBe(before);
    expect(isResident(a)).toBe(false);
    put(u, 0, [4, 5, 6]);
    syncArgs({ rule: { name: 'momentum', u } });
    expect(Array.from(u)).toEqual([4, 5, 6]);
  });

  it('refuses a range outside the buffer', () => {
    expect(() => setDeviceCopy(new Float32Array(2), 1, 2, device, new Float32Array(2))).toThrow(/outside/);
  });
});
