// The report of the MNIST experiments and the depth scaling: Figures 3–5 (training loss per
// iteration and per training time, runs shaded: min–max band and median line, both methods),
// validation loss and accuracy, Figure 6 (time and peak memory of one step against depth L), and
// the table of base runtime, R_f, R_b, R_f/R_b, T_f, T_b, T_f/T_b beside the paper's values.
import { MethodSeries, runsLineChart } from './charts';
import type { Figure, Section, Table } from './html';
import { vegaLiteToSvg } from './vega';
import { PAPER_TABLE } from '../experiments/measures';
import type { RunRecord, ScalingResults, TrainResults } from '../experiments/results';
import { METHOD_LABELS } from '../experiments/results';

/** Number formatting for tables: "not reached" and "—" are results too, never a blank. */
export const fmt = {
  ms: (x: number | undefined) =>
    x === undefined || Number.isNaN(x)
      ? '—'
      : x === Infinity
        ? 'not reached'
        : x >= 1000
          ? `${(x / 1000).toFixed(2)} s`
          : `${x.toFixed(x < 10 ? 3 : 1)} ms`,
  ratio: (x: number | undefined) =>
    x === undefined || Number.isNaN(x) ? '—' : x === Infinity ? '∞ (not reached)' : x.toFixed(3),
  pct: (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '—' : `${(100 * x).toFixed(2)} %`),
  mb: (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '—' : `${(x / 2 ** 20).toFixed(1)} MiB`),
};

/**
 * Each run's curve resampled onto one time grid (the last value recorded at or before each grid
 * time), so runs with different timings share x values and a min–max band can be drawn.
 */
export function onTimeGrid(
  runs: ReadonlyArray<{ x: readonly number[]; y: readonly number[] }>,
  points = 200,
): Array<{ x: number[]; y: number[] }> {
  const end = Math.max(0, ...runs.map((r) => r.x[r.x.length - 1] ?? 0));
  const grid = Array.from({ length: points }, (_, i) => (end * i) / (points - 1));
  return runs.map((r) => {
    const x: number[] = [],
      y: number[] = [];
    let j = -1;
    for (const t of grid) {
      while (j + 1 < r.x.length && r.x[j + 1] <= t) j++;
      if (j >= 0 && t <= r.x[r.x.length - 1]) {
        x.push(t);
        y.push(r.y[j]);
      }
    }
    return { x, y };
  });
}

type Curve = (r: RunRecord) => { x: number[]; y: number[] };

function series(res: TrainResults, curve: Curve, timeGrid: boolean): MethodSeries[] {
  return res.methods.map((m) => {
    const runs = m.runs.map(curve);
    return { name: `${m.label} (lr ${m.lr})`, runs: timeGrid ? onTimeGrid(runs) : runs };
  });
}

export async function trainFigures(res: TrainResults, prefix: string): Promise<Figure[]> {
  const name = res.model.name;
  const specs: Array<[string, string, MethodSeries[], { xTitle: string; yTitle: string; logY?: boolean }]> = [
    [
      'loss-iteration',
      `${name}: training loss per iteration`,
      series(res, (r) => ({ x: r.step, y: r.loss }), false),
      { xTitle: 'iteration', yTitle: 'training loss (minibatch)', logY: true },
    ],
    [
      'loss-time',
      `${name}: training loss per training time`,
      series(res, (r) => ({ x: r.timeMs.map((t) => t / 1000), y: r.loss }), true),
      { xTitle: 'training time (s)', yTitle: 'training loss (minibatch)', logY: true },
    ],
    [
      'val-loss-iteration',
      `${name}: validation loss per iteration`,
      series(res, (r) => ({ x: r.eval.step, y: r.eval.valLoss }), false),
      { xTitle: 'iteration', yTitle: 'validation loss', logY: true },
    ],
    [
      'val-loss-time',
      `${name}: validation loss per training time`,
      series(res, (r) => ({ x: r.eval.timeMs.map((t) => t / 1000), y: r.eval.valLoss }), true),
      { xTitle: 'training time (s)', yTitle: 'validation loss', logY: true },
    ],
    [
      'val-accuracy',
      `${name}: validation accuracy per iteration`,
      series(res, (r) => ({ x: r.eval.step, y: r.eval.valAccuracy }), false),
      { xTitle: 'iteration', yTitle: 'validation accuracy' },
    ],
  ];
  const out: Figure[] = [];
  for (const [file, title, s, o] of specs) {
    out.push({
      file: `${prefix}${file}.svg`,
      title,
      svg: await vegaLiteToSvg(runsLineChart(s, { title, band: true, ...o })),
    });
  }
  return out;
}

