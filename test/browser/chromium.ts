// Launching the machine's Chromium for the browser suite and benchmark: Debian's `chromium` driven by
// playwright-core (no browser download). WebGL2 runs on SwiftShader (ANGLE's CPU Vulkan device)
// where there is no GPU; every number measured through it is a CPU number.
import * as fs from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
];

export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM);
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = require('playwright-core') as typeof import('playwright-core'); // jest has no dynamic import
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}
