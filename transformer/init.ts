// `npx forwardgrad init`: wires a project to the transform. Each edit is a small text insertion at a place
// found by parsing the file (tsconfig.json as JSONC, so comments and trailing commas stay; jest.config.* and
// the esbuild script with ts-morph), so the rest of the file is kept byte for byte. Running it again changes
// nothing. It installs nothing: it prints the `npm i -D …` line for each build path it wired.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

export interface InitOptions {
  /** The project directory (default: process.cwd()). */
  readonly cwd?: string;
  /** An esbuild build script to wire (`--esbuild build.mjs`): its build()/context() calls get the plugin. */
  readonly esbuild?: string;
  /** Print the change, write nothing (`--dry-run`). */
  readonly dryRun?: boolean;
  /** Where the report goes (default: console.log). */
  readonly log?: (line: string) => void;
}

export interface FileChange { readonly file: string; readonly before: string; readonly after: string }
export interface InitResult { readonly changes: FileChange[]; readonly installLines: string[] }

const INSTALL = {
  tsc: 'npm i -D forwardgrad typescript ts-patch',
  jest: 'npm i -D forwardgrad jest ts-jest @types/jest',
  esbuild: 'npm i -D forwardgrad esbuild',
} as const;

export function init(options: InitOptions = {}): InitResult {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const log = options.log ?? ((l: string) => console.log(l));
  const changes: FileChange[] = [];
  const installLines: string[] = [];
  const edit = (file: string, transform: (text: string) => string): void => {
    const before = fs.readFileSync(file, 'utf8');
    const after = transform(before);
    if (after !== before) changes.push({ file, before, after });
  };

  const tsconfig = path.join(cwd, 'tsconfig.json');
  if (!fs.existsSync(tsconfig)) throw new Error(`forwardgrad init: no tsconfig.json in ${cwd}; create one first (npx tsc --init)`);
  edit(tsconfig, (t) => addTsconfigPlugin(t, tsconfig));
  installLines.push(INSTALL.tsc);

  const jestConfig = ['jest.config.js', 'jest.config.ts', 'jest.config.cjs', 'jest.config.mjs'].map((n) => path.join(cwd, n)).find((f) => fs.existsSync(f));
  if (jestConfig) { edit(jestConfig, (t) => addJestTransform(t, jestConfig)); installLines.push(INSTALL.jest); }

  if (options.esbuild) {
    const script = path.resolve(cwd, options.esbuild);
    if (!fs.existsSync(script)) throw new Error(`forwardgrad init: --esbuild ${options.esbuild}: no such file`);
    edit(script, (t) => addEsbuildPlugin(t, script));
    installLines.push(INSTALL.esbuild);
  }

  for (const c of changes) {
    const name = path.relative(cwd, c.file);
    if (options.dryRun) log(unifiedDiff(name, c.before, c.after));
    else { fs.writeFileSync(c.file, c.after); log(`forwardgrad init: updated ${name}`); }
  }
  if (!changes.length) log('forwardgrad init: already set up, nothing to change');
  if (options.dryRun && changes.length) log('forwardgrad init: --dry-run, nothing written');
  log('Install what the wired build paths need (init installs nothing):');
  for (const l of installLines) log(`  ${l}`);
  return { changes, installLines };
}

// ---- tsconfig.json (JSONC) ----

/** Adds `{ "transform": "forwardgrad/transformer" }` to compilerOptions.plugins, creating what is missing. */
export function addTsconfigPlugin(text: string, file = 'tsconfig.json'): string {
  const json = ts.createSourceFile(file, text, ts.ScriptTarget.JSON, true, ts.ScriptKind.JSON) as ts.JsonSourceFile; // JSONC, parents set
  const diags = (json as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (diags.length) throw new Error(`forwardgrad init: ${file} is not valid JSON: ${ts.flattenDiagnosticMessageText(diags[0].messageText, ' ')}`);
  const root = json.statements[0]?.expression;
  if (!root || !ts.isObjectLiteralExpression(root)) throw new Error(`forwardgrad init: ${file} must hold an object`);
  if (/"forwardgrad\/transformer"|"forwardgrad\/transformer\/tsc"/.test(text)) return text;
  const entry = '{ "transform": "forwardgrad/transformer" }';
  const options = property(root, 'compilerOptions');
  if (!options) return insertMember(text, root, `"compilerOptions": {\n${indentOf(text, root, 2)}  "plugins": [${entry}]\n${indentOf(text, root, 2)}}`);
  if (!ts.isObjectLiteralExpression(options.initializer)) throw new Error(`forwardgrad init: compilerOptions in ${file} must be an object`);
  const plugins = property(options.initializer, 'plugins');
  if (!plugins) return insertMember(text, options.initializer, `"plugins": [${entry}]`);
  if (!ts.isArrayLiteralExpression(plugins.initializer)) throw new Error(`forwardgrad init: compilerOptions.plugins in ${file} must be an array`);
  return insertElement(text, plugins.initializer, entry);
}

function property(o: ts.ObjectLiteralExpression, name: string): ts.PropertyAssignment | undefined {
  return o.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p)
    && (ts.isStringLiteral(p.name) || ts.isIdentifier(p.name)) && p.name.text === name);
}

