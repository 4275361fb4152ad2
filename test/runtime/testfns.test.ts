// The annotated test functions, imported through the repository's jest transformer (forwardgrad/jest),
// which should give them twins from the real transform.
import { beale, rosenbrock, TEST_FUNCTIONS } from '../../runtime/models/testfns';
import { jvp } from '../../runtime/jvp';
import { lookupJvp } from '../../runtime/registry';
import { fgd, gd } from '../../runtime/fgd';
import { Rng } from '../../kernels/rng';
import { centralDifference } from '../support/fd';

test('beale and rosenbrock get their twins from the transform (runtime/models is user-level code)', () => {
  expect(lookupJvp(beale)?.meta.tangentSlots).toEqual([true, true]);
  expect(lookupJvp(rosenbrock)?.meta.tangentSlots).toEqual([true, true]);
});

describe.each([
  ['beale', beale],
  ['rosenbrock', rosenbrock],
] as const)('%s', (_name, f) => {
  test('jvp equals central differences (float64) at random points, value exact', () => {
    const r = new Rng(2024);
    for (let i = 0; i < 25; i++) {
      const x = 4 * r.uniform() - 2,
        y = 4 * r.uniform() - 2,
        vx = r.normal(),
        vy = r.normal();
      const [value, d] = jvp(f, [x, y], [vx, vy]);
      expect(value).toBe(f(x, y));
      const fd = centralDifference((t) => f(x + t * vx, y + t * vy));
      expect(Math.abs(d - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }
  });
});

describe('descent on the test functions', () => {
  test('minima are where the table says', () => {
    for (const t of Object.values(TEST_FUNCTIONS)) expect(t.f(...t.minimum)).toBe(0);
  });

  test('fgd decreases the loss on Beale (lr 0.01) and Rosenbrock (lr 5e-4), as does gd', () => {
    for (const seed of [1, 2, 3]) {
      const b = fgd(beale, [1.5, -0.1], { lr: 0.01, decay: 0, iterations: 3000, seed, progress: false });
      expect(b.status).toBe('completed');
      expect(b.loss).toBeLessThan(0.05 * b.losses[0]);
      const r = fgd(rosenbrock, [-1.2, 1], { lr: 5e-4, decay: 0, iterations: 3000, seed, progress: false });
      expect(r.status).toBe('completed');
      expect(r.loss).toBeLessThan(0.5 * r.losses[0]);
    }
    const g = gd(rosenbrock, [-1.2, 1], { lr: 5e-4, decay: 0, iterations: 3000, progress: false });
    expect(g.loss).toBeLessThan(0.5 * g.losses[0]);
  });
});
