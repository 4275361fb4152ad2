// Opens report pages in headless Chromium (Debian's `chromium`, driven by playwright-core) and
// measures what a reader sees: each figure's screenshot size and how many of its pixels are plot
// colours. The browser itself decodes the screenshots (drawn onto a canvas), so no PNG library.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

/** The Chromium binary: $CHROMIUM, else `chromium` on PATH (.ci/run installs it). */
export function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM && existsSync(process.env.CHROMIUM)) return process.env.CHROMIUM;
  try {
    return (
      execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim() ||
      undefined
    );
  } catch {
    return undefined;
  }
}

export interface FigureShot {
  caption: string;
  width: number;
  height: number;
  /** Pixels whose channels differ by more than 60 (plot lines, bands: not white, grey or black text). */
  colouredPixels: number;
  /** Pixels that are not near-white (anything drawn). */
  inkedPixels: number;
}

export async function shootFigures(
  url: string,
): Promise<{ title: string; figures: FigureShot[]; page: { width: number; height: number } }> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('chromium not found (apt-get install chromium, or set CHROMIUM)');
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--headless'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    const title = await page.title();
    const full = await page.screenshot({ fullPage: true });
    const counter = await browser.newPage();
    const count = async (png: Buffer) =>
      counter.evaluate(async (b64: string) => {
        // runs in the page: browser globals (this project compiles without the DOM types)
        const { Image, document } = globalThis as any;
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.width;
        c.height = img.height;
        const ctx = c.getContext('2d');
        ctx.drawImage(img, 0, 0);
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        let coloured = 0,
          inked = 0;
        for (let i = 0; i < d.length; i += 4) {
          const mx = Math.max(d[i], d[i + 1], d[i + 2]),
            mn = Math.min(d[i], d[i + 1], d[i + 2]);
          if (mx - mn > 60) coloured++;
          if (mn < 235) inked++;
        }
        return { width: img.width, height: img.height, coloured, inked };
      }, png.toString('base64'));
    const figures: FigureShot[] = [];
    for (const fig of await page.locator('figure').all()) {
      const r = await count(await fig.screenshot());
      figures.push({
        caption: (await fig.locator('figcaption').innerText()).trim(),
        width: r.width,
        height: r.height,
        colouredPixels: r.coloured,
        inkedPixels: r.inked,
      });
    }
    const whole = await count(full);
    return { title, figures, page: { width: whole.width, height: whole.height } };
  } finally {
    await browser.close();
  }
}
