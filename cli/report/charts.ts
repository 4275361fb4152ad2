// Generic chart specs for reports: many runs of several methods as lines (with a min–max band and
// the median), and trajectories over a contour plot of a 2-D function with a marked point.

export interface RunSeries {
  x: readonly number[];
  y: readonly number[];
}
export interface MethodSeries {
  name: string;
  runs: readonly RunSeries[];
}

export interface LineChartOptions {
  title: string;
  xTitle: string;
  yTitle: string;
  logY?: boolean;
  logX?: boolean;
  /** Draw each run as a thin line (default) and the per-x median with a min–max band. */
  band?: boolean;
  width?: number;
  height?: number;
}

/** A Vega-Lite spec: one thin line per run, coloured by method; optional median + min–max band. */
export function runsLineChart(series: readonly MethodSeries[], o: LineChartOptions): object {
  const values: Array<{ method: string; run: number; x: number; y: number }> = [];
  for (const s of series) {
    s.runs.forEach((r, run) =>
      r.x.forEach((x, i) => {
        const y = r.y[i];
        if (Number.isFinite(x) && Number.isFinite(y) && (!o.logY || y > 0) && (!o.logX || x > 0))
          values.push({ method: s.name, run, x, y });
      }),
    );
  }
  const x = { field: 'x', type: 'quantitative', title: o.xTitle, ...(o.logX ? { scale: { type: 'log' } } : {}) };
  const y = { field: 'y', type: 'quantitative', title: o.yTitle, scale: o.logY ? { type: 'log' } : { zero: false } };
  const color = { field: 'method', type: 'nominal', title: null, legend: { orient: 'top-right', labelLimit: 400 } };
  const layers: object[] = [
    {
      mark: { type: 'line', strokeWidth: 1, opacity: o.band ? 0.35 : 0.7 },
      encoding: { x, y, color, detail: { field: 'run', type: 'nominal' } },
    },
  ];
  if (o.band) {
    layers.unshift({
      mark: { type: 'area', opacity: 0.15 },
      encoding: { x, y: { ...y, aggregate: 'min', title: o.yTitle }, y2: { field: 'y', aggregate: 'max' }, color },
    });
    layers.push({
      mark: { type: 'line', strokeWidth: 2 },
      encoding: { x, y: { ...y, aggregate: 'median', title: o.yTitle }, color },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.title,
    width: o.width ?? 420,
    height: o.height ?? 300,
    background: 'white',
    data: { values },
    layer: layers,
  };
}

export interface Grid {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  nx: number;
  ny: number;
  values: number[];
}

/**
 * Samples f on an nx × ny grid of cell centres over [x0,x1]×[y0,y1], row 0 at the top (y1),
 * the layout Vega's isocontour expects.
 */
export function sampleGrid(
  f: (x: number, y: number) => number,
  x: readonly [number, number],
  y: readonly [number, number],
  nx: number,
  ny: number,
  map: (v: number) => number = (v) => v,
): Grid {
  const values: number[] = [];
  for (let r = 0; r < ny; r++) {
    const yy = y[1] - ((r + 0.5) * (y[1] - y[0])) / ny;
    for (let c = 0; c < nx; c++) values.push(map(f(x[0] + ((c + 0.5) * (x[1] - x[0])) / nx, yy)));
  }
  return { x0: x[0], x1: x[1], y0: y[0], y1: y[1], nx, ny, values };
}

// A five-pointed star in unit coordinates (Vega symbol shapes accept SVG path strings).
const STAR =
  'M0,-1L0.225,-0.309L0.951,-0.309L0.363,0.118L0.588,0.809L0,0.382L-0.588,0.809L-0.363,0.118L-0.951,-0.309L-0.225,-0.309Z';

export interface ContourChartOptions {
  title: string;
  /** Contour levels, in the grid's units. */
  thresholds: number[];
  thresholdTitle?: string;
  /** Pixels per grid cell (both axes, so the plot keeps the grid's aspect). */
  cell?: number;
  /** A point to star (e.g. the global minimum). */
  star?: readonly [number, number];
  /** Start points to mark with a circle. */
  xTitle?: string;
  yTitle?: string;
}

/** A Vega spec: filled contours of `grid`, each method's runs as paths, and a starred point. */
export function contourTrajectoryChart(grid: Grid, series: readonly MethodSeries[], o: ContourChartOptions): object {
  const cell = o.cell ?? 4,
    width = grid.nx * cell,
    height = grid.ny * cell;
  const paths: Array<{ method: string; run: string; i: number; x: number; y: number }> = [];
  for (const s of series) {
    s.runs.forEach((r, run) =>
      r.x.forEach((x, i) => {
        const y = r.y[i];
        if (Number.isFinite(x) && Number.isFinite(y)) paths.push({ method: s.name, run: `${s.name}#${run}`, i, x, y });
      }),
    );
  }
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    title: { text: o.title },
    width,
    height,
    padding: 5,
    autosize: 'pad',
    background: 'white',
    data: [
      { name: 'grid', values: [{ width: grid.nx, height: grid.ny, values: grid.values }] },
      { name: 'contours', source: 'grid', transform: [{ type: 'isocontour', scale: cell, thresholds: o.thresholds }] },
      { name: 'paths', values: paths },
      { name: 'star', values: o.star ? [{ x: o.star[0], y: o.star[1] }] : [] },
    ],
    scales: [
      { name: 'x', type: 'linear', domain: [grid.x0, grid.x1], range: 'width', zero: false, nice: false },
      { name: 'y', type: 'linear', domain: [grid.y0, grid.y1], range: 'height', zero: false, nice: false },
      {
        name: 'level',
        type: 'linear',
        domain: [o.thresholds[0], o.thresholds[o.thresholds.length - 1]],
        range: { scheme: 'greys' },
      },
      { name: 'method', type: 'ordinal', domain: series.map((s) => s.name), range: 'category' },
    ],
    axes: [
      { scale: 'x', orient: 'bottom', title: o.xTitle ?? 'x' },
      { scale: 'y', orient: 'left', title: o.yTitle ?? 'y' },
    ],
    legends: [
      { fill: 'method', title: null, orient: 'top-right', symbolType: 'stroke', stroke: 'method', labelLimit: 400 },
      { fill: 'level', title: o.thresholdTitle ?? 'level', orient: 'right', type: 'gradient' },
    ],
    marks: [
      {
        type: 'path',
        from: { data: 'contours' },
        encode: {
          enter: {
            stroke: { value: '#888' },
            strokeWidth: { value: 0.5 },
            fill: { scale: 'level', field: 'contour.value' },
            fillOpacity: { value: 0.4 },
          },
        },
        transform: [{ type: 'geopath', field: 'datum.contour' }],
      },
      {
        type: 'group',
        from: { facet: { name: 'run', data: 'paths', groupby: ['run', 'method'] } },
        marks: [
          {
            type: 'line',
            from: { data: 'run' },
            sort: { field: 'datum.i' },
            encode: {
              enter: {
                x: { scale: 'x', field: 'x' },
                y: { scale: 'y', field: 'y' },
                stroke: { scale: 'method', field: 'method' },
                strokeWidth: { value: 1 },
                strokeOpacity: { value: 0.6 },
              },
            },
          },
        ],
      },
      {
        type: 'symbol',
        from: { data: 'star' },
        encode: {
          enter: {
            x: { scale: 'x', field: 'x' },
            y: { scale: 'y', field: 'y' },
            shape: { value: STAR },
            size: { value: 250 },
            fill: { value: 'gold' },
            stroke: { value: 'black' },
            strokeWidth: { value: 1 },
          },
        },
      },
    ],
  };
}
