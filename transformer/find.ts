// Pass 1: find the functions the user marked. `/** @forwardGrad */` is read from the leading comment text
// (tspc does not parse JSDoc in .ts files), the `@forwardGrad` decorator on methods, and
// `/** @customJvp ruleName */` for user-supplied derivatives.
import * as ts from 'typescript';
import { CODES, ForwardGradError } from './diagnostics';
import { walk } from './nesting';

export type DiffFunction = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration;

export interface CustomMark {
  readonly fn: ts.FunctionDeclaration;
  readonly rule: string;
}
export interface Annotations {
  readonly annotated: DiffFunction[];
  readonly custom: CustomMark[];
  /** Annotated functions that are not module-level: nested declarations, object-literal methods (registered in place). */
  readonly nested: DiffFunction[];
  /** Annotations that stand where no function can take them (TS94004). */
  readonly errors: ForwardGradError[];
  /** Function literals passed directly to jvp/forwardGradient/fgd (the callee is checked against the runtime later). */
  readonly literals: { readonly fn: ts.ArrowFunction | ts.FunctionExpression; readonly call: ts.CallExpression }[];
}

export const LITERAL_TAKERS = new Set(['jvp', 'forwardGradient', 'fgd']);

// Tags count only where a JSDoc tag can stand: at the start of a comment line (after `/**`, `*` or
// `//`), so prose that merely mentions `@forwardGrad` mid-sentence annotates nothing.
const TAG_START = String.raw`(?:^|\n)[ \t]*(?:\/\*\*?|\*|\/\/)?[ \t]*`;
const FORWARD_GRAD = new RegExp(TAG_START + String.raw`@forwardGrad\b`);
const CUSTOM_TAG = new RegExp(TAG_START + String.raw`@customJvp\b`);
const CUSTOM_JVP = new RegExp(TAG_START + String.raw`@customJvp\s+([A-Za-z_$][\w$]*)`);

function hasForwardGradDecorator(node: ts.MethodDeclaration): boolean {
  return (ts.getDecorators(node) ?? []).some((d) => {
    const e = ts.isCallExpression(d.expression) ? d.expression.expression : d.expression;
    return ts.isIdentifier(e) && e.text === 'forwardGrad';
  });
}

/** The function literal a `const f = …` initializer holds, looking through parentheses. */
export function functionInitializer(
  decl: ts.VariableDeclaration,
): ts.ArrowFunction | ts.FunctionExpression | undefined {
  let e = decl.initializer;
  while (e && ts.isParenthesizedExpression(e)) e = e.expression;
  return e && (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) ? e : undefined;
}

/** Where an annotation can stand, and what it then annotates (nested places get their twin registered in place). */
function annotatedFunctionOf(n: ts.Node): { fn: DiffFunction; nested: boolean } | undefined {
  const top = ts.isSourceFile(n.parent);
  if (ts.isFunctionDeclaration(n) && n.body) return { fn: n, nested: !top };
  if (ts.isVariableStatement(n)) {
    const d = n.declarationList.declarations;
    const fn = d.length === 1 ? functionInitializer(d[0]) : undefined;
    return fn && ts.isIdentifier(d[0].name) ? { fn, nested: !top } : undefined;
  }
  if (
    ts.isMethodDeclaration(n) &&
    n.body &&
    (ts.isClassDeclaration(n.parent) || ts.isObjectLiteralExpression(n.parent))
  ) {
    return { fn: n, nested: ts.isObjectLiteralExpression(n.parent) || !ts.isSourceFile(n.parent.parent) };
  }
  if (ts.isPropertyAssignment(n) && ts.isObjectLiteralExpression(n.parent)) {
    let e = n.initializer;
    while (ts.isParenthesizedExpression(e)) e = e.expression;
    return ts.isArrowFunction(e) || ts.isFunctionExpression(e) ? { fn: e, nested: true } : undefined;
  }
  return undefined;
}

/** Places a leading annotation comment may attach to (statements and members); the annotation must name a function there. */
function isAnnotationSite(n: ts.Node): boolean {
  return (
    ts.isStatement(n) ||
    ts.isClassElement(n) ||
    ts.isObjectLiteralElementLike(n) ||
    ts.isTypeElement(n) ||
    ts.isEnumMember(n)
  );
}

/** Comments in the trivia at `pos`: block comments on the previous token's line (TypeScript calls them trailing) and those on the lines after. */
function commentsAt(sf: ts.SourceFile, pos: number): ts.CommentRange[] {
  // a `//` comment ending a line of code remarks on that code: only block comments annotate from there
  const sameLine = (ts.getTrailingCommentRanges(sf.text, pos) ?? []).filter(
    (r) => r.kind === ts.SyntaxKind.MultiLineCommentTrivia,
  );
  return [...sameLine, ...(ts.getLeadingCommentRanges(sf.text, pos) ?? [])];
}

