// maxPool2d(x[N,C,H,W], { size, stride }) (no padding; stride defaults to size). The tangent goes
// through the same argmax in the same kernel pass (ties go to the first element of the window).
// Reverse mode: ȳ is scattered back through the argmax that the taped forward pass kept (the
// kernel writes it while pooling), accumulated for overlapping windows.
import { Tensor, zerosPooled } from '../tensor/tensor';
import { IntScratch } from '../tensor/int-scratch';
import { checkOptions } from '../options';
import type { OpRule } from './rule';
import {
  JvpResult,
  Tangent,
  activeTensor,
  allocOut,
  backend,
  directions,
  expectTensor,
  opError,
  pairOption,
  shapeStr,
} from './tangents';

export interface MaxPool2dOptions {
  size?: number | [number, number];
  stride?: number | [number, number];
}
const MAX_POOL_OPTIONS = ['size', 'stride'];

function pool(
  x: Tensor,
  dx: Tangent,
  options: MaxPool2dOptions | undefined,
  argmax: (n: number) => Int32Array | undefined,
): JvpResult {
  expectTensor('maxPool2d', 'x', x);
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw opError('maxPool2d', `options must be an object, got ${String(options)}`);
  checkOptions(options, MAX_POOL_OPTIONS, 'maxPool2d');
  const [kh, kw] = pairOption('maxPool2d', 'size', options?.size, 2);
  const [sh, sw] = options?.stride === undefined ? [kh, kw] : pairOption('maxPool2d', 'stride', options.stride, 1);
  if (x.rank !== 4) throw opError('maxPool2d', `expects x[N,C,H,W], got ${shapeStr(x.shape)}`);
  const [N, C, H, W] = x.shape;
  if (kh > H || kw > W)
    throw opError('maxPool2d', `window ${kh}×${kw} is larger than the input ${H}×${W} (x${shapeStr(x.shape)})`);
  const oh = Math.floor((H - kh) / sh) + 1,
    ow = Math.floor((W - kw) / sw) + 1;
  const dir = directions('maxPool2d', [x, dx]);
  const [y, dy] = allocOut([N, C, oh, ow], dir);
  const t = activeTensor(dx);
  backend().maxPool2d({
    x: x.kernelBuffer,
    xOffset: x.offset,
    planes: N * C,
    h: H,
    w: W,
    kh,
    kw,
    strideH: sh,
    strideW: sw,
    outH: oh,
    outW: ow,
    y: y.kernelBuffer,
    yOffset: y.offset,
    argmax: argmax(y.size),
    dx: t?.kernelBuffer,
    dxOffset: t?.offset,
    dy: dy?.kernelBuffer,
    dyOffset: dy?.offset,
    directions: dir.K,
  });
  return [y, dy];
}

export function maxPool2dJvp(x: Tensor, dx: Tangent, options?: MaxPool2dOptions): JvpResult {
  return pool(x, dx, options, () => undefined);
}

/** Forward pass for the tape: y, and each window's winner kept for the VJP. */
function maxPool2dTaped(args: readonly unknown[]): { y: Tensor; saved: IntScratch } {
  let saved: IntScratch | undefined;
  try {
    const y = pool(
      args[0] as Tensor,
      undefined,
      args[1] as MaxPool2dOptions | undefined,
      (n) => (saved = new IntScratch(n)).data,
    )[0];
    return { y, saved: saved! };
  } catch (e) {
    saved?.dispose();
    throw e;
  }
}

export function maxPool2dVjp(
  gy: Tensor,
  _y: Tensor,
  args: readonly unknown[],
  needs: readonly boolean[],
  saved?: unknown,
): (Tensor | undefined)[] {
  if (!needs[0]) return [undefined, undefined];
  const x = args[0] as Tensor;
  let winners = saved as IntScratch | undefined;
  const own = winners === undefined;
  if (own) {
    const r = maxPool2dTaped(args);
    r.y.dispose();
    winners = r.saved;
  }
  const gx = zerosPooled(x.shape);
  backend().maxPool2dBackward({
    gy: gy.kernelBuffer,
    gyOffset: gy.offset,
    n: gy.size,
    argmax: winners!.data,
    gx: gx.kernelBuffer,
    gxOffset: gx.offset,
  });
  if (own) winners!.dispose();
  return [gx, undefined];
}

export const POOL_RULES: Record<string, OpRule> = {
  maxPool2d: {
    jvp: maxPool2dJvp,
    vjp: maxPool2dVjp,
    taped: maxPool2dTaped,
    rule: 'ẏ = ẋ[argmax] (ties go first), same pass',
    vjpRule: 'x̄[argmax] += ȳ, argmax kept from the taped forward kernel',
  },
};
