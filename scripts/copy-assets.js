#!/usr/bin/env node
// Copies the non-TypeScript files the package ships (run-time assets, ESM entry points) into dist/, at the same relative
// paths, after `tspc` has compiled the TypeScript (run by `npm run build`).
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
/** Which files count as run-time assets, per source directory. Extend here when a part ships one. */
const ASSETS = [
  { dir: 'kernels', extensions: ['.wasm'] },
  { dir: 'runtime', extensions: ['.wasm'] },
  { dir: 'cli', extensions: ['.html', '.css'] }, // report assets
  { dir: 'transformer', extensions: ['.mjs'] }, // ESM entry points (forwardgrad/esbuild)
];

let copied = 0;
for (const { dir, extensions } of ASSETS) {
  const from = path.join(root, dir);
  if (!fs.existsSync(from)) continue;
  for (const entry of fs.readdirSync(from, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !extensions.includes(path.extname(entry.name))) continue;
    const source = path.join(entry.parentPath ?? entry.path, entry.name);
    const target = path.join(root, 'dist', path.relative(root, source));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(source, target);
    copied += 1;
  }
}
console.log(`copy-assets: ${copied} file(s) copied to dist/`);
