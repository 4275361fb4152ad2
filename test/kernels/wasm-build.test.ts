// The committed wasm binaries must come from the committed AssemblyScript sources: the build
// records a hash of sources, compiler version and flags, and this test recomputes it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
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
});
