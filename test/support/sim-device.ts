// A simulated device backend for tests of the residency rule (kernels/residency.ts): the js
// reference kernels, run on host copies, after which every OUTPUT buffer lives "on the device"
// (a slice held as the segment's handle) and its host array is POISONED with NaN. So a host read
// that skips the sync sees NaN, and a host write that skips it is overwritten by the stale device
// copy when something syncs later: any missed sync changes results, which bit-identity against the
// js backend then shows.
//
// Device memory is what a real device backend would read in place, so a kernel's resident inputs
// are staged into their host arrays for the js kernel WITHOUT being read back (no download is
// counted: residencyInfo() then counts only what host code reads back, as on gpujs-gpu), and
// re-poisoned after it.
import type {
  CompleteBackend,
  FillDirectionArgs,
  GemmArgs,
  Im2colArgs,
  MaxPool2dArgs,
  MaxPool2dBackwardArgs,
  PermuteArgs,
  ReduceArgs,
  SoftmaxCrossEntropyArgs,
  TransposeArgs,
  UnaryArgs,
  BinaryArgs,
  LogSoftmaxArgs,
  UpdateArgs,
} from '../../kernels/backend';
import { jsBackend } from '../../kernels/js';
import { fillDirectionOnHost } from '../../kernels/js/direction';
import { Device, segmentsOf, setDeviceCopy, syncHost } from '../../kernels/residency';
import { registerBackend } from '../../kernels/select';

export const SIM_DEVICE = 'sim-device';

export const simDevice: Device = {
  name: SIM_DEVICE,
  download(handle, from, host, offset, length) {
    host.set((handle as Float32Array).subarray(from, from + length), offset);
  },
  free() {
    // the handle is garbage-collected
  },
};

/** The buffers each kernel writes (ONE table): these become resident after the kernel. */
const OUTPUTS: { readonly [K in keyof typeof jsBackend]?: (args: never) => (Float32Array | undefined)[] } = {
  gemm: (a: GemmArgs) => [a.c],
  im2col: (a: Im2colArgs) => [a.cols],
  col2im: (a: Im2colArgs) => [a.x],
  unary: (a: UnaryArgs) => [a.y, a.dy],
  binary: (a: BinaryArgs) => [a.y, a.dy],
  reduce: (a: ReduceArgs) => [a.y],
  transpose: (a: TransposeArgs) => [a.y],
  permute: (a: PermuteArgs) => [a.y],
  logSoftmax: (a: LogSoftmaxArgs) => [a.y, a.dy],
  softmaxCrossEntropy: (a: SoftmaxCrossEntropyArgs) => [a.dloss, a.probs],
  maxPool2d: (a: MaxPool2dArgs) => [a.y, a.dy],
  maxPool2dBackward: (a: MaxPool2dBackwardArgs) => [a.gx],
  update: (a: UpdateArgs) => [
    a.params,
    a.save,
    ...(a.rule.name === 'momentum' ? [a.rule.u] : a.rule.name === 'adam' ? [a.rule.m, a.rule.v] : []),
  ],
};

/** Every Float32Array among a kernel's arguments, one level into nested objects (an update rule's state). */
function arraysOf(args: object): Float32Array[] {
  const out: Float32Array[] = [];
  for (const v of Object.values(args)) {
    if (v instanceof Float32Array) out.push(v);
    else if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v))
      for (const w of Object.values(v)) if (w instanceof Float32Array) out.push(w);
  }
  return [...new Set(out)];
}

/** Copies a resident buffer's device segments into its host array (the device's view, nothing read back). */
function stage(buf: Float32Array): void {
  const segments = segmentsOf(buf);
  if (segments.some((s) => s.device !== simDevice)) return syncHost(buf); // another device's: read back
  for (const s of segments) buf.set((s.handle as Float32Array).subarray(s.base, s.base + s.length), s.offset);
}

function poison(buf: Float32Array): void {
  for (const s of segmentsOf(buf)) buf.fill(NaN, s.offset, s.offset + s.length);
}

/** Makes buf resident (whole; a view's segments belong to its memory, so views work too) and poisons its host copy. */
function makeResident(buf: Float32Array): void {
  setDeviceCopy(buf, 0, buf.length, simDevice, buf.slice());
  buf.fill(NaN);
}

function wrap<K extends keyof typeof OUTPUTS>(name: K): (args: object) => unknown {
  const kernel = jsBackend[name] as (args: object) => unknown,
    outputs = OUTPUTS[name] as (args: object) => (Float32Array | undefined)[];
  return (args) => {
    const all = arraysOf(args);
    all.forEach(stage);
    const r = kernel(args);
    const outs = new Set(outputs(args).filter((b): b is Float32Array => b !== undefined));
    for (const b of outs) makeResident(b);
    for (const b of all) if (!outs.has(b)) poison(b);
    return r;
  };
}

function fillDirection(a: FillDirectionArgs): void {
  stage(a.out); // the rest of the buffer stays what it was
  fillDirectionOnHost(a);
  makeResident(a.out);
}

/** The simulated backend: every js kernel wrapped, `device` and `fillDirection` set. */
export function createSimDevice(): CompleteBackend {
  const b: Record<string, unknown> = { name: SIM_DEVICE, device: simDevice, fillDirection };
  for (const key of Object.keys(OUTPUTS) as (keyof typeof OUTPUTS)[]) b[key] = wrap(key);
  return b as unknown as CompleteBackend;
}

/** Registers `sim-device` with kernels/select.ts (select it with setBackend(SIM_DEVICE)). */
export function registerSimDevice(): void {
  registerBackend({ name: SIM_DEVICE, load: createSimDevice });
}