/** One row of the comparison table per experiment, ours beside the paper's. */
export function comparisonTable(results: readonly TrainResults[]): Table {
  const rows: string[][] = [];
  for (const r of results) {
    const s = r.steps,
      t = r.timeToLoss,
      p = PAPER_TABLE[r.experiment];
    rows.push([
      `${r.model.name} (ours)`,
      fmt.ms(s.baseMs),
      fmt.ratio(s.rf),
      fmt.ratio(s.rb),
      fmt.ratio(s.rfOverRb),
      fmt.ms(t?.tf),
      fmt.ms(t?.tb),
      fmt.ratio(t?.ratio),
    ]);
    if (p)
      rows.push([
        `${r.model.name} (paper)`,
        '—',
        fmt.ratio(p.rf),
        fmt.ratio(p.rb),
        fmt.ratio(p.rfOverRb),
        '—',
        '—',
        fmt.ratio(p.tfOverTb),
      ]);
  }
  return {
    caption:
      'Step costs and time to loss: base = forward + loss; R_f, R_b = step time / base (steps include the update); T_b = training time backprop needs to reach its lowest validation loss, T_f = time FGD first reaches that loss (medians over runs)',
    head: ['model', 'base runtime', 'R_f', 'R_b', 'R_f/R_b', 'T_f', 'T_b', 'T_f/T_b'],
    rows,
  };
}

export function summaryTable(r: TrainResults): Table {
  return {
    caption: `${r.model.name}: per method (medians over ${r.settings.runs} runs)`,
    head: ['method', 'η0', 'why this rate', 'final validation accuracy', 'final validation loss', 'statuses'],
    rows: r.methods.map((m) => [
      m.label,
      String(m.lr),
      m.lrSource,
      fmt.pct(m.valAccuracy),
      m.runs.length
        ? m.runs
            .map((x) => x.finalValLoss)
            .sort((a, b) => a - b)
            [m.runs.length >> 1].toFixed(4)
        : '—',
      [...new Set(m.runs.map((x) => x.status))].join(', '),
    ]),
  };
}

export function sweepTable(r: TrainResults): Table | undefined {
  const rows = r.methods.flatMap((m) =>
    (m.sweep ?? []).map((p) => [
      m.label,
      String(p.lr),
      p.status,
      Number.isFinite(p.bestValLoss) ? p.bestValLoss.toFixed(4) : 'diverged',
      fmt.pct(p.valAccuracy),
      p.lr === m.lr ? '← best' : '',
    ]),
  );
  return rows.length
    ? {
        caption: `${r.model.name}: learning-rate sweep (one run per rate; each method then trained at its own best rate)`,
        head: ['method', 'η0', 'status', 'lowest validation loss', 'final validation accuracy', ''],
        rows,
      }
    : undefined;
}