/** Every `@forwardGrad`/`@customJvp` comment in the file (start positions), read from the trivia before each token. */
function annotationComments(sf: ts.SourceFile): Map<number, { pos: number; end: number }> {
  const found = new Map<number, { pos: number; end: number }>();
  if (!sf.text.includes('@forwardGrad') && !sf.text.includes('@customJvp')) return found;
  // every token's trivia, without recursion (deeply nested files, issue 10)
  const todo: ts.Node[] = [sf];
  for (let n = todo.pop(); n; n = todo.pop()) {
    for (const r of commentsAt(sf, n.pos)) {
      const text = sf.text.slice(r.pos, r.end);
      if (FORWARD_GRAD.test(text) || CUSTOM_JVP.test(text) || CUSTOM_TAG.test(text)) found.set(r.pos, r);
    }
    todo.push(...n.getChildren(sf));
  }
  return found;
}

const describeSite = (n: ts.Node): string =>
  ts.isVariableStatement(n)
    ? 'a variable that does not hold a function literal'
    : ts.isClassDeclaration(n)
      ? 'a class (annotate its methods)'
      : ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)
        ? 'a type'
        : ts.isFunctionDeclaration(n)
          ? 'a function without a body'
          : ts.isPropertyDeclaration(n)
            ? 'a class property'
            : ts.isExpressionStatement(n)
              ? 'an expression statement'
              : `${ts.SyntaxKind[n.kind]}`;

export function findAnnotations(sf: ts.SourceFile): Annotations {
  const annotated: DiffFunction[] = [];
  const nested: DiffFunction[] = [];
  const custom: CustomMark[] = [];
  const literals: Annotations['literals'] = [];
  const errors: ForwardGradError[] = [];
  const comments = annotationComments(sf);
  const used = new Set<number>();
  let at: ts.Node = sf;
  const take = (n: ts.Node): string => {
    const rs = commentsAt(sf, n.pos).filter((r) => comments.has(r.pos));
    for (const r of rs) used.add(r.pos);
    // errors point at the annotation itself
    at = rs.length ? (new CommentNode(sf, rs[0].pos, rs[0].end) as unknown as ts.Node) : n;
    return rs.map((r) => sf.text.slice(r.pos, r.end)).join('\n');
  };
  // every node of the file, however deeply nested: without recursion (issue 10)
  walk(sf, (n) => {
    if (ts.isCallExpression(n) && n.arguments.length > 0) {
      const c = n.expression;
      const name = ts.isIdentifier(c) ? c.text : ts.isPropertyAccessExpression(c) ? c.name.text : '';
      let a = n.arguments[0];
      while (ts.isParenthesizedExpression(a)) a = a.expression;
      if (LITERAL_TAKERS.has(name) && (ts.isArrowFunction(a) || ts.isFunctionExpression(a)))
        literals.push({ fn: a, call: n });
    }
    if (isAnnotationSite(n)) {
      const text = take(n);
      const decorated = ts.isMethodDeclaration(n) && ts.isClassDeclaration(n.parent) && hasForwardGradDecorator(n);
      if (text || decorated) {
        const site = annotatedFunctionOf(n);
        const rule = CUSTOM_JVP.exec(text)?.[1];
        // a rule may also stand before a `declare function` (a library function given a derivative)
        if (rule && ts.isFunctionDeclaration(n) && ts.isSourceFile(n.parent)) custom.push({ fn: n, rule });
        else if (CUSTOM_TAG.test(text)) {
          errors.push(
            new ForwardGradError(
              at,
              rule
                ? '@customJvp annotates a module-level function declaration only'
                : '@customJvp needs the name of its rule',
              rule
                ? `declare the function with a rule at module level: /** @customJvp ${rule} */ function f(…) {…}`
                : 'write /** @customJvp ruleName */ with ruleName(x, dx, …) returning [value, tangent]',
              CODES.badAnnotation,
            ),
          );
        } else if (site) (site.nested ? nested : annotated).push(site.fn);
        else {
          errors.push(
            new ForwardGradError(
              at,
              `@forwardGrad stands before ${describeSite(n)}, not a function: it would annotate nothing`,
              'put /** @forwardGrad */ directly before a function declaration, a `const f = (…) => …` or a method',
              CODES.badAnnotation,
            ),
          );
        }
      }
    }
  });
  // an annotation inside an expression, before a closing brace, after the last statement…: never silently ignored
  for (const [pos, r] of comments) {
    if (used.has(pos)) continue;
    const at = new CommentNode(sf, r.pos, r.end);
    errors.push(
      new ForwardGradError(
        at as unknown as ts.Node,
        'this @forwardGrad annotation is not attached to a function the transform can see',
        'put /** @forwardGrad */ on its own line directly before a function declaration, a `const f = (…) => …` or a method',
        CODES.badAnnotation,
      ),
    );
  }
  return { annotated, nested, custom, literals, errors };
}

/** A comment's span, shaped like the node a diagnostic needs (file, start, width). */
class CommentNode {
  constructor(
    private readonly sf: ts.SourceFile,
    readonly pos: number,
    readonly end: number,
  ) {}
  getSourceFile(): ts.SourceFile {
    return this.sf;
  }
  getStart(): number {
    return this.pos;
  }
  getWidth(): number {
    return this.end - this.pos;
  }
  getText(): string {
    return this.sf.text.slice(this.pos, this.end);
  }
}
