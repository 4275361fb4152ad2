// Minimal text edits located by the `typescript` parser, for `forwardgrad init`: an item is inserted
// into an object or array literal the way a person would type it (same indentation, same newline,
// the file's own trailing-comma habit, comments left where they are). Everything else in the file
// stays byte for byte, which a reprinted AST or JSON.stringify would not keep (JSONC comments,
// trailing commas, the user's layout).
import * as ts from 'typescript';

export interface Edit {
  readonly pos: number;
  readonly end: number;
  readonly text: string;
}

/** How the file is written: what an inserted line copies. */
export interface Style {
  readonly newline: string;
  /** One level of indentation. */
  readonly unit: string;
  readonly quote: '"' | "'";
}

export function detectStyle(text: string, defaultQuote: '"' | "'" = "'"): Style {
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const indents = text
    .split(/\r?\n/)
    .filter((l) => /\S/.test(l))
    .map((l) => /^[ \t]*/.exec(l)![0])
    .filter((i) => i.length > 0);
  // tabs if any line uses them, else the smallest indentation in use (two spaces in an unindented file)
  const unit = indents.some((i) => i.startsWith('\t'))
    ? '\t'
    : ' '.repeat(indents.length ? Math.min(...indents.map((i) => i.length), 8) : 2);
  const singles = (text.match(/'[^'\n]*'/g) ?? []).length;
  const doubles = (text.match(/"[^"\n]*"/g) ?? []).length;
  const quote = singles === doubles ? defaultQuote : singles > doubles ? "'" : '"';
  return { newline, unit, quote };
}

/** Applies non-overlapping edits; insertions at one position land in the order given. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  const order = edits.map((e, index) => ({ e, index })).sort((a, b) => b.e.pos - a.e.pos || b.index - a.index);
  for (const { e } of order) out = out.slice(0, e.pos) + e.text + out.slice(e.end);
  return out;
}

/** Leading whitespace of the line that holds `pos`. */
function indentAt(text: string, pos: number): string {
  const start = text.lastIndexOf('\n', pos - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** `\n` in a multi-line item becomes the file's newline plus the item's indentation. */
function place(item: string, indent: string, style: Style): string {
  return item.split('\n').join(style.newline + indent);
}

/**
 * Inserts `items` (source text; `\n` + `style.unit` for nested lines) at the end of an object or array
 * literal (`first`: at its start instead, e.g. the jest transform that must win over later patterns).
 */
export function insertItems(
  sf: ts.SourceFile,
  literal: ts.ObjectLiteralExpression | ts.ArrayLiteralExpression,
  items: readonly string[],
  style: Style,
  first = false,
): Edit[] {
  const text = sf.text;
  const elements: ts.NodeArray<ts.Node> = ts.isObjectLiteralExpression(literal) ? literal.properties : literal.elements;
  const open = literal.getStart(sf);
  const close = literal.end - 1;
  const outer = indentAt(text, open);
  const line = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line;

  if (elements.length === 0) {
    const inner = outer + style.unit;
    const body = items.map((i) => place(i, inner, style)).join(`,${style.newline}${inner}`);
    // `[]`, `{ }`: the items on lines of their own, after any comment inside
    const pos = open + 1 + text.slice(open + 1, close).trimEnd().length;
    return [{ pos, end: close, text: `${style.newline}${inner}${body}${style.newline}${outer}` }];
  }

  const multiline = line(elements[0].getStart(sf)) !== line(open);
  if (first) {
    const head = elements[0].getStart(sf);
    const indent = multiline ? indentAt(text, head) : '';
    const sep = multiline ? `,${style.newline}${indent}` : ', ';
    return [{ pos: head, end: head, text: items.map((i) => place(i, indent, style)).join(sep) + sep }];
  }

  const last = elements[elements.length - 1];
  const comma = elements.hasTrailingComma ? commaAfter(sf, last.end) : undefined;
  const after = comma ?? last.end;
  const edits: Edit[] = [];
  if (multiline) {
    const indent = indentAt(text, last.getStart(sf));
    // after the comments that end the last item's line, so they stay with it
    const comments = ts.getTrailingCommentRanges(text, after) ?? [];
    const at = comments.length ? comments[comments.length - 1].end : after;
    const sep = `,${style.newline}${indent}`;
    if (comma === undefined) edits.push({ pos: last.end, end: last.end, text: ',' });
    const body = items.map((i) => place(i, indent, style)).join(sep);
    // a closing bracket on the same line (`a: 1 }`) stays after the new items
    edits.push({ pos: at, end: at, text: `${style.newline}${indent}${body}${comma !== undefined ? ',' : ''}` });
  } else {
    const body = items.map((i) => place(i, indentAt(text, open), style)).join(', ');
    edits.push(
      comma !== undefined
        ? { pos: after, end: after, text: ` ${body},` }
        : { pos: last.end, end: last.end, text: `, ${body}` },
    );
  }
  return edits;
}

/** End of the comma that follows `pos` (past whitespace and comments). */
function commaAfter(sf: ts.SourceFile, pos: number): number | undefined {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, sf.text, undefined, pos);
  return scanner.scan() === ts.SyntaxKind.CommaToken ? scanner.getTokenEnd() : undefined;
}

/** The value of a property named `name` (identifier, string or numeric key), if the object has one. */
export function property(object: ts.ObjectLiteralExpression, name: string): ts.ObjectLiteralElementLike | undefined {
  return object.properties.find((p) => p.name !== undefined && propertyName(p.name) === name);
}

export function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) ||
    ts.isStringLiteral(name) ||
    ts.isNumericLiteral(name) ||
    ts.isNoSubstitutionTemplateLiteral(name)
    ? name.text
    : undefined;
}

/** A string literal's value, else undefined. */
export function stringValue(node: ts.Node | undefined): string | undefined {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
}

/** `(x)`, `x as T`, `x satisfies T`, `<T>x`: the x. */
export function unwrap(node: ts.Expression): ts.Expression {
  while (
    ts.isParenthesizedExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isSatisfiesExpression(node) ||
    ts.isTypeAssertionExpression(node)
  )
    node = node.expression;
  return node;
}
