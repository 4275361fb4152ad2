// The demo page (npm run web) in Chromium: it trains with falling loss on wasm, switches to WebGL2
// (SwiftShader here) mid-run and keeps training, classifies a digit drawn with the mouse, and in a
// browser without WebGL it says so and trains on wasm instead of showing a blank page.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildDemo } from '../../web/build';
import { REPO } from '../../web/bundle';
import { serve, type Served } from '../../web/server';
import { chromiumAvailable, CHROMIUM, CHROMIUM_ARGS, launchChromium } from './chromium';

const run = chromiumAvailable() ? describe : describe.skip;
if (!chromiumAvailable()) console.log(`test/browser: skipped, no Chromium at ${CHROMIUM}`);

interface Demo {
  ready: boolean;
  backend: string;
  detail: string;
  step: number;
  losses: number[];
  notes: string[];
  guess?: number;
  guessedOn?: { backend: string; step: number };
  error?: string;
  accuracy: number;
}
const demo = (page: Page) => page.evaluate(() => (globalThis as unknown as { __demo: Demo }).__demo);
const untilStep = (page: Page, n: number, timeout = 60_000) =>
  page.waitForFunction((k) => (globalThis as unknown as { __demo: Demo }).__demo.step >= k, n, {
    timeout,
    polling: 200,
  });
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

run('the demo page', () => {
  let server: Served, browser: Browser;
  beforeAll(async () => {
    server = await serve({ files: await buildDemo({ minify: false }) });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('trains on wasm with falling loss, classifies a drawn digit, switches to WebGL2 and keeps training', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The compact MLP: its loss falls visibly within 200 steps (measured 2.35 → 2.1 at lr 1e-3).
    await page.goto(`${server.url}?backend=wasm&model=compact&autostart=1`);
    await untilStep(page, 200);
    let d = await demo(page);
    expect(d).toMatchObject({ backend: 'wasm', detail: expect.stringContaining('2 threads') });
    // 30-step means: minibatch noise (σ ≈ 0.1 per step) is ≈ 0.02 on a mean, far below the fall.
    expect(mean(d.losses.slice(170, 200))).toBeLessThan(mean(d.losses.slice(0, 30)) - 0.1);

    const box = (await page.locator('#pad').boundingBox())!;
    const P = (x: number, y: number): [number, number] => [box.x + x * box.width, box.y + y * box.height];
    await page.mouse.move(...P(0.5, 0.15));
    await page.mouse.down();
    await page.mouse.move(...P(0.5, 0.85), { steps: 12 }); // a "1"
    await page.mouse.up();
    await page.waitForFunction(() => (globalThis as unknown as { __demo: Demo }).__demo.guess !== undefined);
    d = await demo(page);
    expect(d.guess).toBeGreaterThanOrEqual(0);
    expect(d.guess).toBeLessThanOrEqual(9);
    await page.click('#backend button[data-backend="gpujs-gpu"]');
    await page.waitForFunction(() => (globalThis as unknown as { __demo: Demo }).__demo.backend === 'gpujs-gpu');
    const at = (await demo(page)).step;
    await untilStep(page, at + 3); // about a step per second on SwiftShader
    // the drawn digit is classified again on WebGL2: its logits read back with `await data()`
    await page.waitForFunction(
      (k) => {
        const g = (globalThis as unknown as { __demo: Demo }).__demo.guessedOn;
        return g !== undefined && g.backend === 'gpujs-gpu' && g.step >= k;
      },
      at + 1,
      { timeout: 30_000 },
    );
    d = await demo(page);
    expect(d.guess).toBeGreaterThanOrEqual(0);
    expect(d.detail).toMatch(/^WebGL2 · /);
    expect(d.losses.slice(at).every(Number.isFinite)).toBe(true);

    expect(errors).toEqual([]);
    expect(d.error).toBeUndefined();
    fs.mkdirSync(path.join(REPO, 'reports', 'browser'), { recursive: true });
    await page.screenshot({ path: path.join(REPO, 'reports', 'browser', 'demo.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('without WebGL, says so and trains on wasm; picking WebGL then falls back with a note', async () => {
    const { chromium } = require('playwright-core') as typeof import('playwright-core');
    const noGl = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, '--disable-webgl', '--disable-3d-apis'],
      headless: true,
    });
    try {
      const page = await noGl.newPage();
      await page.goto(`${server.url}?model=compact&autostart=1`);
      await untilStep(page, 5);
      let d = await demo(page);
      expect(d.backend).toBe('wasm');
      expect(d.notes).toContain('This browser has no WebGL2: training runs on WebAssembly.');
      await page.click('#backend button[data-backend="gpujs-gpu"]');
      await page.waitForFunction(() => (globalThis as unknown as { __demo: Demo }).__demo.notes.length >= 2);
      d = await demo(page);
      expect(d.backend).toBe('wasm');
      expect(d.notes[1]).toMatch(
        /^WebGL is unavailable here \(backend 'gpujs-gpu' failed to load: gpujs-gpu: no GPU context for gpu\.js here .*\); using wasm\.$/,
      );
      expect(await page.locator('.note').count()).toBe(2); // visible on the page, not only in state
    } finally {
      await noGl.close();
    }
  }, 90_000);
});
