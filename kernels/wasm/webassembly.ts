// The slice of the WebAssembly JS API we use. The project compiles with lib ES2022 and no DOM
// types, and @types/node declares only an empty WebAssembly namespace, so we type it here.
export interface WasmModule {
  readonly __wasmModule?: never;
}
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  Memory: new (desc: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}

export const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
