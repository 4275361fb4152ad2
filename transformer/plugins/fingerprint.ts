// A fingerprint of the transformer's own code (and the op manifest it reads), so caches keyed on it
// (jest's transform cache) never serve output of an older transformer.
import * as fs from 'fs';
import * as path from 'path';
import { sha1 } from './hash';

let cached: string | undefined;

export function transformerFingerprint(): string {
  if (cached !== undefined) return cached;
  const transformerDir = path.resolve(__dirname, '..');
  const manifestDir = path.resolve(transformerDir, '..', 'runtime', 'ops');
  const parts = [...listCode(transformerDir), ...listCode(manifestDir)].sort().flatMap((file) => {
    const stat = fs.statSync(file);
    return [file, String(stat.size), String(stat.mtimeMs)];
  });
  return (cached = sha1(...parts));
}

function listCode(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js)$/.test(e.name) && !/\.d\.ts$/.test(e.name))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}
