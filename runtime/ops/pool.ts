// maxPool2d(x[N,C,H,W], { size, stride }) (no padding; stride defaults to size). The tangent goes
// through the same argmax in the same kernel pass (ties go to the first element of the window).
import { Tensor } from '../tensor/tensor';
import { checkOptions } from '../options';
import { JvpResult, Tangent, activeTensor, allocOut, backend, directions, expectTensor, opError, pairOption, shapeStr } from './tangents';

export interface MaxPool2dOptions { size?: number | [number, number]; stride?: number | [number, number] }
const MAX_POOL_OPTIONS = ['size', 'stride'];

export function maxPool2dJvp(x: Tensor, dx: Tangent, options?: MaxPool2dOptions): JvpResult {
  expectTensor('maxPool2d', 'x', x);
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw opError('maxPool2d', `options must be an object, got ${String(options)}`);
  checkOptions(options, MAX_POOL_OPTIONS, 'maxPool2d');
  const [kh, kw] = pairOption('maxPool2d', 'size', options?.size, 2);
  const [sh, sw] = options?.stride === undefined ? [kh, kw] : pairOption('maxPool2d', 'stride', options.stride, 1);
  if (x.rank !== 4) throw opError('maxPool2d', `expects x[N,C,H,W], got ${shapeStr(x.shape)}`);
  const [N, C, H, W] = x.shape;
  if (kh > H || kw > W) throw opError('maxPool2d', `window ${kh}×${kw} is larger than the input ${H}×${W} (x${shapeStr(x.shape)})`);
  const oh = Math.floor((H - kh) / sh) + 1, ow = Math.floor((W - kw) / sw) + 1;
  const dir = directions('maxPool2d', [x, dx]);
  const [y, dy] = allocOut([N, C, oh, ow], dir);
  const t = activeTensor(dx);
  backend().maxPool2d({
    x: x.buffer, xOffset: x.offset, planes: N * C, h: H, w: W, kh, kw, strideH: sh, strideW: sw, outH: oh, outW: ow,
    y: y.buffer, yOffset: y.offset, dx: t?.buffer, dxOffset: t?.offset, dy: dy?.buffer, dyOffset: dy?.offset, directions: dir.K,
  });
  return [y, dy];
}

export const maxPool2d = (x: Tensor, options?: MaxPool2dOptions): Tensor => maxPool2dJvp(x, undefined, options)[0];
