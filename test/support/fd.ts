// The tests' one finite-difference helper, `centralDifference` (float64, along a path t ↦ f(x + t·v)),
// and what is built on it: the same along Ref inputs (tensor ops against their float64 references)
// and `checkJvp`, an emitted twin against central differences (and the primal exactly).
import { lookupJvp } from '../../runtime/registry';
import type { Ref } from '../../kernels/reference/ops';

/**
 * (f(h) − f(−h)) / 2h for a path t ↦ f(x + t·v), i.e. the directional derivative along v, to
 * O(h²·f''') plus roundoff O(ε·|f|/h): with h = 1e-6 in float64 both stay near 1e-10 relative for
 * well-scaled functions. Elementwise for vector-valued paths.
 */
export function centralDifference(along: (t: number) => number, h?: number): number;
export function centralDifference(along: (t: number) => ArrayLike<number>, h?: number): Float64Array;
export function centralDifference(along: (t: number) => number | ArrayLike<number>, h = 1e-6): number | Float64Array {
  const plus = along(h),
    minus = along(-h);
  if (typeof plus === 'number') return (plus - (minus as number)) / (2 * h);
  const m = minus as ArrayLike<number>;
  return Float64Array.from(plus, (p, i) => (p - m[i]) / (2 * h));
}

/** The path t ↦ f(xs + t·vs) over float64 Refs (an undefined v holds its input fixed), for centralDifference. */
export function alongRefs(f: (...xs: Ref[]) => Ref, xs: Ref[], vs: (Ref | undefined)[]): (t: number) => Float64Array {
  return (t) =>
    f(
      ...xs.map((x, i) => {
        const v = vs[i];
        return v ? { data: x.data.map((d, j) => d + t * v.data[j]), shape: x.shape } : x;
      }),
    ).data;
}

export type Value = number | number[] | Float64Array | Value[] | { [k: string]: Value };

function flat(v: unknown, out: number[] = []): number[] {
  if (typeof v === 'number') out.push(v);
  else if (Array.isArray(v) || v instanceof Float64Array || v instanceof Float32Array)
    for (const x of Array.from(v as ArrayLike<unknown>)) flat(x, out);
  else if (v && typeof v === 'object')
    for (const k of Object.keys(v).sort()) flat((v as Record<string, unknown>)[k], out);
  return out;
}

/** x + h·v, structure-preserving. */
function axpy(x: unknown, v: unknown, h: number): any {
  if (typeof x === 'number') return x + h * (v as number);
  if (x instanceof Float64Array || x instanceof Float32Array) return x.map((xi, i) => xi + h * (v as Float64Array)[i]);
  if (Array.isArray(x)) return x.map((xi, i) => axpy(xi, (v as unknown[])[i], h));
  if (x && typeof x === 'object')
    return Object.fromEntries(Object.entries(x).map(([k, xi]) => [k, axpy(xi, (v as Record<string, unknown>)[k], h)]));
  return x;
}

/** A random direction shaped like x. */
export function direction(x: unknown, r: () => number): any {
  if (typeof x === 'number') return 2 * r() - 1;
  if (x instanceof Float64Array || x instanceof Float32Array) return x.map(() => 2 * r() - 1);
  if (Array.isArray(x)) return x.map((xi) => direction(xi, r));
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, xi]) => [k, direction(xi, r)]));
  return undefined;
}

const clone = (x: unknown): any =>
  axpy(
    x,
    direction(x, () => 0.5),
    0,
  );

export interface Check {
  ok: boolean;
  message: string;
  /**
   * The tangent disagreed with the finite difference, but the differences at the two steps (h and
   * kinkStep) disagree with each other too: a kink or branch boundary lies within h of the point,
   * where central differences mean nothing. Only set when kinkStep was given.
   */
  kink?: boolean;
}

export interface CheckOptions {
  /** Relative tolerance, to max(1, |fd|, |f|) (default 1e-6). */
  tol?: number;
  /** Central-difference step (default 1e-6). */
  h?: number;
  /** Arguments that get a zero direction (a count, a size): their tangent slot is still exercised. */
  constant?: readonly number[];
  /** A second step: on a mismatch, a difference at this step that disagrees with the one at h marks a kink. */
  kinkStep?: number;
}

/**
 * Runs the twin of `f` at `args` along a random direction and compares: primal exactly, tangent to central
 * differences within `tol` relative (to max(1, |fd|)). Arguments are cloned per call (functions may mutate them).
 */
export function checkJvp(
  f: (...a: any[]) => unknown,
  args: unknown[],
  r: () => number,
  options: CheckOptions = {},
): Check {
  const { tol = 1e-6, h = 1e-6, constant = [], kinkStep } = options;
  const twin = lookupJvp(f);
  if (!twin) return { ok: false, message: `no twin registered for ${f.name}` };
  const dirs = args.map((a, i) =>
    !twin.meta.tangentSlots[i] ? undefined : constant.includes(i) ? direction(a, () => 0.5) : direction(a, r),
  );
  const twinArgs: unknown[] = [];
  args.forEach((a, i) => {
    twinArgs.push(clone(a));
    if (twin.meta.tangentSlots[i]) twinArgs.push(clone(dirs[i]));
  });
  const [value, tangent] = twin.fn(...twinArgs);
  const expected = f(...args.map(clone));
  const fv = flat(value);
  const fe = flat(expected);
  if (fv.length !== fe.length || fv.some((x, i) => !Object.is(x, fe[i]))) {
    return {
      ok: false,
      message: `${f.name}: primal ${JSON.stringify(fv)} != ${JSON.stringify(fe)} at ${JSON.stringify(args)}`,
    };
  }
  const along = (t: number) =>
    flat(f(...args.map((a, i) => (dirs[i] === undefined || constant.includes(i) ? clone(a) : axpy(a, dirs[i], t)))));
  const differences = (step: number) => centralDifference(along, step);
  const fds = differences(h);
  const ft = flat(tangent);
  const scale = (i: number) => Math.max(1, Math.abs(fds[i]), Math.abs(fe[i]));
  for (let i = 0; i < fe.length; i++) {
    const t = ft[i] ?? NaN;
    if (Math.abs(t - fds[i]) <= tol * scale(i)) continue;
    const message = `${f.name}: tangent[${i}] ${t} vs finite difference ${fds[i]} at ${JSON.stringify(args)} along ${JSON.stringify(dirs)}`;
    if (kinkStep !== undefined) {
      const fds2 = differences(kinkStep);
      const j = fds2.findIndex((d, k) => !(Math.abs(d - fds[k]) <= tol * scale(k)));
      if (j >= 0)
        return {
          ok: false,
          kink: true,
          message: `${message}; not smooth there: output ${j}'s difference is ${fds[j]} at step ${h}, ${fds2[j]} at step ${kinkStep}`,
        };
    }
    return { ok: false, message };
  }
  return { ok: true, message: '' };
}
