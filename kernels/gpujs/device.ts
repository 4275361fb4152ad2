// gpujs-gpu's device memory: kernel outputs kept as gpu.js textures (pipeline mode) under the
// coherence rule of kernels/residency.ts. A resident kernel runs its flat source (flat.ts) with
// each operand either a texture segment (read in place, from its base) or a host slice (uploaded
// by gpu.js for that call), and its one output texture becomes a segment of the destination buffer.
// Read-back happens only when the host asks (Storage.data), or asynchronously (Tensor.data()).
import { deviceRange, setDeviceCopy, type Device } from '../residency';
import { flatSource } from './flat';
import type { KernelCache } from './runtime';

/** The part of a gpu.js WebGL texture used here. */
export interface GlTexture {
  readonly size: [number, number];
  readonly output: number[];
  readonly context: WebGl2Like;
  readonly texture: unknown;
  toArray(): ArrayLike<number>;
  framebuffer(): unknown;
  delete(): void;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type WebGl2Like = any;

/**
 * A segment's device memory: what kernels take as the operand (a texture whose first `length`
 * texels are the segment's elements), how it reads back and how it is freed.
 */
interface Handle {
  readonly arg: object;
  read(): ArrayLike<number>;
  free(): void;
  readAsync?(from: number, host: Float32Array, offset: number, length: number): Promise<void>;
}

/** A device that can also turn a pipeline kernel's output into a segment handle. */
export interface GpujsDevice extends Device {
  wrap(output: unknown): Handle;
  /** The backend is being destroyed: its textures go with it, so reading a segment is an error from now on. */
  retire(): void;
}

/** An operand as a resident kernel takes it: a texture (read from `base`) or a host slice. */
export interface Operand {
  readonly arg: object;
  readonly base: number;
  /** A host slice (uploaded by gpu.js for the call) rather than a segment. */
  readonly host: boolean;
}

const POLL_MS = 1;

/** Reads a texture's r channels (one float per texel: 'single' precision) without blocking: a pixel-pack buffer and a fence. */
async function readAsync(
  t: GlTexture,
  from: number,
  host: Float32Array,
  offset: number,
  length: number,
): Promise<void> {
  const gl = t.context;
  const [w, h] = t.size;
  const pbo = gl.createBuffer();
  const bytes = w * h * 16;
  gl.bindBuffer(gl.PIXEL_PACK_BUFFER, pbo);
  gl.bufferData(gl.PIXEL_PACK_BUFFER, bytes, gl.STREAM_READ);
  gl.bindFramebuffer(gl.FRAMEBUFFER, t.framebuffer());
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, t.texture, 0);
  gl.readPixels(0, 0, w, h, gl.RGBA, gl.FLOAT, 0);
  gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
  const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
  gl.flush();
  try {
    for (;;) {
      const status = gl.clientWaitSync(sync, 0, 0);
      if (status === gl.ALREADY_SIGNALED || status === gl.CONDITION_SATISFIED) break;
      if (status === gl.WAIT_FAILED) throw new Error('gpujs-gpu: waiting for an asynchronous read-back failed');
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const rgba = new Float32Array(w * h * 4);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, pbo);
    gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, rgba);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
    for (let i = 0; i < length; i++) host[offset + i] = rgba[4 * (from + i)];
  } finally {
    gl.deleteSync(sync);
    gl.deleteBuffer(pbo);
  }
}

function handleDevice(name: string, wrap: (output: unknown) => Handle): GpujsDevice {
  let alive = true;
  const check = (): void => {
    if (!alive)
      throw new Error(
        `${name}: the backend was destroyed while a tensor still lived on it, so its values are gone; ` +
          `read tensors back (toArray(), await data()) before destroying the backend`,
      );
  };
  const download = (handle: unknown, from: number, host: Float32Array, offset: number, length: number): void => {
    check();
    const values = (handle as Handle).read();
    for (let i = 0; i < length; i++) host[offset + i] = values[from + i];
  };
  return {
    name,
    wrap,
    download,
    downloadAsync(handle, from, host, offset, length) {
      check();
      const h = handle as Handle;
      if (h.readAsync) return h.readAsync(from, host, offset, length);
      download(handle, from, host, offset, length);
      return Promise.resolve();
    },
    free(handle) {
      if (alive) (handle as Handle).free();
    },
    retire() {
      alive = false;
    },
  };
}

