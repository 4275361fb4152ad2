// Pass 1: find the functions the user marked. `/** @forwardGrad */` is read from the leading comment text
// (tspc does not parse JSDoc in .ts files), the `@forwardGrad` decorator on methods, and
// `/** @customJvp ruleName */` for user-supplied derivatives.
import * as ts from 'typescript';
import { walk } from './nesting';

export type DiffFunction = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration;

export interface CustomMark { readonly fn: ts.FunctionDeclaration; readonly rule: string }
export interface Annotations {
  readonly annotated: DiffFunction[];
  readonly custom: CustomMark[];
  /** Function literals passed directly to jvp/forwardGradient (the callee is checked against the runtime later). */
  readonly literals: { readonly fn: ts.ArrowFunction | ts.FunctionExpression; readonly call: ts.CallExpression }[];
}

const LITERAL_TAKERS = new Set(['jvp', 'forwardGradient']);

// Tags count only where a JSDoc tag can stand: at the start of a comment line (after `/**`, `*` or
// `//`), so prose that merely mentions `@forwardGrad` mid-sentence annotates nothing.
const TAG_START = String.raw`(?:^|\n)[ \t]*(?:\/\*\*?|\*|\/\/)?[ \t]*`;
const FORWARD_GRAD = new RegExp(TAG_START + String.raw`@forwardGrad\b`);
const CUSTOM_JVP = new RegExp(TAG_START + String.raw`@customJvp\s+([A-Za-z_$][\w$]*)`);

function leadingComments(node: ts.Node, sf: ts.SourceFile): string {
  return (ts.getLeadingCommentRanges(sf.text, node.pos) ?? []).map((r) => sf.text.slice(r.pos, r.end)).join('\n');
}

function hasForwardGradDecorator(node: ts.MethodDeclaration): boolean {
  return (ts.getDecorators(node) ?? []).some((d) => {
    const e = ts.isCallExpression(d.expression) ? d.expression.expression : d.expression;
    return ts.isIdentifier(e) && e.text === 'forwardGrad';
  });
}

/** The function literal a `const f = …` initializer holds, looking through parentheses. */
export function functionInitializer(decl: ts.VariableDeclaration): ts.ArrowFunction | ts.FunctionExpression | undefined {
  let e = decl.initializer;
  while (e && ts.isParenthesizedExpression(e)) e = e.expression;
  return e && (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) ? e : undefined;
}

export function findAnnotations(sf: ts.SourceFile): Annotations {
  const annotated: DiffFunction[] = [];
  const custom: CustomMark[] = [];
  const literals: Annotations['literals'] = [];
  // every file of the program is walked, however deeply nested: without recursion (issue 10)
  walk(sf, (n) => {
    if (ts.isCallExpression(n) && n.arguments.length > 0) {
      const c = n.expression;
      const name = ts.isIdentifier(c) ? c.text : ts.isPropertyAccessExpression(c) ? c.name.text : '';
      let a = n.arguments[0];
      while (ts.isParenthesizedExpression(a)) a = a.expression;
      if (LITERAL_TAKERS.has(name) && (ts.isArrowFunction(a) || ts.isFunctionExpression(a))) literals.push({ fn: a, call: n });
    }
  });
  for (const stmt of sf.statements) {
    const comments = leadingComments(stmt, sf);
    if (ts.isFunctionDeclaration(stmt)) {
      const rule = CUSTOM_JVP.exec(comments)?.[1];
      if (rule) custom.push({ fn: stmt, rule });
      else if (FORWARD_GRAD.test(comments) && stmt.body) annotated.push(stmt);
    } else if (ts.isVariableStatement(stmt) && FORWARD_GRAD.test(comments)) {
      for (const d of stmt.declarationList.declarations) {
        const fn = functionInitializer(d);
        if (fn) annotated.push(fn);
      }
    } else if (ts.isClassDeclaration(stmt)) {
      for (const m of stmt.members) {
        if (ts.isMethodDeclaration(m) && m.body && (hasForwardGradDecorator(m) || FORWARD_GRAD.test(leadingComments(m, sf)))) {
          annotated.push(m);
        }
      }
    }
  }
  return { annotated, custom, literals };
}
