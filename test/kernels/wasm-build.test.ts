// The committed wasm binaries must come from the committed AssemblyScript sources: the build
// records a hash of sources, compiler version and flags, and this test recomputes it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { wasmApi } from '../../kernels/wasm/webassembly';
import { SOURCE_HASH, SIMD_WASM, RELAXED_WASM, RNG_WASM } from '../../kernels/wasm/build/binaries';

const dir = join(__dirname, '../../kernels/wasm');

describe('wasm build', () => {
  it('binaries.ts matches the current sources', () => {
    const hash = execFileSync(process.execPath, [
      '--input-type=module',
      '-e',
      `import { sourceHash } from ${JSON.stringify(join(dir, 'build.mjs'))}; console.log(sourceHash());`,
    ])
      .toString()
      .trim();
    expect(hash).toBe(SOURCE_HASH);
  });

  it('the .wasm files equal the embedded copies', () => {
    expect(readFileSync(join(dir, 'build/kernels.simd.wasm')).toString('base64')).toBe(SIMD_WASM);
    expect(readFileSync(join(dir, 'build/kernels.relaxed.wasm')).toString('base64')).toBe(RELAXED_WASM);
    expect(readFileSync(join(dir, 'build/rng.wasm')).toString('base64')).toBe(RNG_WASM);
  });

  it('the kernel modules declare no data segment (written on every instantiation, over the control block)', () => {
    // A module with one data segment (1 page of memory, 2 bytes at 0): the check must catch it.
    const withData = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 0, 1, 11, 8, 1, 0, 0x41, 0, 0x0b, 2, 0x61, 0x62];
    expect(wasmApi.validate(Uint8Array.from(withData))).toBe(true);
    const out = execFileSync(process.execPath, [
      '--input-type=module',
      '-e',
      `import { hasDataSection } from ${JSON.stringify(join(dir, 'build.mjs'))};
       import { readFileSync } from 'node:fs';
       const f = (name) => hasDataSection(readFileSync(${JSON.stringify(join(dir, 'build'))} + '/' + name));
       console.log(JSON.stringify([f('kernels.simd.wasm'), f('kernels.relaxed.wasm'), hasDataSection(Uint8Array.from(${JSON.stringify(withData)}))]));`,
    ]).toString();
    expect(JSON.parse(out)).toEqual([false, false, true]);
  });
});
