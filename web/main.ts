// `npm run web`: builds the demo and serves it on http://localhost:8080 (PORT to change) with the
// cross-origin-isolation headers; `npm run web -- --out <dir>` writes the static files instead (any
// host that sends COOP/COEP gets two wasm threads; without them the page runs on one).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildDemo } from './build';
import { serve } from './server';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const t0 = Date.now();
  const files = await buildDemo();
  const size = [...files.values()].reduce((s, f) => s + f.length, 0);
  console.log(`web: built ${files.size} files (${(size / 1e6).toFixed(2)} MB) in ${Date.now() - t0} ms`);
  const out = args.indexOf('--out');
  if (out >= 0) {
    const dir = path.resolve(args[out + 1] ?? 'web-dist');
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, body] of files) fs.writeFileSync(path.join(dir, name), body);
    console.log(`web: wrote ${dir}`);
    return;
  }
  const port = Number(process.env.PORT ?? 8080);
  const server = await serve({ files, port });
  console.log(`web: serving the demo at ${server.url.replace('127.0.0.1', 'localhost')} (Ctrl-C to stop)`);
}

main().catch((e) => {
  console.error(`web: ${(e as Error).message}`);
  process.exit(1);
});
