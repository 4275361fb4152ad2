// Browser stand-ins for runtime/node-io.ts: a page has no file system, so readIdx, loadMnist({ data }),
// checkpoints and JSON logs cannot run there. Any use throws, naming the Node function and the fix;
// everything else in the runtime (tensors, jvp, fgd without files) works in the page.
import type * as NodeFs from 'node:fs';
import type * as NodePath from 'node:path';
import type * as NodeZlib from 'node:zlib';
import type { createHash as CreateHash } from 'node:crypto';

function unavailable<T extends object>(module: string): T {
  return new Proxy(
    {},
    {
      get(_t, key) {
        if (typeof key === 'symbol' || key === 'then') return undefined;
        return () => {
          throw new Error(
            `forwardgrad in a browser: ${module}.${String(key)} is not available (no file system). ` +
              'File features (readIdx, loadMnist({ data }), the embedded loadMnist(), checkpoints, logs) run in Node; ' +
              'in a page, pass data as tensors and keep state in memory',
          );
        };
      },
    },
  ) as T;
}

export const fs = unavailable<typeof NodeFs>('fs');
export const path = unavailable<typeof NodePath>('path');
export const zlib = unavailable<typeof NodeZlib>('zlib');
export const createHash = unavailable<{ f: typeof CreateHash }>('crypto').f;
