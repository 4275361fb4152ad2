// grad(f, primals, { wrt }): f's value and its exact gradient by reverse mode (backpropagation) over
// the same tensor ops and kernels as the forward mode, for comparing the two like with like.
//   - Tensor leaves of the differentiated arguments (a Tensor, or Tensors inside tuples/objects):
//     one run of f with those tensors tracked records a tape; one backward pass gives them all.
//   - Non-tensor leaves (numbers, number[], typed arrays): exact forward-mode basis sweeps through
//     f's twin, one run per element (runtime/autodiff/sweep.ts), so any argument can be in wrt.
import { Tensor, isTensor } from './tensor/tensor';
import { tidy } from './tensor/pool';
import { zeros } from './tensor/create';
import { checkArity, functionName, requireTwin } from './jvp';
import { resolveWrt } from './forward-gradient';
import { checkOptions } from './options';
import { argLeaves, isPlainObject, leafKind, tensorsIn, zerosMirror } from './leaves';
import { reverse } from './autodiff/reverse';
import { basisSweep } from './autodiff/sweep';

export interface GradOptions {
  /** Argument indices to differentiate (default: every argument with a tangent slot, as forwardGradient). */
  wrt?: number | readonly number[];
  /** `this` for methods. */
  thisArg?: unknown;
}

export interface GradResult {
  value: number;
  /** Mirrors the primals (Tensors → Tensors of the same shape); entries for arguments not in wrt are undefined. */
  gradient: unknown[];
}

const GRAD_OPTIONS = ['wrt', 'thisArg'];

/** A gradient structure mirroring x: Tensors from `tensorGrad` (in leaf order), other leaves zeros. */
function mirror(x: unknown, tensorGrad: (t: Tensor) => Tensor): unknown {
  if (isTensor(x)) return tensorGrad(x);
  if (leafKind(x) !== undefined) return zerosMirror(x);
  if (Array.isArray(x)) return x.map((e) => mirror(e, tensorGrad));
  if (isPlainObject(x)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x)) out[k] = mirror(x[k], tensorGrad);
    return out;
  }
  return undefined;
}

/**
 * Evaluates f(...primals) and its gradient with respect to the arguments in `wrt`, synchronously.
 * f must return a scalar (a number or a one-element Tensor); when it has Tensor leaves to
 * differentiate, a one-element Tensor (its tensor ops are what the tape records).
 */
export function grad(f: Function, primals: readonly unknown[], options: GradOptions = {}): GradResult {
  const caller = 'grad';
  const twin = requireTwin(f, caller);
  checkOptions(options, GRAD_OPTIONS, caller, true);
  checkArity(f, twin, primals, caller);
  const name = `${caller}(${functionName(f, twin)})`;
  const wrt = resolveWrt(f, twin, options.wrt, caller);
  const args = [...primals];
  const leaves = wrt.flatMap((i) => tensorsIn(args[i]));
  return tidy(() => {
    const { value, cotangents } = reverse(() => f.apply(options.thisArg, args), leaves, name);
    const byTensor = new Map<Tensor, Tensor | undefined>();
    leaves.forEach((t, j) => byTensor.set(t, cotangents[j]));
    const gradient = args.map((p, i) =>
      wrt.includes(i) ? mirror(p, (t) => byTensor.get(t) ?? zeros(t.shape)) : undefined,
    );
    const out = new Map(argLeaves(gradient, wrt).map((l) => [l.path, l]));
    basisSweep(twin, args, wrt, options.thisArg, name, (leaf, i, d) => {
      const g = out.get(leaf.path)!,
        data = g.data();
      data[i] = d;
      g.commit();
    });
    return { value, gradient };
  });
}
