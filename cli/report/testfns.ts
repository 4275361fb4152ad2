// The report of the test-function experiment (paper Figure 2): per function, loss per iteration,
// loss per wall time, and the trajectories over a contour plot with the minimum starred; an
// index.html with the figures; the experiment's JSON log beside them.
import * as fs from 'node:fs';
import { PAPER_SETTINGS, SETTINGS_RATIONALE } from '../experiments/testfns';
import type { FunctionRecord, TestFnExperiment } from '../experiments/testfns';
import { TEST_FUNCTIONS } from '../../runtime/models/testfns';
import { MethodSeries, contourTrajectoryChart, runsLineChart, sampleGrid } from './charts';
import type { Figure, Section } from './html';
import { vegaLiteToSvg, vegaToSvg } from './vega';

export const LOG_FILE = 'testfns.json';

function series(fn: FunctionRecord, x: 'step' | 'timeMs' | 'x', y: 'loss' | 'y'): MethodSeries[] {
  return fn.methods.map((m) => ({ name: m.label, runs: m.runs.map((r) => ({ x: r[x], y: r[y] })) }));
}

/** Contour levels of log10 f: half-decades spanning the plotted window. */
function levels(values: number[]): number[] {
  const lo = Math.floor(Math.min(...values) * 2) / 2,
    hi = Math.ceil(Math.max(...values) * 2) / 2;
  const out: number[] = [];
  for (let v = lo; v <= hi + 1e-9; v += 0.5) out.push(+v.toFixed(2));
  return out;
}

async function figures(fn: FunctionRecord): Promise<Figure[]> {
  const f = TEST_FUNCTIONS[fn.key].f;
  const grid = sampleGrid(
    f,
    fn.domain.x,
    fn.domain.y,
    120,
    Math.round((120 * (fn.domain.y[1] - fn.domain.y[0])) / (fn.domain.x[1] - fn.domain.x[0])),
    (v) => Math.log10(v + 1e-12),
  );
  const specs: Array<[string, string, () => Promise<string>]> = [
    [
      `${fn.key}-loss-iteration.svg`,
      `${fn.name}: loss per iteration`,
      () =>
        vegaLiteToSvg(
          runsLineChart(series(fn, 'step', 'loss'), {
            title: `${fn.name}: loss per iteration (lr ${fn.settings.lr})`,
            xTitle: 'iteration',
            yTitle: 'loss',
            logY: true,
            band: true,
          }),
        ),
    ],
    [
      `${fn.key}-loss-time.svg`,
      `${fn.name}: loss per time`,
      () =>
        vegaLiteToSvg(
          runsLineChart(series(fn, 'timeMs', 'loss'), {
            title: `${fn.name}: loss per time`,
            xTitle: 'wall time (ms)',
            yTitle: 'loss',
            logY: true,
          }),
        ),
    ],
    [
      `${fn.key}-trajectories.svg`,
      `${fn.name}: trajectories`,
      () =>
        vegaToSvg(
          contourTrajectoryChart(grid, series(fn, 'x', 'y'), {
            title: `${fn.name}: trajectories (★ global minimum)`,
            thresholds: levels(grid.values),
            thresholdTitle: 'log10 f',
            star: fn.minimum,
          }),
        ),
    ],
  ];
  const out: Figure[] = [];
  for (const [file, title, render] of specs) out.push({ file, title, svg: await render() });
  return out;
}

const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : NaN;
};

/** The Figure 2 sections of an experiment (SVG file names prefixed with `prefix`). */
export async function testFnSections(exp: TestFnExperiment, prefix = ''): Promise<Section[]> {
  if (exp?.kind !== 'forwardgrad-testfns')
    throw new Error(`report: not a test-function experiment log (kind ${exp?.kind})`);
  const sections: Section[] = [];
  for (const fn of exp.functions) {
    const figs = (await figures(fn)).map((f) => ({ ...f, file: prefix + f.file }));
    const diverged = fn.methods.flatMap((m) => m.runs.filter((r) => r.status === 'diverged').map(() => m.label));
    const notes = [
      `Start (${fn.settings.start.join(', ')}), learning rate ${fn.settings.lr}, no decay, ${fn.settings.iterations} iterations, ${exp.runs} runs per method (FGD seeds ${exp.baseSeed}…${exp.baseSeed + exp.runs - 1}).`,
      ...(JSON.stringify(fn.settings) === JSON.stringify(PAPER_SETTINGS[fn.key])
        ? [SETTINGS_RATIONALE[fn.key]]
        : ["Settings differ from the demo's (set on the command line)."]),
      ...fn.methods.map(
        (m) =>
          `${m.label}: median final loss ${median(m.runs.map((r) => r.finalLoss)).toExponential(3)}, median ${(median(m.runs.map((r) => r.msPerIteration)) * 1000).toFixed(2)} µs per iteration (estimate + update, after a warm-up run); statuses: ${[...new Set(m.runs.map((r) => r.status))].join(', ')}.`,
      ),
      ...(diverged.length
        ? [`DIVERGED: ${diverged.length} run(s) (${[...new Set(diverged)].join(', ')}) stopped on a non-finite loss.`]
        : []),
    ];
    sections.push({
      heading: `${fn.name} (minimum at (${fn.minimum.join(', ')}))${exp.runId ? `, run ${exp.runId}` : ''}`,
      notes,
      figures: figs,
    });
  }
  return sections;
}

export const TESTFN_TITLE = 'Forward gradient vs gradient descent on test functions (paper §5.1, Figure 2)';
export const testFnIntro = (exp: TestFnExperiment) =>
  `Figure 2: run ${exp.runId ?? '(no id)'}, generated ${exp.createdAt}. Log: ${LOG_FILE}. Both methods use the same learning rate and number of iterations; FGD uses one direction v ~ N(0, I) per step.`;

/** Reads an experiment log written by the CLI. */
export function readTestFnLog(file: string): TestFnExperiment {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`report: cannot read ${file} (${(e as Error).message})`);
  }
  if ((doc as TestFnExperiment)?.kind !== 'forwardgrad-testfns')
    throw new Error(`report: ${file} is not a test-function experiment log`);
  return doc as TestFnExperiment;
}
