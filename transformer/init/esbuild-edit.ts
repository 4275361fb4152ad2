// `forwardgrad init --esbuild <script>`: an AST edit of the user's build script with ts-morph, which
// adds elements, properties and imports in the script's own layout. Every esbuild `build(…)` /
// `context(…)` call gets `forwardGradPlugin()` in its `plugins` (the list is created when missing), and
// the script imports the plugin (ESM `import` or CommonJS `require`, as the script does).
// ts-morph is passed in (loaded lazily by init.ts: an optional peer dependency) and brings its own
// TypeScript: its nodes never meet the `typescript` package's.
import * as path from 'path';
import type * as Morph from 'ts-morph';
import { detectStyle } from './text-edit';
import { InitError, type Wired } from './result';

type TsMorph = typeof Morph;

export const ESBUILD_ENTRY = 'forwardgrad/esbuild';
const PLUGIN = 'forwardGradPlugin';
/** The esbuild API calls whose options take plugins (buildSync and transform cannot run plugins). */
const CALLS = new Set(['build', 'context']);

export function wireEsbuildScript(fileName: string, text: string, morph: TsMorph): Wired {
  const { Node, SyntaxKind } = morph;
  const style = detectStyle(text);
  const project = new morph.Project({
    useInMemoryFileSystem: true,
    compilerOptions: { allowJs: true },
    manipulationSettings: {
      indentationText: (Object.values(morph.IndentationText) as string[]).includes(style.unit)
        ? (style.unit as Morph.IndentationText)
        : morph.IndentationText.TwoSpaces,
      quoteKind: style.quote === '"' ? morph.QuoteKind.Double : morph.QuoteKind.Single,
      newLineKind:
        style.newline === '\r\n' ? morph.ts.NewLineKind.CarriageReturnLineFeed : morph.ts.NewLineKind.LineFeed,
      // the script's habit: a comma after the last item of multi-line lists
      useTrailingCommas: /,[ \t]*(\/\/[^\n]*)?\r?\n\s*[}\]]/.test(text),
    },
  });
  const sf = project.createSourceFile(`/${path.basename(fileName)}`, text);
  const lineOf = (n: Morph.Node) => `${fileName}:${n.getStartLineNumber()}`;

  /** `require('esbuild')`, `import('esbuild')`, `await import('esbuild')`. */
  const loadsModule = (e: Morph.Node, name: string): boolean => {
    const inner = Node.isAwaitExpression(e) ? e.getExpression() : e;
    if (!Node.isCallExpression(inner)) return false;
    const callee = inner.getExpression();
    const arg = inner.getArguments()[0];
    return (
      (callee.getKind() === SyntaxKind.ImportKeyword ||
        (Node.isIdentifier(callee) && callee.getText() === 'require')) &&
      !!arg &&
      Node.isStringLiteral(arg) &&
      arg.getLiteralValue() === name
    );
  };
  const variables = sf.getDescendantsOfKind(SyntaxKind.VariableDeclaration);
  const initializerOf = (name: string) => variables.find((d) => d.getName() === name)?.getInitializer();

  // How the script reaches esbuild: namespaces (`esbuild.build`) and imported functions (`build`).
  const namespaces = new Set<string>();
  const functions = new Map<string, string>(); // local name -> esbuild's name
  for (const imp of sf.getImportDeclarations()) {
    if (imp.getModuleSpecifierValue() !== 'esbuild') continue;
    for (const ns of [imp.getNamespaceImport(), imp.getDefaultImport()]) if (ns) namespaces.add(ns.getText());
    for (const named of imp.getNamedImports())
      functions.set((named.getAliasNode() ?? named.getNameNode()).getText(), named.getName());
  }
  for (const d of variables) {
    const init = d.getInitializer();
    if (!init || !loadsModule(init, 'esbuild')) continue;
    const name = d.getNameNode();
    if (Node.isIdentifier(name)) namespaces.add(name.getText());
    else if (Node.isObjectBindingPattern(name)) {
      for (const el of name.getElements())
        functions.set(el.getNameNode().getText(), el.getPropertyNameNode()?.getText() ?? el.getNameNode().getText());
    }
  }
  const calls = sf.getDescendantsOfKind(SyntaxKind.CallExpression).filter((call) => {
    const callee = call.getExpression();
    if (Node.isPropertyAccessExpression(callee)) {
      const target = callee.getExpression();
      return (
        CALLS.has(callee.getName()) &&
        ((Node.isIdentifier(target) && namespaces.has(target.getText())) || loadsModule(target, 'esbuild'))
      );
    }
    return Node.isIdentifier(callee) && CALLS.has(functions.get(callee.getText()) ?? '');
  });
  if (calls.length === 0) {
    throw new InitError(
      `${fileName}: no esbuild build() or context() call found; add plugins: [${PLUGIN}()] (imported from '${ESBUILD_ENTRY}') to your build options yourself`,
    );
  }

  // The name the script already imports the plugin under, if it does.
  let local: string | undefined;
  for (const imp of sf.getImportDeclarations()) {
    if (imp.getModuleSpecifierValue() !== ESBUILD_ENTRY) continue;
    const named = imp.getNamedImports().find((n) => n.getName() === PLUGIN);
    const namespace = imp.getNamespaceImport()?.getText();
    local ??= named
      ? (named.getAliasNode() ?? named.getNameNode()).getText()
      : namespace
        ? `${namespace}.${PLUGIN}`
        : imp.getDefaultImport()?.getText();
  }
  for (const d of variables) {
    const init = d.getInitializer();
    if (local || !init || !loadsModule(init, ESBUILD_ENTRY)) continue;
    const name = d.getNameNode();
    if (Node.isObjectBindingPattern(name))
      local = name
        .getElements()
        .find((el) => (el.getPropertyNameNode()?.getText() ?? el.getName()) === PLUGIN)
        ?.getName();
  }
  const pluginName = local ?? PLUGIN;
  // `forwardGradPlugin()`, under the script's own name for it or through a namespace (`fg.forwardGradPlugin()`)
  const isOurs = (e: Morph.Node) =>
    Node.isCallExpression(e) &&
    [pluginName, PLUGIN].some(
      (n) => e.getExpression().getText() === n || e.getExpression().getText().endsWith(`.${PLUGIN}`),
    );

  const objectOf = (e: Morph.Node | undefined, depth = 0): Morph.ObjectLiteralExpression | undefined => {
    const v = e && unwrap(e, morph);
    if (!v || depth > 4) return undefined;
    if (Node.isObjectLiteralExpression(v)) return v;
    return Node.isIdentifier(v) ? objectOf(initializerOf(v.getText()), depth + 1) : undefined;
  };
  /** The options' `plugins` array: own property, else from a spread object; undefined when there is none. */
  const pluginsOf = (
    options: Morph.ObjectLiteralExpression,
    where: string,
    depth = 0,
  ): Morph.ArrayLiteralExpression | undefined => {
    const prop = options.getProperty('plugins');
    if (prop) {
      const value = Node.isPropertyAssignment(prop)
        ? prop.getInitializer()
        : Node.isShorthandPropertyAssignment(prop)
          ? initializerOf(prop.getName())
          : undefined;
      const unwrapped = value && unwrap(value, morph);
      const array = unwrapped && Node.isIdentifier(unwrapped) ? initializerOf(unwrapped.getText()) : unwrapped;
      if (array && Node.isArrayLiteralExpression(array)) return array;
      throw new InitError(`${where}: "plugins" is not an array literal here; add ${PLUGIN}() to it yourself`);
    }
    for (const spread of options.getProperties().filter(Node.isSpreadAssignment)) {
      const inner = depth < 4 ? objectOf(spread.getExpression()) : undefined;
      const found = inner && pluginsOf(inner, where, depth + 1);
      if (found) return found;
    }
    return undefined;
  };

  // Plan every edit before making any (two calls may share one options object or one plugins list).
  const arrays = new Set<Morph.ArrayLiteralExpression>();
  const objects = new Set<Morph.ObjectLiteralExpression>();
  const notes: string[] = [];
  for (const call of calls) {
    const where = lineOf(call);
    const options = objectOf(call.getArguments()[0]);
    if (!options)
      throw new InitError(
        `${where}: the options of this esbuild call are not an object literal in this file; add plugins: [${PLUGIN}()] to them yourself`,
      );
    const plugins = pluginsOf(options, where);
    if (plugins) {
      if (!plugins.getElements().some(isOurs)) arrays.add(plugins);
    } else {
      objects.add(options);
    }
  }
  for (const array of arrays) array.addElement(`${pluginName}()`);
  for (const object of objects) {
    if (object.getStartLineNumber() !== object.getEndLineNumber()) {
      object.addPropertyAssignment({ name: 'plugins', initializer: `[${pluginName}()]` });
      continue;
    }
    // one line stays one line (ts-morph would break it over lines)
    const inner = object.getText().slice(1, -1).trim().replace(/,$/, '');
    object.replaceWithText(`{ ${inner ? `${inner}, ` : ''}plugins: [${pluginName}()] }`);
  }
  if (arrays.size + objects.size === 0) return { text, notes };
  notes.push(
    `${PLUGIN}() added to ${arrays.size + objects.size} esbuild option object${arrays.size + objects.size > 1 ? 's' : ''}`,
  );

  if (!local) {
    const esm = sf.getImportDeclarations().length > 0 || /\.m[jt]s$/.test(fileName) || !/\brequire\s*\(/.test(text);
    if (esm) {
      sf.addImportDeclaration({ namedImports: [PLUGIN], moduleSpecifier: ESBUILD_ENTRY });
    } else {
      // after the statement that requires esbuild (else after the directive prologue)
      const statements = sf.getStatements();
      const esbuildAt = statements.findIndex((s) => s.getDescendants().some((n) => loadsModule(n, 'esbuild')));
      const prologue = statements.findIndex(
        (s) => !(Node.isExpressionStatement(s) && Node.isStringLiteral(s.getExpression())),
      );
      const q = style.quote;
      sf.insertStatements(
        esbuildAt >= 0 ? esbuildAt + 1 : Math.max(prologue, 0),
        `const { ${PLUGIN} } = require(${q}${ESBUILD_ENTRY}${q});`,
      );
    }
  }
  return { text: sf.getFullText(), notes };
}

function unwrap(node: Morph.Node, morph: TsMorph): Morph.Node {
  const { Node } = morph;
  let n = node;
  while (Node.isParenthesizedExpression(n) || Node.isAsExpression(n) || Node.isSatisfiesExpression(n))
    n = n.getExpression();
  return n;
}
