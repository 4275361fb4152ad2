// The paper's measures as the report computes them (median, T_b/T_f, ratios), the reading of a
// resumed run's log back into curves, and the time grid the shaded plots use. Exact numbers:
// every value below is worked out by hand from the inputs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { median, stepCosts, timeToBest, timeToLoss, timeToReach } from '../../cli/experiments/measures';
import { readRunLog, resultsJson, readResults, ScalingResults } from '../../cli/experiments/results';
import { fmt, onTimeGrid } from '../../cli/report/train';

describe('measures', () => {
  test('median: odd and even counts, NaN dropped, ∞ kept', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([NaN, 5, NaN])).toBe(5);
    expect(median([])).toBeNaN();
    expect(median([1, Infinity, Infinity])).toBe(Infinity); // most runs never reached it
    expect(median([1, 2, Infinity])).toBe(2);
  });

  test("T_b is the first time of backprop's lowest loss; T_f the first time FGD reaches it", () => {
    const bp = { ms: [0, 10, 20, 30], valLoss: [2, 1, 0.5, 0.5] };
    expect(timeToBest(bp)).toEqual({ ms: 20, loss: 0.5 });
    expect(timeToReach({ ms: [0, 5, 9], valLoss: [2, 0.6, 0.5] }, 0.5)).toBe(9);
    expect(timeToReach({ ms: [0, 5], valLoss: [2, 0.6] }, 0.5)).toBe(Infinity);
    const t = timeToLoss(
      [
        { ms: [0, 4, 8], valLoss: [2, 0.5, 0.4] },
        { ms: [0, 6], valLoss: [2, 0.9] },
        { ms: [0, 3], valLoss: [2, 0.2] },
      ],
      [bp, { ms: [0, 12], valLoss: [2, 0.3] }, { ms: [0, 7], valLoss: [2, 0.2] }],
    );
    expect(t.perRun).toEqual([
      { tb: 20, target: 0.5, tf: 4 },
      { tb: 12, target: 0.3, tf: Infinity },
      { tb: 7, target: 0.2, tf: 3 },
    ]);
    expect(t.tb).toBe(12);
    expect(t.tf).toBe(4);
    expect(t.ratio).toBe(4 / 12);
  });

  test('step costs: ratios of medians to the base', () => {
    expect(stepCosts([1, 2, 3], [4, 6, 5], [9, 9, 12])).toEqual({
      baseMs: 2,
      fgdMs: 5,
      backpropMs: 9,
      rf: 2.5,
      rb: 4.5,
      rfOverRb: 2.5 / 4.5,
    });
    expect(stepCosts([2], [4])).toEqual({ baseMs: 2, fgdMs: 4, rf: 2 });
  });

  test('formatting never hides "not reached" or a missing value', () => {
    expect(fmt.ms(Infinity)).toBe('not reached');
    expect(fmt.ms(undefined)).toBe('—');
    expect(fmt.ms(1500)).toBe('1.50 s');
    expect(fmt.ratio(Infinity)).toBe('∞ (not reached)');
    expect(fmt.ratio(0.5556)).toBe('0.556');
  });
});

describe('results files and logs', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-measures-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('a resumed log: steps after the checkpoint once, the resumed times continued', () => {
    const log = path.join(tmp, 'run.jsonl');
    const lines = [
      { type: 'eval', step: 0, ms: 0, valLoss: 2.3, valAccuracy: 0.1 },
      { type: 'header', startStep: 1, resume: null },
      { type: 'step', step: 1, loss: 2, ms: 10 },
      { type: 'step', step: 2, loss: 1.5, ms: 20 },
      { type: 'eval', step: 2, ms: 20, valLoss: 1.4, valAccuracy: 0.5 },
      // killed after step 2 (checkpoint at 2); resumed: fgd's times restart at 0
      { type: 'header', startStep: 3, resume: 'ck' },
      { type: 'step', step: 3, loss: 1.2, ms: 11 },
      { type: 'step', step: 4, loss: 1.1, ms: 22 },
      { type: 'eval', step: 4, ms: 22, valLoss: 1.0, valAccuracy: 'NaN' },
      { type: 'end', status: 'completed', step: 4, loss: 1.1, ms: 22 },
    ];
    fs.writeFileSync(log, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const c = readRunLog(log);
    expect(c.step).toEqual([1, 2, 3, 4]);
    expect(c.loss).toEqual([2, 1.5, 1.2, 1.1]);
    expect(c.timeMs).toEqual([10, 20, 31, 42]);
    expect(c.eval).toEqual({
      step: [0, 2, 4],
      timeMs: [0, 20, 42],
      valLoss: [2.3, 1.4, 1.0],
      valAccuracy: [0.1, 0.5, NaN],
    });
    expect(c.status).toBe('completed');
    expect(c.trainingMs).toBe(42);
  });

  test('results.json keeps Infinity (not reached) through a round trip and is checked on reading', () => {
    const r: ScalingResults = {
      kind: 'forwardgrad-scaling',
      version: 1,
      runId: 'x',
      createdAt: 'now',
      settings: { depths: [1], batchSize: 64, rounds: 1, stepsPerRound: 1, seed: 1, width: 1024 },
      points: [{ depth: 1, parameters: 1, baseMs: Infinity, methods: [] }],
      totalMs: NaN,
    };
    const f = path.join(tmp, 'results.json');
    fs.writeFileSync(f, resultsJson(r));
    expect(readResults(f)).toEqual(r);
    fs.writeFileSync(f, '{"kind":"something"}');
    expect(() => readResults(f)).toThrow(`report: ${f} is not a forwardgrad results file (kind something)`);
  });
});

test("the time grid: each run's last value at or before each grid time, nothing past its end", () => {
  const [a, b] = onTimeGrid(
    [
      { x: [0, 1, 2], y: [5, 4, 3] },
      { x: [0, 4], y: [9, 8] },
    ],
    5,
  ); // grid 0, 1, 2, 3, 4
  expect(a).toEqual({ x: [0, 1, 2], y: [5, 4, 3] });
  expect(b).toEqual({ x: [0, 1, 2, 3, 4], y: [9, 9, 9, 9, 8] });
});
