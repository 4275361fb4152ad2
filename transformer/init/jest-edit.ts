// `forwardgrad init`, jest: the transform `'^.+\\.ts$': 'forwardgrad/jest'` in the config object of
// jest.config.{js,cjs,mjs,ts} (or package.json's "jest"). A text edit at positions from the `typescript`
// parser, like the tsconfig edit: the rest of the file stays as the user wrote it.
import * as ts from 'typescript';
import { applyEdits, detectStyle, type Edit, insertItems, property, stringValue, unwrap } from './text-edit';
import { InitError, type Wired } from './result';

export const JEST_TRANSFORM = 'forwardgrad/jest';
/** The pattern the README gives; in jest's regex syntax (the source text escapes the backslash). */
const PATTERN = '^.+\\\\.ts$';

/** Config files jest finds by itself, in its own order of preference. */
export const JEST_CONFIG_FILES = [
  'jest.config.js',
  'jest.config.ts',
  'jest.config.mjs',
  'jest.config.cjs',
  'jest.config.json',
] as const;

/** A new jest.config.js (for `init --jest` in a project without one). */
export function newJestConfig(esm: boolean): string {
  const body = `{\n  testEnvironment: 'node',\n  transform: { '${PATTERN}': '${JEST_TRANSFORM}' },\n}`;
  return esm ? `export default ${body};\n` : `module.exports = ${body};\n`;
}

/** The config text with the transform wired; `jsonKey`: the config is that property of a JSON file (package.json). */
export function wireJestConfig(fileName: string, text: string, jsonKey?: string): Wired {
  const json = jsonKey !== undefined || fileName.endsWith('.json');
  const sf: ts.SourceFile = json
    ? ts.parseJsonText(fileName, text)
    : ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKind(fileName));
  const config = json ? jsonConfig(sf as ts.JsonSourceFile, jsonKey) : configObject(sf);
  if (!config) {
    throw new InitError(
      `${fileName}: cannot find the config object (module.exports = { … } or export default { … }); ` +
        `add transform: { '${PATTERN}': '${JEST_TRANSFORM}' } to it yourself`,
    );
  }
  const style = detectStyle(text, json ? '"' : "'");
  const q = (s: string) => `${style.quote}${s}${style.quote}`;
  const ours = `${q(PATTERN)}: ${q(JEST_TRANSFORM)}`;
  const transform = property(config, 'transform');
  if (!transform)
    return {
      text: applyEdits(text, insertItems(sf, config, [`${json ? q('transform') : 'transform'}: { ${ours} }`], style)),
      notes: [],
    };

  const patterns = ts.isPropertyAssignment(transform) ? unwrap(transform.initializer) : undefined;
  if (!patterns || !ts.isObjectLiteralExpression(patterns)) {
    throw new InitError(
      `${fileName}: "transform" is not an object literal; add '${PATTERN}': '${JEST_TRANSFORM}' to it yourself`,
    );
  }
  const targets = patterns.properties.map((p) => ({
    p,
    target: ts.isPropertyAssignment(p) ? transformerName(p.initializer) : undefined,
  }));
  if (targets.some((t) => t.target?.text === JEST_TRANSFORM)) return { text, notes: [] };
  // forwardgrad/jest wraps ts-jest and passes its options on: it takes ts-jest's place
  const tsJest = targets.find((t) => t.target?.text === 'ts-jest');
  if (tsJest?.target) {
    const literal = tsJest.target;
    const edit: Edit = { pos: literal.getStart(sf) + 1, end: literal.end - 1, text: JEST_TRANSFORM };
    return {
      text: applyEdits(text, [edit]),
      notes: [
        `ts-jest replaced by ${JEST_TRANSFORM}, which runs ts-jest for the files that need no derivatives and keeps its options`,
      ],
    };
  }
  // jest applies the first pattern that matches: ours goes first
  return { text: applyEdits(text, insertItems(sf, patterns, [ours], style, true)), notes: [] };
}

/** `'name'` or `['name', options]`: the string literal naming the transformer. */
function transformerName(value: ts.Expression): ts.StringLiteral | undefined {
  const v = unwrap(value);
  const literal = ts.isArrayLiteralExpression(v) && v.elements.length ? unwrap(v.elements[0]) : v;
  return ts.isStringLiteral(literal) && stringValue(literal) !== undefined ? literal : undefined;
}

function scriptKind(fileName: string): ts.ScriptKind {
  return /\.[cm]?ts$/.test(fileName) ? ts.ScriptKind.TS : ts.ScriptKind.JS;
}

function jsonConfig(sf: ts.JsonSourceFile, key: string | undefined): ts.ObjectLiteralExpression | undefined {
  const root = sf.statements[0] && unwrap(sf.statements[0].expression);
  if (!root || !ts.isObjectLiteralExpression(root)) return undefined;
  if (key === undefined) return root;
  const p = property(root, key);
  const value = p && ts.isPropertyAssignment(p) ? unwrap(p.initializer) : undefined;
  return value && ts.isObjectLiteralExpression(value) ? value : undefined;
}

/**
 * The exported config object: `module.exports = …` or `export default …`, through a const that holds
 * it, and through a (possibly async) function that returns it.
 */
function configObject(sf: ts.SourceFile): ts.ObjectLiteralExpression | undefined {
  let exported: ts.Expression | undefined;
  for (const s of sf.statements) {
    if (ts.isExportAssignment(s)) exported = s.expression;
    else if (
      ts.isExpressionStatement(s) &&
      ts.isBinaryExpression(s.expression) &&
      s.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      s.expression.left.getText(sf) === 'module.exports'
    )
      exported = s.expression.right;
  }
  return exported && objectOf(exported, sf, 0);
}

function objectOf(node: ts.Expression, sf: ts.SourceFile, depth: number): ts.ObjectLiteralExpression | undefined {
  const e = unwrap(node);
  if (depth > 4) return undefined;
  if (ts.isObjectLiteralExpression(e)) return e;
  if (ts.isIdentifier(e)) {
    const init = topLevelInitializer(sf, e.text);
    return init && objectOf(init, sf, depth + 1);
  }
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) {
    if (!ts.isBlock(e.body)) return objectOf(e.body, sf, depth + 1);
    const returned = e.body.statements.filter(ts.isReturnStatement);
    return returned.length === 1 && returned[0].expression
      ? objectOf(returned[0].expression, sf, depth + 1)
      : undefined;
  }
  return undefined;
}

function topLevelInitializer(sf: ts.SourceFile, name: string): ts.Expression | undefined {
  for (const s of sf.statements) {
    if (!ts.isVariableStatement(s)) continue;
    for (const d of s.declarationList.declarations)
      if (ts.isIdentifier(d.name) && d.name.text === name) return d.initializer;
  }
  return undefined;
}
