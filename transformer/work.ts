// A count of the transform's own steps: nodes analysed or lowered, type-checker queries. Build time must grow
// linearly with the input (issue 10: deeply nested expressions); tests assert it on this count, never on wall time.
let steps = 0;

/** One unit of the transform's work (a node visited, a checker query made). */
export function countWork(): void {
  steps++;
}

/** Steps counted so far in this process (read a difference around the work to measure). */
export function workCount(): number {
  return steps;
}
