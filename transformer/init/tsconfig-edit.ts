// `forwardgrad init`, tsconfig.json: the transformer entry (for `tspc`, ts-patch's compiler) and the
// language-service entry (for editors) in compilerOptions.plugins. A JSONC text edit at the positions
// TypeScript's own JSON parser reports: comments, trailing commas and layout are kept.
import * as path from 'path';
import * as ts from 'typescript';
import { InitError, type Wired } from './result';
import { applyEdits, detectStyle, type Edit, insertItems, property, stringValue, unwrap } from './text-edit';

/** The plugin entries, keyed by the field that identifies each (ts-patch reads `transform`, tsserver `name`). */
export const TSCONFIG_PLUGINS = [
  { key: 'transform', value: 'forwardgrad/transformer' },
  { key: 'name', value: 'forwardgrad/language-service' },
] as const;

/** A new project's tsconfig.json: the options the plugins assume when there is none, plus the entries. */
export function newTsconfig(): string {
  return [
    '{',
    '  "compilerOptions": {',
    '    "target": "ES2022",',
    '    "module": "node16",',
    '    "strict": true,',
    '    "esModuleInterop": true,',
    '    "skipLibCheck": true,',
    '    "outDir": "dist",',
    '    "plugins": [',
    ...TSCONFIG_PLUGINS.map(
      (p, i) => `      { "${p.key}": "${p.value}" }${i + 1 < TSCONFIG_PLUGINS.length ? ',' : ''}`,
    ),
    '    ]',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The text with both entries present (unchanged when they already are); `location`: where the file is, for `extends`. */
export function wireTsconfig(fileName: string, text: string, location = path.resolve(fileName)): Wired {
  const parsed = ts.parseConfigFileTextToJson(fileName, text);
  if (parsed.error)
    throw new InitError(
      `${fileName}${where(parsed.error)}: not valid JSON (${ts.flattenDiagnosticMessageText(parsed.error.messageText, ' ').replace(/\.$/, '')}): fix it, then run init again`,
    );
  const sf = ts.parseJsonText(fileName, text);
  const root = sf.statements[0] && unwrap(sf.statements[0].expression);
  if (!root || !ts.isObjectLiteralExpression(root))
    throw new InitError(
      `${fileName}: expected an object at the top ({ "compilerOptions": … }); fix it, then run init again`,
    );
  const style = detectStyle(text, '"');
  const notes: string[] = [];
  const entry = (p: Record<string, unknown>) =>
    `{ ${Object.entries(p)
      .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
      .join(', ')} }`;
  const ours = TSCONFIG_PLUGINS.map((p) => entry({ [p.key]: p.value }));

  const compilerOptions = property(root, 'compilerOptions');
  const options =
    compilerOptions &&
    valueOf(compilerOptions, ts.isObjectLiteralExpression, `${fileName}: "compilerOptions" is not an object`);
  const plugins = options && property(options, 'plugins');
  let edits: Edit[];
  if (plugins) {
    const list = valueOf(
      plugins,
      ts.isArrayLiteralExpression,
      `${fileName}: "compilerOptions.plugins" is not an array`,
    );
    const missing = TSCONFIG_PLUGINS.filter((p) => !list.elements.some((e) => isEntry(e, p)));
    edits = missing.length
      ? insertItems(
          sf,
          list,
          missing.map((p) => entry({ [p.key]: p.value })),
          style,
        )
      : [];
  } else {
    // No list here: the one inherited through `extends` counts, and a new list here replaces it, so it
    // repeats the inherited entries first.
    const from = inherited(location, text);
    if (TSCONFIG_PLUGINS.every((p) => from.some((e) => e[p.key] === p.value))) return { text, notes };
    const kept = from.filter((e) => !TSCONFIG_PLUGINS.some((p) => e[p.key] === p.value));
    if (kept.length)
      notes.push(
        `copied ${kept.length} plugin entr${kept.length > 1 ? 'ies' : 'y'} inherited through "extends" into the new "plugins" list, which replaces the inherited one`,
      );
    const block = `"plugins": [\n${[...kept.map(entry), ...ours].map((e) => style.unit + e).join(',\n')}\n]`;
    edits = options
      ? insertItems(sf, options, [block], style)
      : insertItems(
          sf,
          root,
          [`"compilerOptions": {\n${style.unit}${block.split('\n').join(`\n${style.unit}`)}\n}`],
          style,
        );
  }
  return { text: applyEdits(text, edits), notes };
}

/** `:line:column` of a parse error. */
function where(d: ts.Diagnostic): string {
  if (!d.file || d.start === undefined) return '';
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `:${line + 1}:${character + 1}`;
}

function valueOf<T extends ts.Expression>(
  p: ts.ObjectLiteralElementLike,
  is: (e: ts.Expression) => e is T,
  error: string,
): T {
  const value = ts.isPropertyAssignment(p) ? unwrap(p.initializer) : undefined;
  if (!value || !is(value)) throw new InitError(error);
  return value;
}

function isEntry(node: ts.Expression, p: (typeof TSCONFIG_PLUGINS)[number]): boolean {
  const e = unwrap(node);
  if (!ts.isObjectLiteralExpression(e)) return false;
  const field = property(e, p.key);
  return !!field && ts.isPropertyAssignment(field) && stringValue(field.initializer) === p.value;
}

/** The plugin entries the tsconfig gets through `extends` (empty without `extends`). */
function inherited(fileName: string, text: string): Record<string, unknown>[] {
  const read = ts.parseConfigFileTextToJson(fileName, text);
  if (!read.config?.extends) return [];
  const host: ts.ParseConfigHost = {
    ...ts.sys,
    readFile: (f) => (path.resolve(f) === path.resolve(fileName) ? text : ts.sys.readFile(f)),
  };
  const parsed = ts.parseJsonConfigFileContent(
    read.config,
    host,
    path.dirname(path.resolve(fileName)),
    undefined,
    path.resolve(fileName),
  );
  return (parsed.options.plugins ?? []) as unknown as Record<string, unknown>[];
}