/** The indentation of the members of `o` (that of its first member, or the object's own plus `extra`). */
function indentOf(text: string, o: ts.ObjectLiteralExpression | ts.ArrayLiteralExpression, extra = 2): string {
  const first = ts.isObjectLiteralExpression(o) ? o.properties[0] : o.elements[0];
  const at = first ? first.getStart() : o.getStart();
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  return first ? indent : indent + ' '.repeat(extra);
}

/** Inserts a member as the last one of an object literal, after any trailing comma, on its own line. */
function insertMember(text: string, o: ts.ObjectLiteralExpression, member: string): string {
  const close = o.getEnd() - 1; // the `}`
  const last = o.properties[o.properties.length - 1];
  if (!last) {
    const indent = indentOf(text, o);
    const outer = indent.slice(0, Math.max(0, indent.length - 2));
    return `${text.slice(0, close)}\n${indent}${member}\n${outer}${text.slice(close)}`;
  }
  const indent = indentOf(text, o);
  const after = skipTrailingComma(text, last.getEnd());
  const comma = after.hadComma ? '' : ',';
  // keep a comment that ends the last member's line on that line
  const lineEnd = endOfLineComments(text, after.pos);
  return `${text.slice(0, last.getEnd())}${comma}${text.slice(last.getEnd(), lineEnd)}\n${indent}${member}${after.hadComma ? ',' : ''}${text.slice(lineEnd)}`;
}

function insertElement(text: string, a: ts.ArrayLiteralExpression, element: string): string {
  const last = a.elements[a.elements.length - 1];
  if (!last) return `${text.slice(0, a.getEnd() - 1)}${element}${text.slice(a.getEnd() - 1)}`;
  const multiline = text.slice(a.getStart(), a.getEnd()).includes('\n');
  const after = skipTrailingComma(text, last.getEnd());
  if (!multiline) return `${text.slice(0, last.getEnd())}, ${element}${text.slice(last.getEnd())}`;
  const lineEnd = endOfLineComments(text, after.pos);
  return `${text.slice(0, last.getEnd())}${after.hadComma ? '' : ','}${text.slice(last.getEnd(), lineEnd)}\n${indentOf(text, a)}${element}${after.hadComma ? ',' : ''}${text.slice(lineEnd)}`;
}

function skipTrailingComma(text: string, pos: number): { pos: number; hadComma: boolean } {
  const m = /^[ \t]*,/.exec(text.slice(pos));
  return m ? { pos: pos + m[0].length, hadComma: true } : { pos, hadComma: false };
}

/** The end of the line at `pos` when the rest of it is blank or comments (else `pos`). */
function endOfLineComments(text: string, pos: number): number {
  const rest = /^[^\n]*/.exec(text.slice(pos))![0];
  return /^\s*(\/\/.*|\/\*.*\*\/\s*)?$/.test(rest) ? pos + rest.length : pos;
}

// ---- jest.config.* and the esbuild script (ts-morph) ----

type Morph = typeof import('ts-morph');
function morph(): Morph {
  // loaded only when a JS/TS config is edited
  try { return require('ts-morph') as Morph; } catch {
    throw new Error('forwardgrad init: editing jest.config.* and esbuild scripts needs ts-morph: npm i -D ts-morph');
  }
}

