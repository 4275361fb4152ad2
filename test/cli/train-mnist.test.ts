// `forwardgrad train logreg` end to end on a tiny run (a few dozen steps on a subset of the embedded
// digits, both methods): the logs, results.json and the report; a run killed mid-way and resumed
// from its checkpoints gives bit-identical losses for both methods; bad input (data, checkpoints
// from another run) is refused before anything is written. Children run the sources through our
// transformer (the models' twins), as cli.test.ts explains.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromiumPath, shootFigures } from '../support/browser';

const ROOT = path.resolve(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-train-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['-r', './test/support/register-transform.js', 'cli/main.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 240000,
  });
const TINY = [
  '--train-limit',
  '512',
  '--validation-limit',
  '256',
  '--timing-rounds',
  '1',
  '--timing-steps',
  '2',
  '--quiet',
];
const results = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'));

describe('train logreg (tiny)', () => {
  const out = path.join(tmp, 'logreg');

  test('writes logs, results.json with both methods and a report', () => {
    const r = cli(
      'train',
      'logreg',
      '--iterations',
      '40',
      '--eval-every',
      '10',
      '--lr',
      '0.01',
      ...TINY,
      '--runs',
      '2',
      '--out',
      out,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`report: ${path.join(out, 'index.html')}`);
    const res = results(out);
    expect(res).toMatchObject({
      kind: 'forwardgrad-train',
      experiment: 'logreg',
      data: { train: 512, validation: 256 },
      settings: { iterations: 40, runs: 2, batchSize: 64, decay: 1e-4, evalEvery: 10 },
    });
    expect(typeof res.runId).toBe('string');
    expect(Number.isNaN(Date.parse(res.createdAt))).toBe(false);
    expect(res.methods.map((m: { method: string }) => m.method)).toEqual(['fgd', 'backprop']);
    for (const m of res.methods) {
      expect(m.lr).toBe(0.01);
      expect(m.runs).toHaveLength(2);
      expect(m.valAccuracy).toBeGreaterThanOrEqual(0);
      expect(m.valAccuracy).toBeLessThanOrEqual(1);
      for (const run of m.runs) {
        expect(run.status).toBe('completed');
        expect(run.step).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        expect(run.eval.step).toEqual([0, 10, 20, 30, 40]);
        // both methods learn something in 40 steps at this rate: the validation loss goes down
        expect(run.eval.valLoss[4]).toBeLessThan(run.eval.valLoss[0]);
        expect(fs.existsSync(path.join(out, run.log))).toBe(true);
      }
    }
    expect(res.steps.baseMs).toBeGreaterThan(0);
    expect(res.steps.rf).toBeCloseTo(res.steps.fgdMs / res.steps.baseMs, 10);
    expect(res.steps.rb).toBeCloseTo(res.steps.backpropMs / res.steps.baseMs, 10);
    expect(res.timeToLoss.perRun).toHaveLength(2);
    const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(html).toContain(res.runId);
    for (const f of ['loss-iteration', 'loss-time', 'val-loss-iteration', 'val-loss-time', 'val-accuracy'])
      expect(fs.existsSync(path.join(out, `${f}.svg`))).toBe(true);
  });

  const browserTest = chromiumPath() ? test : test.skip;
  browserTest(
    'its report page shows the five figures with plots in headless Chromium',
    async () => {
      const shot = await shootFigures(pathToFileURL(path.join(out, 'index.html')).href);
      expect(shot.figures).toHaveLength(5);
      for (const f of shot.figures) {
        expect(f.width).toBeGreaterThan(400);
        expect(f.height).toBeGreaterThan(250);
        expect(f.colouredPixels).toBeGreaterThan(500);
      }
    },
    60000,
  );

  test('a run killed mid-way resumes from its checkpoints bit-identically, for both methods', () => {
    const common = [
      'train',
      'logreg',
      '--iterations',
      '30',
      '--eval-every',
      '10',
      '--lr',
      '0.05',
      '--checkpoint-every',
      '10',
      '--runs',
      '1',
      ...TINY,
    ];
    const whole = cli(...common, '--checkpoint', path.join(tmp, 'ck-whole'), '--out', path.join(tmp, 'whole'));
    expect(whole.status).toBe(0);
    const ck = path.join(tmp, 'ck-killed');
    // killed in the FGD run after step 15 (checkpoint at 10), then in the backprop run after step 25
    const k1 = cli(...common, '--checkpoint', ck, '--out', path.join(tmp, 'killed'), '--test-kill-at', 'fgd:1:15');
    expect(k1.signal).toBe('SIGKILL');
    const k2 = cli(...common, '--resume', ck, '--out', path.join(tmp, 'killed'), '--test-kill-at', 'backprop:1:25');
    expect(k2.signal).toBe('SIGKILL');
    expect(fs.existsSync(path.join(tmp, 'killed'))).toBe(false); // nothing presented as a result
    const done = cli(...common, '--resume', ck, '--out', path.join(tmp, 'killed'));
    expect(done.stderr).toBe('');
    expect(done.status).toBe(0);
    const a = results(path.join(tmp, 'whole')),
      b = results(path.join(tmp, 'killed'));
    for (const i of [0, 1]) {
      const [ra, rb] = [a.methods[i].runs[0], b.methods[i].runs[0]];
      expect(rb.step).toEqual(ra.step);
      expect(rb.loss).toEqual(ra.loss); // every training loss, bit for bit
      expect(rb.eval.valLoss).toEqual(ra.eval.valLoss);
      expect(rb.eval.valAccuracy).toEqual(ra.eval.valAccuracy);
    }
  });

  test('resuming with other settings or another model is refused, naming what differs', () => {
    const ck = path.join(tmp, 'ck-whole');
    const r = cli(
      'train',
      'logreg',
      '--iterations',
      '30',
      '--eval-every',
      '10',
      '--lr',
      '0.07',
      '--checkpoint-every',
      '10',
      '--runs',
      '1',
      ...TINY,
      '--resume',
      ck,
      '--out',
      path.join(tmp, 'other'),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `forwardgrad: --resume ${ck}: the checkpoints are from another run: lr was {"fgd":0.05,"backprop":0.05}, now {"fgd":0.07,"backprop":0.07}\n`,
    );
    const m = cli(
      'train',
      'mlp',
      '--iterations',
      '30',
      '--eval-every',
      '10',
      '--lr',
      '0.05',
      '--checkpoint-every',
      '10',
      '--runs',
      '1',
      ...TINY,
      '--resume',
      ck,
      '--out',
      path.join(tmp, 'other'),
    );
    expect(m.status).toBe(1);
    expect(m.stderr).toMatch(
      /^forwardgrad: --resume .*ck-whole: the checkpoints are from another run: model was "logreg", now "mlp"\n$/,
    );
    expect(fs.existsSync(path.join(tmp, 'other'))).toBe(false);
  });
});

