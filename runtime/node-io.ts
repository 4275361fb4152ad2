// The Node modules the runtime's file features use (IDX files, MNIST directories, checkpoints, JSON
// logs), in one place: runtime/node-io.browser.ts stands in for them in a browser bundle (package.json
// `browser` field), where those features throw a clear error instead of breaking the build.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createHash } from 'node:crypto';

export { fs, path, zlib, createHash };
