// Browser numbers (npm run bench -- browser): bundles web/bench/page.ts like a user's page,
// serves it cross-origin isolated on 127.0.0.1, loads it once in the machine's Chromium and prints
// per-op GFLOP/s and the FGD step time per backend; writes bench/out/browser.json.
// Without a GPU, Chromium's WebGL2 is SwiftShader: gpujs-gpu numbers are then CPU numbers.
import * as os from 'node:os';
import { bundlePage } from '../web/bundle';
import { serve } from '../web/server';
import { chromiumAvailable, CHROMIUM, CHROMIUM_ARGS, launchChromium } from '../test/browser/chromium';
import { writeResult } from './output';

interface Row {
  backend: string;
  case: string;
  MFLOP: number;
  ms: number;
  gflops: number;
  runs: number;
}

async function main(): Promise<void> {
  if (!chromiumAvailable())
    throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  const { js } = await bundlePage('web/bench/page.ts', { minify: true });
  const server = await serve({
    files: new Map<string, Uint8Array | string>([
      ['/index.html', '<!doctype html><body>benchmarking…</body><script type="module" src="/bench.js"></script>'],
      ['/bench.js', js],
    ]),
  });
  const browser = await launchChromium();
  const load = os.loadavg();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}?backends=${process.argv[2] ?? 'wasm,gpujs-gpu,js'}`);
    await page.waitForFunction(
      () => (globalThis as unknown as { __bench?: { done: boolean } }).__bench?.done === true,
      undefined,
      { timeout: 900_000, polling: 500 },
    );
    const r = await page.evaluate(
      () =>
        (
          globalThis as unknown as {
            __bench: {
              rows: Row[];
              errors: string[];
              renderer: string;
              crossOriginIsolated: boolean;
              threads?: number;
              userAgent: string;
            };
          }
        ).__bench,
    );
    const backends = [...new Set(r.rows.map((x) => x.backend))];
    const cases = [...new Set(r.rows.map((x) => x.case))];
    console.log(
      `Chromium ${/Chrome\/([\d.]+)/.exec(r.userAgent)?.[1]}, WebGL2 renderer: ${r.renderer}; cross-origin isolated: ${r.crossOriginIsolated}; wasm threads: ${r.threads}`,
    );
    console.log(`| case | ${backends.join(' | ')} |\n|---|${backends.map(() => '---').join('|')}|`);
    for (const c of cases) {
      const cells = backends.map((b) => {
        const x = r.rows.find((y) => y.backend === b && y.case === c);
        return x ? (c.startsWith('FGD') ? `${x.ms.toFixed(1)} ms` : x.gflops.toFixed(2)) : '';
      });
      console.log(`| ${c} | ${cells.join(' | ')} |`);
    }
    for (const e of r.errors) console.log(`error: ${e}`);
    const file = writeResult('browser.json', {
      date: new Date().toISOString(),
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      loadavgBefore: load,
      loadavgAfter: os.loadavg(),
      chromiumArgs: CHROMIUM_ARGS,
      ...r,
      units: 'GFLOP/s = MFLOP / ms / 1000 (median of ≥ 3 runs, ≥ 300 ms); FGD rows: ms per step',
    });
    console.log(`wrote ${file}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  console.error(`bench/browser: ${(e as Error).message}`);
  process.exit(1);
});
