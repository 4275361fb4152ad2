// TEST CODE ONLY: preloaded (node -r) into CLI child processes, which run the TypeScript sources
// through ts-node without the forwardgrad transform. Registers hand-written twins for the annotated
// test functions unless a real twin is already there. The real transform path is tested in
// test/runtime/testfns.test.ts.
import { beale, rosenbrock } from '../../../runtime/models/testfns';
import { lookupJvp, registerJvp } from '../../../runtime/registry';

if (!lookupJvp(beale)) {
  registerJvp(beale, (x: number, dx: number, y: number, dy: number): [number, number] => {
    const a = 1.5 - x + x * y, b = 2.25 - x + x * y * y, c = 2.625 - x + x * y ** 3;
    const da = -dx + dx * y + x * dy, db = -dx + dx * y * y + 2 * x * y * dy, dc = -dx + dx * y ** 3 + 3 * x * y * y * dy;
    return [beale(x, y), 2 * (a * da + b * db + c * dc)];
  }, { name: 'beale', tangentSlots: [true, true] });
}
if (!lookupJvp(rosenbrock)) {
  registerJvp(rosenbrock, (x: number, dx: number, y: number, dy: number): [number, number] => {
    const u = 1 - x, w = y - x * x;
    return [rosenbrock(x, y), -2 * u * dx + 200 * w * (dy - 2 * x * dx)];
  }, { name: 'rosenbrock', tangentSlots: [true, true] });
}
