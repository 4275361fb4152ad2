// Screenshot of the demo for the README (npm run web:screenshot [-- seconds model backend]):
// builds and serves the page, trains for the given seconds in headless Chromium, draws a "7" on the
// pad, and writes docs/web-demo.png (the viewport, 1200×880).
import * as path from 'node:path';
import { buildDemo } from './build';
import { REPO } from './bundle';
import { serve } from './server';
import { launchChromium } from '../test/browser/chromium';

async function main(): Promise<void> {
  const [seconds = '45', model = 'paper', backend = 'wasm'] = process.argv.slice(2);
  const server = await serve({ files: await buildDemo() });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 880 } });
    await page.goto(`${server.url}?backend=${backend}&model=${model}&autostart=1`);
    await page.waitForFunction(
      () => (globalThis as unknown as { __demo?: { ready: boolean } }).__demo?.ready === true,
      undefined,
      { timeout: 60_000 },
    );
    await page.waitForTimeout(Number(seconds) * 1000);
    const box = (await page.locator('#pad').boundingBox())!;
    const P = (x: number, y: number): [number, number] => [box.x + x * box.width, box.y + y * box.height];
    await page.mouse.move(...P(0.28, 0.25));
    await page.mouse.down();
    for (const [x, y] of [
      [0.72, 0.25],
      [0.58, 0.55],
      [0.48, 0.8],
    ])
      await page.mouse.move(...P(x, y), { steps: 10 });
    await page.mouse.up();
    await page.waitForTimeout(1500);
    const file = path.join(REPO, 'docs', 'web-demo.png');
    await page.screenshot({ path: file });
    const s = await page.evaluate(
      () =>
        (
          globalThis as unknown as {
            __demo: { step: number; loss: number; accuracy: number; stepsPerSecond: number; guess?: number };
          }
        ).__demo,
    );
    console.log(
      `web: wrote ${file} (step ${s.step}, loss ${s.loss.toFixed(3)}, accuracy ${(100 * s.accuracy).toFixed(1)}%, ${s.stepsPerSecond.toFixed(1)} steps/s, guess ${s.guess})`,
    );
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  console.error(`web:screenshot: ${(e as Error).message}`);
  process.exit(1);
});