describe('train scaling (tiny)', () => {
  test("per depth: parameters, a step's time and peak memory of both methods; Figure 6 in the report", async () => {
    const out = path.join(tmp, 'scaling');
    const r = cli(
      'train',
      'scaling',
      '--depths',
      '1,2',
      '--timing-rounds',
      '1',
      '--timing-steps',
      '1',
      '--train-limit',
      '128',
      '--out',
      out,
      '--quiet',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const res = results(out);
    expect(res.kind).toBe('forwardgrad-scaling');
    // L layers of width 1024 without bias: 784·1024 + (L−1)·1024² + 1024·10
    expect(res.points.map((p: { depth: number; parameters: number }) => [p.depth, p.parameters])).toEqual([
      [1, 813056],
      [2, 1861632],
    ]);
    for (const p of res.points) {
      expect(p.methods.map((m: { method: string }) => m.method)).toEqual(['fgd', 'backprop']);
      for (const m of p.methods) {
        expect(m.status).toBe('completed');
        expect(m.ms).toBeGreaterThan(0);
        // Both hold at least one parameter-sized buffer in the pool (v for FGD, the gradient for backprop).
        expect(m.peakBytes).toBeGreaterThanOrEqual(4 * p.parameters);
      }
    }
    if (chromiumPath()) {
      const shot = await shootFigures(pathToFileURL(path.join(out, 'index.html')).href);
      expect(shot.figures.map((f) => f.caption)).toEqual([
        'Time of one step against depth L',
        'Peak memory of one step against depth L (tensors beyond those held before the step)',
      ]);
      for (const f of shot.figures) expect(f.colouredPixels).toBeGreaterThan(100); // two lines with points
    }
  }, 240000);
});

/** Writes MNIST-layout IDX files (ubyte) with `side`×`side` images into `dir`. */
function writeIdxDir(dir: string, side: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const idx = (file: string, dims: number[], data: Uint8Array) => {
    const h = Buffer.alloc(4 + 4 * dims.length);
    h.writeUInt8(0x08, 2);
    h.writeUInt8(dims.length, 3);
    dims.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
    fs.writeFileSync(path.join(dir, file), Buffer.concat([h, Buffer.from(data)]));
  };
  for (const [p, n] of [
    ['train', 20],
    ['t10k', 10],
  ] as const) {
    idx(`${p}-images-idx3-ubyte`, [n, side, side], new Uint8Array(n * side * side).fill(7));
    idx(
      `${p}-labels-idx1-ubyte`,
      [n],
      new Uint8Array(n).map((_, i) => i % 10),
    );
  }
}

describe('bad input is refused before anything is trained or written', () => {
  test('images of another size than the model takes: the error names the file', () => {
    const dir = path.join(tmp, 'small-images');
    writeIdxDir(dir, 8);
    const r = cli('train', 'mlp', '--data', dir, '--out', path.join(tmp, 'bad1'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^forwardgrad: --data ${dir}: .*${dir}/train-images-idx3-ubyte.*28, 28.*\\[20, 8, 8\\][^\\n]*\\n$`),
    );
    expect(fs.existsSync(path.join(tmp, 'bad1'))).toBe(false);
  });

  test('a truncated data file: the error names it', () => {
    const dir = path.join(tmp, 'truncated');
    writeIdxDir(dir, 28);
    const f = path.join(dir, 't10k-labels-idx1-ubyte');
    fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 12));
    const r = cli('train', 'logreg', '--data', dir, '--out', path.join(tmp, 'bad2'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^forwardgrad: --data ${dir}: .*${f}[^\\n]*\\n$`));
    expect(fs.existsSync(path.join(tmp, 'bad2'))).toBe(false);
  });
});
