// The one hash behind the plugins' caches (jest's and the register hook's cache keys, the
// transformer fingerprint, the program cache's file versions): SHA-1 over the parts, each ended by
// a NUL so ('ab', 'c') and ('a', 'bc') differ. A cache key, not a security boundary.
import { createHash } from 'crypto';

export function sha1(...parts: string[]): string {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}
