// A unified diff (`diff -u` format, 3 lines of context) of one file, for `forwardgrad init --dry-run`.
// Config files and build scripts are small: a plain longest-common-subsequence table is enough.

const CONTEXT = 3;

type Op = { readonly kind: ' ' | '-' | '+'; readonly line: string };

export function unifiedDiff(fileName: string, before: string | undefined, after: string): string {
  const a = before === undefined ? [] : lines(before);
  const b = lines(after);
  const ops = diffLines(a, b);
  const out = [`--- ${before === undefined ? '/dev/null' : `a/${fileName}`}`, `+++ b/${fileName}`];
  let aLine = 1;
  let bLine = 1;
  const positions = ops.map((op) => {
    const at = { a: aLine, b: bLine };
    if (op.kind !== '+') aLine += 1;
    if (op.kind !== '-') bLine += 1;
    return at;
  });
  // hunks: changes less than 2·CONTEXT unchanged lines apart share one, with CONTEXT lines around
  const changed = ops.flatMap((o, k) => (o.kind === ' ' ? [] : [k]));
  let g = 0;
  while (g < changed.length) {
    let h = g;
    while (h + 1 < changed.length && changed[h + 1] - changed[h] <= 2 * CONTEXT + 1) h += 1;
    const start = Math.max(0, changed[g] - CONTEXT);
    const end = Math.min(ops.length, changed[h] + 1 + CONTEXT);
    const hunk = ops.slice(start, end);
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    out.push(
      `@@ -${aCount ? positions[start].a : positions[start].a - 1},${aCount} +${bCount ? positions[start].b : positions[start].b - 1},${bCount} @@`,
    );
    for (const o of hunk) out.push(`${o.kind}${o.line}`);
    g = h + 1;
  }
  return out.join('\n') + '\n';
}

function lines(text: string): string[] {
  const split = text.split(/\r?\n/);
  if (split[split.length - 1] === '') split.pop();
  return split;
}

function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..]
  const lcs = Array.from({ length: a.length + 1 }, () => new Int32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i] });
      i += 1;
      j += 1;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      ops.push({ kind: '-', line: a[i] });
      i += 1;
    } else {
      ops.push({ kind: '+', line: b[j] });
      j += 1;
    }
  }
  return ops;
}
