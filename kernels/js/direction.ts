// The host reference of KernelBackend.fillDirection: rows of kernels/rng.ts's float32 streams, the
// same walk as DirectionStorage.fill over a whole storage. Not a js-backend kernel (a backend with
// fillDirection makes fgd regenerate directions through it); device test doubles fill with it and
// then make the result resident.
import type { FillDirectionArgs } from '../backend';
import { FILLERS } from '../rng';

export function fillDirectionOnHost(g: FillDirectionArgs): void {
  const { rows, size } = g;
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(size) || size < 1)
    throw new Error(`fillDirection: rows and size must be positive integers, got ${rows}, ${size}`);
  if (!Number.isInteger(g.offset) || g.offset < 0 || g.offset + rows * size > g.out.length)
    throw new Error(`fillDirection: elements [${g.offset}, ${g.offset + rows * size}) outside ${g.out.length}`);
  if (g.distribution !== 'normal' && g.distribution !== 'rademacher')
    throw new Error(`fillDirection: distribution must be 'normal' or 'rademacher', got '${String(g.distribution)}'`);
  const fill = FILLERS[g.distribution];
  for (let r = 0; r < rows; r++) {
    const from = g.offset + r * size;
    fill(g.out.subarray(from, from + size), g.seed, g.stream + r, g.streamOffset);
  }
}
