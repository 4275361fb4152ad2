// Child-process probe for test/cli/cli.test.ts: loads only the annotated test functions and the
// registry, so any twin it finds was registered by testfns.ts's own emitted code (the preload's
// transform), never by test code. Prints, per function, its twin's meta and [value, tangent] at the
// points given as JSON in argv[2] ([[x, dx, y, dy], ...]); `null` when no twin is registered.
import { beale, rosenbrock } from '../../runtime/models/testfns';
import { lookupJvp } from '../../runtime/registry';

const points = JSON.parse(process.argv[2] ?? '[]') as number[][];
const report = Object.fromEntries(
  [beale, rosenbrock].map((f) => {
    const twin = lookupJvp(f);
    return [f.name, twin ? { meta: twin.meta, results: points.map((p) => twin.fn(...p)) } : null];
  }),
);
process.stdout.write(JSON.stringify(report));
