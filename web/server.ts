// A static HTTP server for the demo page, the Chromium tests and the browser benchmark: serves
// files from memory (the esbuild outputs) and from a directory, on 127.0.0.1, with the headers that
// make a page cross-origin isolated (COOP + COEP), which SharedArrayBuffer and the wasm backend's
// helper thread need. Only GET/HEAD; paths outside the root are refused.
import * as http from 'node:http';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

export interface ServeOptions {
  /** Files by URL path ('/app.js'), served before the directory. */
  files?: Map<string, Uint8Array | string>;
  /** Directory served for other paths ('/' → index.html). */
  root?: string;
  port?: number;
  /** false: omit COOP/COEP (tests the page's fallback without SharedArrayBuffer). */
  isolated?: boolean;
}

export interface Served {
  url: string;
  close(): Promise<void>;
}

export async function serve(options: ServeOptions): Promise<Served> {
  const files = options.files ?? new Map();
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const headers: Record<string, string> = {
      'Cache-Control': 'no-store',
      ...(options.isolated === false ? {} : ISOLATION_HEADERS),
    };
    const send = (status: number, body: Uint8Array | string, type: string) => {
      res.writeHead(status, { ...headers, 'Content-Type': type });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed', 'text/plain');
    const key = urlPath === '/' ? '/index.html' : urlPath;
    const type = TYPES[path.extname(key)] ?? 'application/octet-stream';
    const mem = files.get(key);
    if (mem !== undefined) return send(200, mem, type);
    if (options.root) {
      const root = path.resolve(options.root),
        file = path.resolve(root, '.' + key);
      if (file.startsWith(root + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile())
        return send(200, fs.readFileSync(file), type);
    }
    send(404, `not found: ${urlPath}`, 'text/plain');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