/** Adds `'^.+\\.tsx?$': 'forwardgrad/jest'` to the config's `transform` (creating it when missing). */
export function addJestTransform(text: string, file = 'jest.config.js'): string {
  if (/['"]forwardgrad\/jest['"]/.test(text)) return text;
  const { Project, SyntaxKind } = morph();
  const sf = new Project({ useInMemoryFileSystem: true }).createSourceFile(path.basename(file), text);
  const config = sf.getDescendantsOfKind(SyntaxKind.ObjectLiteralExpression).find((o) => {
    const p = o.getParent();
    return p && (p.getKind() === SyntaxKind.BinaryExpression || p.getKind() === SyntaxKind.ExportAssignment
      || p.getKind() === SyntaxKind.VariableDeclaration || p.getKind() === SyntaxKind.CallExpression);
  });
  if (!config) throw new Error(`forwardgrad init: cannot find the configuration object in ${file}; add transform: { '^.+\\\\.tsx?$': 'forwardgrad/jest' } by hand`);
  const transform = config.getProperty('transform');
  const entry = `'^.+\\\\.tsx?$': 'forwardgrad/jest'`;
  if (!transform) config.addPropertyAssignment({ name: 'transform', initializer: `{ ${entry} }` });
  else {
    const init = transform.asKindOrThrow(SyntaxKind.PropertyAssignment).getInitializerIfKindOrThrow(SyntaxKind.ObjectLiteralExpression);
    const ts_ = init.getProperties().find((p) => /\\\\\.tsx?\$|\.ts/.test(p.getText()));
    if (ts_) ts_.replaceWithText(entry); // a ts-jest entry for .ts files: forwardgrad/jest wraps ts-jest
    else init.addPropertyAssignment({ name: `'^.+\\\\.tsx?$'`, initializer: `'forwardgrad/jest'` });
  }
  return sf.getFullText();
}

/** Adds `forwardGradPlugin()` to the plugins of each esbuild build()/context() call, and its import. */
export function addEsbuildPlugin(text: string, file = 'build.mjs'): string {
  if (/forwardGradPlugin\s*\(/.test(text)) return text;
  const { Project, SyntaxKind, QuoteKind } = morph();
  // the script's own quote style for the import
  const single = (text.match(/'/g)?.length ?? 0) >= (text.match(/"/g)?.length ?? 0);
  const sf = new Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true },
    manipulationSettings: { quoteKind: single ? QuoteKind.Single : QuoteKind.Double } }).createSourceFile(path.basename(file).replace(/\.c?js$/, '.js'), text);
  const calls = sf.getDescendantsOfKind(SyntaxKind.CallExpression).filter((c) => {
    const callee = c.getExpression().getText();
    return /(^|\.)(build|context|buildSync)$/.test(callee) && c.getArguments()[0]?.getKind() === SyntaxKind.ObjectLiteralExpression;
  });
  if (!calls.length) throw new Error(`forwardgrad init: no esbuild build()/context() call with an options object in ${file}`);
  for (const c of calls) {
    const options = c.getArguments()[0].asKindOrThrow(SyntaxKind.ObjectLiteralExpression);
    const plugins = options.getProperty('plugins');
    if (!plugins && !options.getText().includes('\n') && options.getProperties().length) {
      // a one-line options object stays on one line
      const last = options.getProperties()[options.getProperties().length - 1];
      last.replaceWithText(`${last.getText()}, plugins: [forwardGradPlugin()]`);
    } else if (!plugins) options.addPropertyAssignment({ name: 'plugins', initializer: '[forwardGradPlugin()]' });
    else plugins.asKindOrThrow(SyntaxKind.PropertyAssignment).getInitializerIfKindOrThrow(SyntaxKind.ArrayLiteralExpression).addElement('forwardGradPlugin()');
  }
  const esm = sf.getImportDeclarations().length > 0 || /\.mjs$|\.ts$/.test(file) || /^\s*export\s/m.test(text);
  if (esm) {
    const imports = sf.getImportDeclarations();
    sf.insertImportDeclaration(imports.length ? imports[imports.length - 1].getChildIndex() + 1 : 0,
      { namedImports: ['forwardGradPlugin'], moduleSpecifier: 'forwardgrad/esbuild' });
  } else {
    sf.insertStatements(0, "const { forwardGradPlugin } = require('forwardgrad/esbuild');");
  }
  return sf.getFullText();
}

// ---- --dry-run ----

/** A minimal unified diff (whole file as one hunk, context lines kept short). */
export function unifiedDiff(name: string, before: string, after: string): string {
  const a = before.split('\n'); const b = after.split('\n');
  // longest common subsequence table, fine for configuration files
  const n = a.length; const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out = [`--- ${name}`, `+++ ${name}`];
  let i = 0; let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { out.push(` ${a[i]}`); i++; j++; }
    else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) out.push(`+${b[j++]}`);
    else out.push(`-${a[i++]}`);
  }
  return out.join('\n');
}
