// The paper's test functions (§5.1) as annotated TypeScript: the forwardgrad transform emits
// their twins at build time, so fgd/gd/jvp can differentiate them.

/** Beale: f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²; minimum f(3, 0.5) = 0. */
/** @forwardGrad */
export function beale(x: number, y: number): number {
  const a = 1.5 - x + x * y;
  const b = 2.25 - x + x * y * y;
  const c = 2.625 - x + x * y * y * y;
  return a * a + b * b + c * c;
}

/** Rosenbrock: f(x, y) = (a − x)² + b(y − x²)² with a = 1, b = 100; minimum f(1, 1) = 0. */
/** @forwardGrad */
export function rosenbrock(x: number, y: number): number {
  const u = 1 - x;
  const w = y - x * x;
  return u * u + 100 * w * w;
}

export interface TestFunction {
  readonly name: string;
  readonly f: (x: number, y: number) => number;
  /** Global minimum (for plots and checks). */
  readonly minimum: readonly [number, number];
  /** A plotting window around the trajectories. */
  readonly domain: { x: readonly [number, number]; y: readonly [number, number] };
}

export const TEST_FUNCTIONS: Readonly<Record<'beale' | 'rosenbrock', TestFunction>> = {
  beale: { name: 'Beale', f: beale, minimum: [3, 0.5], domain: { x: [-0.5, 4], y: [-1.5, 1.5] } },
  rosenbrock: { name: 'Rosenbrock', f: rosenbrock, minimum: [1, 1], domain: { x: [-2, 2], y: [-1, 3] } },
};
