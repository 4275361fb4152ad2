// Options objects are checked against the keys each API reads: a misspelt key (`{ strides: 2 }`,
// `{ wtr: 0 }`) would otherwise be ignored and the call would silently run with the default.
// The error names the key and the nearest valid one (edit distance), as a compiler would.

/** Levenshtein distance (insert, delete, substitute: cost 1 each), case-insensitive. */
export function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** The valid key closest to `key`, when it is close enough to be a likely typo (≤ 1/2 of its length). */
export function nearest(key: string, valid: readonly string[]): string | undefined {
  let best: string | undefined,
    bestD = Infinity;
  for (const v of valid) {
    const d = editDistance(key, v);
    if (d < bestD) {
      best = v;
      bestD = d;
    }
  }
  return bestD <= Math.max(2, Math.ceil(key.length / 2)) ? best : undefined;
}

/**
 * Throws unless `options` is undefined or a plain object whose own keys are all in `valid`.
 * `where` names the API (and the nested object), e.g. `conv2d` or `fgd: checkpoint`.
 */
export function checkOptions(options: unknown, valid: readonly string[], where: string, required = false): void {
  if (options === undefined && !required) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(
      `${where}: options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (valid.includes(key)) continue;
    const near = nearest(key, valid);
    throw new Error(
      `${where}: unknown option '${key}'${near ? ` (did you mean '${near}'?)` : ''}; valid options: ${valid.join(', ')}`,
    );
  }
}
