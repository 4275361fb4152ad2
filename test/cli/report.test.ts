// `forwardgrad report DIR` on results files (made here, with known numbers, so the page's table can
// be checked exactly), rendered by the CLI in a child process (vega is ESM-only), then opened in
// headless Chromium: every figure must show plot pixels, not only exist in the HTML.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { resultsJson, RunRecord, ScalingResults, TrainResults } from '../../cli/experiments/results';
import { chromiumPath, shootFigures } from '../support/browser';

const ROOT = path.resolve(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-report-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['-r', './test/support/register-transform.js', 'cli/main.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120000,
  });

/** A run whose losses fall like a·e^(−step/τ) + floor, with a small deterministic wiggle. */
function run(r: number, tau: number, msPerStep: number, floor: number): RunRecord {
  const steps = Array.from({ length: 101 }, (_, i) => i * 10);
  const loss = steps.map((s, i) => 2.3 * Math.exp(-s / tau) + floor + 0.02 * Math.sin(i + r));
  const evalSteps = steps.filter((s) => s % 100 === 0);
  const valLoss = evalSteps.map((s) => 2.3 * Math.exp(-s / tau) + floor + 0.01 * r);
  return {
    run: r,
    seed: r,
    status: 'completed',
    steps: 1000,
    trainingMs: 1000 * msPerStep,
    step: steps,
    loss,
    timeMs: steps.map((s) => s * msPerStep * (1 + 0.05 * r)),
    eval: {
      step: evalSteps,
      timeMs: evalSteps.map((s) => s * msPerStep),
      valLoss,
      valAccuracy: valLoss.map((l) => Math.min(0.99, 1 - l / 2.5)),
    },
    finalValLoss: valLoss[valLoss.length - 1],
    valAccuracy: Math.min(0.99, 1 - valLoss[valLoss.length - 1] / 2.5),
    log: `logs/run${r}.jsonl`,
  };
}

function trainResults(): TrainResults {
  return {
    kind: 'forwardgrad-train',
    version: 1,
    runId: '20261201T000000-abc123',
    createdAt: '2026-12-01T00:00:00.000Z',
    experiment: 'mlp',
    model: { name: 'mlp', description: 'MLP 784→1024→1024→10', paperLr: 2e-4 },
    data: { source: 'synthetic', train: 1000, validation: 200 },
    settings: {
      iterations: 1000,
      runs: 3,
      seed: 1,
      batchSize: 64,
      decay: 1e-4,
      directions: 1,
      optimizer: 'sgd',
      evalEvery: 100,
    },
    methods: [
      {
        method: 'fgd',
        label: 'Forward gradient (FGD)',
        lr: 3e-3,
        lrSource: 'test',
        runs: [1, 2, 3].map((r) => run(r, 600, 2, 0.4)),
        valAccuracy: 0.8,
      },
      {
        method: 'backprop',
        label: 'Backpropagation',
        lr: 0.1,
        lrSource: 'test',
        runs: [1, 2, 3].map((r) => run(r, 150, 3, 0.1)),
        valAccuracy: 0.95,
      },
    ],
    steps: { baseMs: 1, fgdMs: 2, backpropMs: 3, rf: 2, rb: 3, rfOverRb: 2 / 3, rounds: 5, stepsPerRound: 5 },
    timeToLoss: { perRun: [], tb: 3000, tf: Infinity, ratio: Infinity },
    totalMs: 1,
  };
}

function scalingResults(): ScalingResults {
  const depths = [1, 2, 4, 10];
  return {
    kind: 'forwardgrad-scaling',
    version: 1,
    runId: '20261201T000001-def456',
    createdAt: '2026-12-01T00:00:01.000Z',
    settings: { depths, batchSize: 64, rounds: 3, stepsPerRound: 3, seed: 1, width: 1024 },
    points: depths.map((L) => ({
      depth: L,
      parameters: 784 * 1024 + (L - 1) * 1024 * 1024 + 10240,
      baseMs: 2 * L,
      methods: [
        { method: 'fgd' as const, ms: 4 * L, peakBytes: L * 8e6, status: 'completed' as const },
        { method: 'backprop' as const, ms: 6 * L, peakBytes: L * 12e6, status: 'completed' as const },
      ],
    })),
    totalMs: 1,
  };
}

