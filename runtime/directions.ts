// Random directions v for forward gradients, written straight into tangent buffers. With a seed,
// direction `stream` is regenerable: element i of v is element (offset of its leaf + i) of the
// counter-based stream (seed, stream), so nothing needs to be stored between seeding and update.
import { FILLERS, Rng } from '../kernels/rng';
import { isTensor } from './tensor/tensor';
import type { DirectionStorage } from './tensor/direction-storage';
import { Leaf, describeValue } from './leaves';

export type DirectionDistribution = 'normal' | 'rademacher';
export const DISTRIBUTIONS: readonly DirectionDistribution[] = ['normal', 'rademacher'];

export function checkDistribution(d: unknown, caller: string): DirectionDistribution {
  if (!DISTRIBUTIONS.includes(d as DirectionDistribution))
    throw new Error(
      `${caller}: distribution must be one of ${DISTRIBUTIONS.map((x) => `'${x}'`).join(', ')}, got ${JSON.stringify(d)}`,
    );
  return d as DirectionDistribution;
}

export function checkDirections(k: unknown, caller: string): number {
  if (!Number.isInteger(k) || (k as number) < 1)
    throw new Error(`${caller}: directions must be an integer ≥ 1, got ${String(k)}`);
  return k as number;
}

/** Where directions come from: a seed (regenerable streams) or a user's sequential Rng. */
export type DirectionSource = { seed: number; rng?: undefined } | { rng: Rng; seed?: undefined };

// Below this many elements a direction is generated in one fill and scattered (one Philox pass
// for many scalar leaves instead of one call per leaf).
const SMALL = 1024;
const flat = new Float64Array(SMALL),
  flat32 = new Float32Array(SMALL);
/** Float32 leaves get float32 fills: kernels/rng.ts makes float32 normals with a faster kernel that
 * may differ from the float64 stream in the last bits, and v must match fillNormal on the leaf's own type. */
const isF32 = (l: Leaf) => l.kind === 'f32' || l.kind === 'tensor';

/**
 * Fills `rows` directions into the tangent leaves: tangent leaf j (paired with primal leaf j) holds
 * `rows` consecutive copies of the primal's size; row r is direction `stream + r`. A leaf with a
 * direction storage in `lazy` (seeded sources only) is described instead: the same elements,
 * generated where they are consumed.
 */
export function drawDirections(
  primal: readonly Leaf[],
  tangent: readonly Leaf[],
  rows: number,
  source: DirectionSource,
  distribution: DirectionDistribution,
  stream: number,
  lazy: readonly (DirectionStorage | undefined)[] = [],
): void {
  const fill = FILLERS[distribution];
  if (source.rng && lazy.some((s) => s !== undefined))
    throw new Error('drawDirections: lazy directions need a seeded source (a sequential Rng fills buffers)');
  if (source.seed !== undefined && lazy.some((s) => s !== undefined)) {
    for (let j = 0; j < primal.length; j++)
      lazy[j]?.describe({ distribution, seed: source.seed, stream, offset: primal[j].offset });
    const rest = lazy.map((s, j) => (s === undefined ? j : -1)).filter((j) => j >= 0);
    if (rest.length === 0) return;
    // The filled leaves alone (the small-structure path below indexes by offset, so it still applies).
    return drawDirections(
      rest.map((j) => primal[j]),
      rest.map((j) => tangent[j]),
      rows,
      source,
      distribution,
      stream,
    );
  }
  const n = primal.length ? primal[primal.length - 1].offset + primal[primal.length - 1].size : 0;
  if (rows === 1 && n <= SMALL && primal.length > 1) {
    const v = flat.subarray(0, n);
    if (source.rng) source.rng.fill(v, distribution);
    else fill(v, source.seed, stream, 0);
    const v32 = !source.rng && tangent.some(isF32) ? fill(flat32.subarray(0, n), source.seed, stream, 0) : v;
    for (let j = 0; j < primal.length; j++) {
      const p = primal[j],
        t = tangent[j],
        buf = t.data(),
        src = isF32(t) ? v32 : v;
      for (let i = 0; i < p.size; i++) buf[i] = src[p.offset + i];
      t.commit();
    }
    return;
  }
  for (let j = 0; j < primal.length; j++) {
    const p = primal[j],
      t = tangent[j],
      buf = t.data();
    for (let r = 0; r < rows; r++) {
      const row = rows === 1 ? buf : (buf as Float32Array).subarray(r * p.size, (r + 1) * p.size);
      if (source.rng) source.rng.fill(row, distribution);
      else fill(row, source.seed, stream + r, p.offset);
    }
    t.commit();
  }
}

/** The directional derivative from a twin's output tangent: a number or a one-element Tensor. */
export function scalarTangent(dt: unknown, value: unknown, caller: string): number {
  if (typeof dt === 'number') return dt;
  if (isTensor(dt) && dt.size === 1) return dt.item();
  throw new Error(
    `${caller}: the function must return a scalar (a number or a one-element Tensor) to take a forward gradient; it returned ${describeValue(value)} with tangent ${describeValue(dt)}`,
  );
}

/** The K directional derivatives of a vector-mode run: the tangent of a scalar Tensor, K elements. */
export function vectorTangent(
  dt: unknown,
  value: unknown,
  k: number,
  caller: string,
): Float32Array | Float64Array | number[] {
  if (isTensor(dt) && dt.size === k) return dt.toArray();
  if ((dt instanceof Float32Array || dt instanceof Float64Array || Array.isArray(dt)) && dt.length === k)
    return dt as number[];
  throw new Error(
    `${caller}: vector mode (K=${k} directions in one run) needs a scalar Tensor result whose tangent has ${k} elements; ` +
      `got ${describeValue(value)} with tangent ${describeValue(dt)} (pass vectorized: false to use ${k} separate runs)`,
  );
}
