// Picks and compiles the kernel module: the relaxed-SIMD build (fused multiply-add) where this V8
// accepts it, else the plain-SIMD build. Node 20 hides relaxed SIMD behind
// --experimental-wasm-relaxed-simd; setting that flag at run time before compiling works there
// (checked with wasmApi.validate), so we try it unless FORWARDGRAD_RELAXED_SIMD=0.
import { base64Bytes, envVar, setEngineFlag } from '../host';
import { RELAXED_WASM, SIMD_WASM } from './build/binaries';
import { wasmApi, type WasmModule } from './webassembly';

export type WasmVariant = 'relaxed' | 'simd';

export interface KernelExports {
  packA(src: number, ld: number, trans: number, m: number, k: number, dst: number): void;
  packB(
    src: number,
    ld: number,
    trans: number,
    k: number,
    n: number,
    panel0: number,
    panel1: number,
    dst: number,
  ): void;
  kernel(
    pa: number,
    pb: number,
    pc: number,
    ldc: number,
    blocks: number,
    panel0: number,
    panel1: number,
    k: number,
    alpha: number,
    beta: number,
  ): void;
  /** `kernel` that packs a row-major op(B) (at src, ld floats per row) into pb as it multiplies (gemm.as). */
  kernelPackB(
    pa: number,
    pb: number,
    pc: number,
    ldc: number,
    blocks: number,
    panel0: number,
    panel1: number,
    k: number,
    alpha: number,
    beta: number,
    src: number,
    ld: number,
  ): void;
  convPackW(w: number, o: number, c: number, taps: number, dst: number): void;
  convIndex(params: number, ind: number): void;
  convPrep(params: number, x: number, xT: number): void;
  convKernel(params: number, ind: number, pw: number, xT: number, y: number, blk0: number, blk1: number): void;
  conv1Prep(params: number, x: number, xp: number): void;
  conv1Kernel(params: number, xp: number, wt: number, y: number, o0: number, o1: number): void;
  /** Items [i0, i1) of the elementwise/reduce/pool/update call described at byte `params` (assembly/ew.as). */
  ewRun(params: number, i0: number, i1: number): void;
}

const bytes = base64Bytes;

/** Whether the relaxed build validates, enabling V8's flag first if needed (and allowed). */
function relaxedAvailable(allowFlag: boolean): boolean {
  const relaxed = bytes(RELAXED_WASM);
  if (wasmApi.validate(relaxed)) return true;
  if (!allowFlag) return false;
  return setEngineFlag('--experimental-wasm-relaxed-simd') && wasmApi.validate(relaxed);
}

/** Compiles the best variant this engine runs (or the one asked for); throws without wasm SIMD. */
export function compileKernels(want?: WasmVariant): { module: WasmModule; variant: WasmVariant } {
  const allowFlag = envVar('FORWARDGRAD_RELAXED_SIMD') !== '0';
  const variant: WasmVariant = want ?? (relaxedAvailable(allowFlag) ? 'relaxed' : 'simd');
  if (variant === 'relaxed' && !relaxedAvailable(allowFlag)) {
    throw new Error('wasm backend: relaxed SIMD is not available in this engine');
  }
  const code = bytes(variant === 'relaxed' ? RELAXED_WASM : SIMD_WASM);
  if (!wasmApi.validate(code)) {
    throw new Error('wasm backend: this engine lacks WebAssembly SIMD or threads (shared memory)');
  }
  return { module: new wasmApi.Module(code), variant };
}