describe('forwardgrad report', () => {
  const dir = path.join(tmp, 'reports');
  beforeAll(() => {
    for (const [sub, res] of [
      ['mlp', trainResults()],
      ['scaling', scalingResults()],
    ] as const) {
      fs.mkdirSync(path.join(dir, sub), { recursive: true });
      fs.writeFileSync(path.join(dir, sub, 'results.json'), resultsJson(res));
    }
  });

  test("renders the figures, the table beside the paper's values and the run ids", () => {
    const r = cli('report', dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`report: ${path.join(dir, 'index.html')}`);
    const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    expect(html).toContain('20261201T000000-abc123');
    expect(html).toContain('20261201T000001-def456');
    // ours: base 1 ms, R_f 2, R_b 3, R_f/R_b 0.667, T_f not reached, T_b 3 s; the paper's MLP row
    expect(html).toMatch(
      /<td>mlp \(ours\)<\/td><td>1\.000 ms<\/td><td>2\.000<\/td><td>3\.000<\/td><td>0\.667<\/td><td>not reached<\/td><td>3\.00 s<\/td><td>∞ \(not reached\)<\/td>/,
    );
    expect(html).toMatch(
      /<td>mlp \(paper\)<\/td><td>—<\/td><td>2\.468<\/td><td>4\.165<\/td><td>0\.592<\/td><td>—<\/td><td>—<\/td><td>0\.211<\/td>/,
    );
    const svgs = [
      'mlp-loss-iteration',
      'mlp-loss-time',
      'mlp-val-loss-iteration',
      'mlp-val-loss-time',
      'mlp-val-accuracy',
      'scaling-scaling-time',
      'scaling-scaling-memory',
    ];
    for (const s of svgs) {
      expect(html).toContain(`href="${s}.svg"`);
      expect(fs.readFileSync(path.join(dir, `${s}.svg`), 'utf8').startsWith('<svg')).toBe(true);
    }
  });

  const browserTest = chromiumPath() ? test : test.skip;
  browserTest(
    'the page, opened in headless Chromium, shows plots in every figure',
    async () => {
      const shot = await shootFigures(pathToFileURL(path.join(dir, 'index.html')).href);
      expect(shot.title).toMatch(/Forward gradients vs backpropagation/);
      expect(shot.figures).toHaveLength(7);
      for (const f of shot.figures) {
        // vega-lite's default chart is 420×300 plus axes, title and legend
        expect(f.width).toBeGreaterThan(400);
        expect(f.height).toBeGreaterThan(250);
        // plot lines and bands in the method colours: thousands of pixels; a blank chart has none
        expect(f.colouredPixels).toBeGreaterThan(1000);
      }
      expect(shot.page.height).toBeGreaterThan(1000);
    },
    60000,
  );

  browserTest(
    'the pixel check sees an empty chart as empty (it can fail)',
    async () => {
      const page = path.join(tmp, 'blank.html');
      fs.writeFileSync(
        page,
        '<!doctype html><html><head><title>blank</title></head><body><figure><svg width="420" height="300"><text x="10" y="20">no data</text><line x1="0" y1="290" x2="420" y2="290" stroke="black"/></svg><figcaption>blank</figcaption></figure></body></html>',
      );
      const shot = await shootFigures(pathToFileURL(page).href);
      expect(shot.figures).toHaveLength(1);
      expect(shot.figures[0].inkedPixels).toBeGreaterThan(50);
      expect(shot.figures[0].colouredPixels).toBe(0);
    },
    60000,
  );

  test('a folder without results is a one-line error', () => {
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    const r = cli('report', empty);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      `forwardgrad: report: ${empty} holds no results.json or testfns.json (nor do its subfolders); give the folder forwardgrad train or demo wrote (its --out)`,
    );
  });
});