/** gpujs-gpu's: segments are gpu.js textures (pipeline kernels' outputs). */
export function createGpuDevice(): GpujsDevice {
  return handleDevice('gpujs-gpu', (output) => {
    const t = output as GlTexture;
    return {
      arg: t,
      read: () => t.toArray(),
      free: () => t.delete(),
      readAsync: (from, host, offset, length) => readAsync(t, from, host, offset, length),
    };
  });
}

/**
 * The same rule with gpu.js's cpu mode, whose pipeline kernels return arrays: every resident code
 * path (flat sources, bases, update, fused outputs) runs in Node, where there is no GL
 * (test/kernels/gpujs-resident.test.ts). Not a product backend: a test double of the GPU's memory.
 */
export function createArrayDevice(): GpujsDevice {
  return handleDevice('gpujs-cpu-resident', (output) => {
    const a = output as Float32Array;
    return { arg: a, read: () => a, free: () => {} };
  });
}

/** buf[offset, offset + length) as an operand of a kernel on `device`: its segment when it has one, else a host slice. */
export function operand(
  cache: KernelCache,
  device: GpujsDevice,
  buf: Float32Array,
  offset: number,
  length: number,
  what: string,
): Operand {
  const on = deviceRange(buf, offset, length, device);
  if (on) return { arg: (on.segment.handle as Handle).arg, base: on.base, host: false };
  return { arg: cache.slice(buf, offset, length, what), base: 0, host: true };
}

/**
 * Runs `source` (written for output `dims`) flat, with `operands` in parameter order, and records
 * its output as the segment dst[dstOffset, dstOffset + X·Y·Z). Constants must not use `<name>_base`.
 * `scalars` follow the operands as number arguments (values that change every call: a learning rate).
 */
export function runResident(
  cache: KernelCache,
  device: GpujsDevice,
  name: string,
  source: string,
  dims: readonly number[],
  constants: Record<string, number>,
  operands: readonly [string, Operand][],
  dst: Float32Array,
  dstOffset: number,
  scalars: readonly [string, number][] = [],
): void {
  const length = dims.reduce((a, b) => a * b, 1);
  cache.check(dst, dstOffset, length, `${name} output`); // overwritten: no sync
  const bases: Record<string, number> = {};
  for (const [p, o] of operands) bases[`${p}_base`] = o.base;
  const kinds = operandKinds(operands.map(([, o]) => o));
  const flat = () =>
    flatSource(
      source,
      dims,
      operands.map(([p]) => p),
    );
  // A run may read the texture this kernel returned last time (the update reads the parameters it
  // wrote a step ago): gpu.js's immutable kernels then render elsewhere themselves (the Chromium
  // suite trains 60 steps so, in step with wasm).
  const kern = cache.get(`${name}@${kinds}`, flat, [length], { ...constants, ...bases }, { pipeline: true });
  const args = [...operands.map(([, o]) => o.arg), ...scalars.map(([, v]) => v)];
  keepOutput(device, cache.run(name, kern, args), dst, dstOffset, length);
}

/**
 * The cache key part of a kernel's operands. Texture and host operands compile to different
 * shaders, and gpu.js bakes a texture argument's size into the shader it compiles on the first
 * call (a later, larger texture would be indexed with the first one's size: measured, wrong
 * losses), so each texture size gets its own kernel.
 */
export function operandKinds(operands: readonly Operand[]): string {
  return operands
    .map((o) => {
      if (o.host) return 'h';
      const t = o.arg as { output?: number[]; length?: number };
      return `t${t.output?.join('x') ?? t.length}`;
    })
    .join('.');
}

/** Records a pipeline kernel's output texture as the segment dst[dstOffset, dstOffset + length). */
function keepOutput(device: GpujsDevice, output: unknown, dst: Float32Array, dstOffset: number, length: number): void {
  setDeviceCopy(dst, dstOffset, length, device, device.wrap(output));
}

/** out[i] = P[i]: an upload, or a device-side copy (the update's snapshot). */
export const COPY = `function (P) {
  return P[this.thread.x];
}`;

/** Makes buf[offset, offset + length)'s current host elements a device segment (one copy kernel). */
export function upload(
  cache: KernelCache,
  device: GpujsDevice,
  buf: Float32Array,
  offset: number,
  length: number,
): void {
  const host: Operand = { arg: cache.slice(buf, offset, length, 'upload'), base: 0, host: true };
  runResident(cache, device, 'upload', COPY, [length], {}, [['P', host]], buf, offset);
}
