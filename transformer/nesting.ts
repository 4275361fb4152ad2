// Deeply nested code (issue 10). The analyses walk without recursion (`walk`), but lowering recurses once per
// expression level, and TypeScript's own emitter recurses into the nested if/else that a conditional needing
// temporaries becomes. Past these depths — far beyond hand-written code — a function is refused with a located error
// at its innermost node, never a stack overflow.
import * as ts from 'typescript';
import { CODES, ForwardGradError } from './diagnostics';
import { countWork } from './work';

/** Nodes on one path below a function: `((x * y + 1) * y + 1)…` nested 400 deep is 1,200 (parenthesis, +, ×). */
export const MAX_DEPTH = 1500;
/** Conditional expressions inside one another: each may become an if/else in the branch of the one around it. */
export const MAX_CONDITIONALS = 200;

/** Visits `root` and its descendants in source order with an explicit stack; `visit` returns false to skip children. */
export function walk(root: ts.Node, visit: (n: ts.Node) => boolean | void): void {
  const todo: ts.Node[] = [root];
  const children: ts.Node[] = [];
  for (let n = todo.pop(); n; n = todo.pop()) {
    if (visit(n) === false) continue;
    ts.forEachChild(n, (c) => {
      children.push(c);
    });
    while (children.length) todo.push(children.pop()!);
  }
}

/** Throws a located error (TS94005) when `fn` nests deeper than the transform follows. */
export function checkNesting(fn: ts.Node): void {
  const todo: { n: ts.Node; depth: number; conditionals: number }[] = [{ n: fn, depth: 0, conditionals: 0 }];
  for (let at = todo.pop(); at; at = todo.pop()) {
    countWork();
    const { n, depth, conditionals } = at;
    if (depth > MAX_DEPTH) {
      throw new ForwardGradError(
        n,
        `this code is nested more than ${MAX_DEPTH} levels deep inside the differentiated function, deeper than the transform follows`,
        'split the expression into steps held in intermediate variables (const t1 = …; const t2 = g(t1); …)',
        CODES.tooDeep,
      );
    }
    if (conditionals > MAX_CONDITIONALS) {
      throw new ForwardGradError(
        n,
        `more than ${MAX_CONDITIONALS} conditional expressions (c ? a : b) are nested here, deeper than the transform follows`,
        'split the choice into steps held in intermediate variables, or look the value up in a table',
        CODES.tooDeep,
      );
    }
    ts.forEachChild(n, (c) => {
      todo.push({ n: c, depth: depth + 1, conditionals: conditionals + (ts.isConditionalExpression(c) ? 1 : 0) });
    });
  }
}