export async function trainSection(r: TrainResults, prefix: string): Promise<Section> {
  const sweep = sweepTable(r);
  return {
    heading: `${r.model.name}: forward gradient vs backpropagation (run ${r.runId})`,
    notes: [
      `${r.model.description}. Data: ${r.data.source} (${r.data.train} training, ${r.data.validation} validation examples). ${r.settings.iterations} iterations, minibatch ${r.settings.batchSize}, η_i = η_0·e^(−i·${r.settings.decay}), optimizer ${r.settings.optimizer}, ${r.settings.directions} direction(s) per FGD step, ${r.settings.runs} run(s) per method (seeds ${r.settings.seed}…${r.settings.seed + r.settings.runs - 1}; run r of both methods shares its initial parameters and minibatches). Validation every ${r.settings.evalEvery} steps; training time excludes evaluation. Created ${r.createdAt}.`,
      `Step costs: medians over ${r.steps.rounds} interleaved rounds of ${r.steps.stepsPerRound} steps, measured in this process before training.`,
    ],
    tables: [summaryTable(r), comparisonTable([r]), ...(sweep ? [sweep] : [])],
    figures: await trainFigures(r, prefix),
  };
}

export async function scalingSection(r: ScalingResults, prefix: string): Promise<Section> {
  const methods = [...new Set(r.points.flatMap((p) => p.methods.map((m) => m.method)))];
  const line = (y: (m: ScalingResults['points'][number]['methods'][number]) => number): MethodSeries[] =>
    methods.map((method) => ({
      name: METHOD_LABELS[method],
      runs: [
        {
          x: r.points.map((p) => p.depth),
          y: r.points.map((p) => {
            const m = p.methods.find((q) => q.method === method);
            return m ? y(m) : NaN;
          }),
        },
      ],
    }));
  const specs: Array<[string, string, MethodSeries[], string]> = [
    ['scaling-time', 'Time of one step against depth L', line((m) => m.ms), 'ms per step'],
    [
      'scaling-memory',
      'Peak memory of one step against depth L (tensors beyond those held before the step)',
      line((m) => m.peakBytes / 2 ** 20),
      'MiB',
    ],
  ];
  const figures: Figure[] = [];
  for (const [file, title, s, yTitle] of specs) {
    const spec = runsLineChart(s, {
      title,
      xTitle: 'depth L (hidden layers of width 1024)',
      yTitle,
      logY: true,
      logX: true,
    }) as { layer: Array<{ mark: object }> };
    spec.layer = spec.layer.map((l) => ({ ...l, mark: { ...(l.mark as object), point: true } }));
    figures.push({ file: `${prefix}${file}.svg`, title, svg: await vegaLiteToSvg(spec) });
  }
  return {
    heading: `Depth scaling (Figure 6, run ${r.runId})`,
    notes: [
      `MLP with L hidden layers of width ${r.settings.width}, no bias; minibatch ${r.settings.batchSize}; medians of ${r.settings.rounds} interleaved rounds × ${r.settings.stepsPerRound} steps. Memory: peak bytes alive during a step beyond those alive before it (parameters and minibatch): pooled tensors at the peak (memoryInfo().peakBytes after resetPeakMemory()), which include FGD's tangent v (K·n floats) and backprop's gradient (n floats); not process RSS. Created ${r.createdAt}.`,
    ],
    tables: [
      {
        caption: 'One step per depth',
        head: [
          'L',
          'parameters',
          'base',
          ...methods.flatMap((m) => [`${m} time`, `${m} peak memory`]),
          ...(methods.length === 2 ? ['time fgd/backprop', 'memory fgd/backprop'] : []),
        ],
        rows: r.points.map((p) => {
          const get = (k: string) => p.methods.find((m) => m.method === k);
          const f = get('fgd'),
            b = get('backprop');
          return [
            String(p.depth),
            p.parameters.toLocaleString('en-US'),
            fmt.ms(p.baseMs),
            ...methods.flatMap((k) => {
              const m = get(k)!;
              return [m.status === 'completed' ? fmt.ms(m.ms) : m.status, fmt.mb(m.peakBytes)];
            }),
            ...(f && b ? [fmt.ratio(f.ms / b.ms), fmt.ratio(f.peakBytes / b.peakBytes)] : []),
          ];
        }),
      },
    ],
    figures,
  };
}
