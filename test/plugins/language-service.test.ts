// forwardgrad/language-service: the transform's TS940xx errors, with their Fix hints, as semantic
// diagnostics in the editor. Tested the way an editor uses it, through tsserver's protocol, in a
// throwaway project with `"noEmit": true` whose node_modules holds forwardgrad's package root
// (package.json and the physical language-service.js; dist/ is a shim that loads this repository's
// source), so tsserver's own plugin resolution finds the physical file.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { REPO, positionOf } from './support/user-project';
import { TsServer } from './support/tsserver-client';

const MODEL = [
  'declare function mystery(x: number): number;',
  '',
  '/** @forwardGrad */',
  'export function broken(x: number): number {',
  '  return 2 * mystery(x);',
  '}',
  '',
].join('\n');

const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "commonjs",
    "strict": true,
    "noEmit": true,
    "plugins": [
      { "transform": "forwardgrad/transformer" },
      { "name": "forwardgrad/language-service" }
    ]
  },
  "include": ["src"]
}
`;

interface ProtocolDiagnostic {
  start: { line: number; offset: number };
  end: { line: number; offset: number };
  text: string;
  code: number;
  category: string;
}

describe('through tsserver', () => {
  let dir: string;
  let server: TsServer;
  let file: string;
  const logFile = () => path.join(dir, 'tsserver.log');

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forwardgrad-ls-'));
    fs.mkdirSync(path.join(dir, 'src'));
    file = path.join(dir, 'src', 'model.ts');
    fs.writeFileSync(file, MODEL);
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), TSCONFIG);
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(path.join(REPO, 'node_modules', 'typescript'), path.join(dir, 'node_modules', 'typescript'), 'dir');
    const pkg = path.join(dir, 'node_modules', 'forwardgrad');
    fs.mkdirSync(path.join(pkg, 'dist', 'transformer'), { recursive: true });
    fs.copyFileSync(path.join(REPO, 'package.json'), path.join(pkg, 'package.json'));
    fs.copyFileSync(path.join(REPO, 'language-service.js'), path.join(pkg, 'language-service.js'));
    // the declaration file the build ships beside it: tsserver's plugin resolution honours package.json
    // `typesVersions`, and a mapping of this subpath there would make it load the .d.ts as the plugin
    fs.writeFileSync(
      path.join(pkg, 'dist', 'transformer', 'language-service.d.ts'),
      "import type * as ts from 'typescript';\ndeclare function init(modules: { typescript: typeof ts }): ts.server.PluginModule;\nexport = init;\n",
    );
    fs.writeFileSync(
      path.join(pkg, 'dist', 'transformer', 'language-service.js'),
      [
        `require(${JSON.stringify(require.resolve('ts-node'))}).register({ transpileOnly: true, project: ${JSON.stringify(path.join(REPO, 'tsconfig.json'))},`,
        "  compilerOptions: { module: 'commonjs', moduleResolution: 'node' } });",
        `module.exports = require(${JSON.stringify(path.join(REPO, 'transformer', 'language-service.ts'))});`,
        '',
      ].join('\n'),
    );
    // Node follows the typescript symlink, so tsserver's default probe location (three levels above
    // its own file) is this repository: name the project as the probe location instead, the place a
    // project-local typescript would probe.
    server = new TsServer(
      path.join(dir, 'node_modules', 'typescript', 'lib', 'tsserver.js'),
      ['--pluginProbeLocations', dir, '--logVerbosity', 'verbose', '--logFile', logFile()],
      dir,
    );
  });

  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const diagnostics = async (): Promise<ProtocolDiagnostic[]> => {
    const r = await server.request('semanticDiagnosticsSync', { file });
    if (!r.success) throw new Error(`semanticDiagnosticsSync failed: ${r.message}`);
    return r.body as ProtocolDiagnostic[];
  };
  const log = () => (fs.existsSync(logFile()) ? fs.readFileSync(logFile(), 'utf8') : '');

  test('the underivable call is an error at its location, with the Fix hint', async () => {
    server.notify('open', { file, projectRootPath: dir });
    const found = await diagnostics();
    const ours = found.filter((d) => d.code >= 94000 && d.code < 95000);
    if (ours.length !== 1)
      throw new Error(
        `expected one TS940xx diagnostic, got ${JSON.stringify(found)}\n${log()
          .split('\n')
          .filter((l) => /plugin|forwardgrad/i.test(l))
          .join('\n')}`,
      );
    const at = positionOf(MODEL, 'mystery(x);');
    expect(ours[0]).toMatchObject({ code: 94002, category: 'error', start: { line: at.line, offset: at.column } });
    expect(ours[0].text).toMatch(/^forwardgrad: .*mystery.*\. Fix: \S/);
    expect(log()).toMatch(/\[forwardgrad\] enabled/);
  });

  test('unsaved edits: the diagnostic follows the text in the editor, not the file on disk', async () => {
    // the fix, typed in: no transform error left
    const at = positionOf(MODEL, 'mystery(x);');
    server.notify('change', {
      file,
      line: at.line,
      offset: at.column,
      endLine: at.line,
      endOffset: at.column + 'mystery(x)'.length,
      insertString: 'Math.sin(x)',
    });
    expect((await diagnostics()).filter((d) => d.code >= 94000)).toEqual([]);
    // then a new line above and the underivable call back: the error moves one line down; TypeScript's
    // own diagnostics are still there beside it
    server.notify('change', {
      file,
      line: at.line,
      offset: 1,
      endLine: at.line,
      endOffset: 1,
      insertString: '  const label: string = 1;\n',
    });
    server.notify('change', {
      file,
      line: at.line + 1,
      offset: at.column,
      endLine: at.line + 1,
      endOffset: at.column + 'Math.sin(x)'.length,
      insertString: 'mystery(x)',
    });
    const found = await diagnostics();
    expect(found.find((d) => d.code >= 94000)).toMatchObject({
      code: 94002,
      start: { line: at.line + 1, offset: at.column },
    });
    expect(found.find((d) => d.code === 2322)).toMatchObject({ start: { line: at.line } });
    expect(fs.readFileSync(file, 'utf8')).toBe(MODEL);
  });
});

// The plugin in-process, on a plain language service: what it does when it cannot analyse.
describe('in process', () => {
  const init = require('../../transformer/language-service') as (m: {
    typescript: typeof ts;
  }) => ts.server.PluginModule;

  function languageService(files: Record<string, string>): ts.LanguageService {
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => ({
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        strict: true,
        noEmit: true,
      }),
      getScriptFileNames: () => Object.keys(files),
      getScriptVersion: () => '1',
      getScriptSnapshot: (name) =>
        name in files
          ? ts.ScriptSnapshot.fromString(files[name])
          : ts.sys.fileExists(name)
            ? ts.ScriptSnapshot.fromString(ts.sys.readFile(name)!)
            : undefined,
      getCurrentDirectory: () => '/project',
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (name) => name in files || ts.sys.fileExists(name),
      readFile: (name) => files[name] ?? ts.sys.readFile(name),
    };
    return ts.createLanguageService(host);
  }
  const create = (typescript: typeof ts, ls: ts.LanguageService) =>
    init({ typescript }).create({
      languageService: ls,
      config: { name: 'forwardgrad/language-service' },
      project: { projectService: { logger: { info: () => undefined } } },
    } as unknown as ts.server.PluginCreateInfo);

  test('same analysis as the build: the error, and nothing for a file without derivatives', () => {
    const proxy = create(
      ts,
      languageService({ '/project/model.ts': MODEL, '/project/plain.ts': 'export const x: number = 1;\n' }),
    );
    const found = proxy.getSemanticDiagnostics('/project/model.ts');
    expect(found.map((d) => [d.code, d.source])).toEqual([[94002, 'forwardgrad']]);
    expect(found[0].start).toBe(MODEL.indexOf('mystery(x);'));
    expect(proxy.getSemanticDiagnostics('/project/plain.ts')).toEqual([]);
  });

  test('text that does not parse (mid-edit): the syntax error only, no analysis of the recovery tree', () => {
    const unparsed = MODEL.replace('mystery(x);', 'mystery((x);');
    const ls = languageService({ '/project/model.ts': unparsed });
    const proxy = create(ts, ls);
    expect(ls.getSyntacticDiagnostics('/project/model.ts').length).toBeGreaterThan(0);
    expect(proxy.getSemanticDiagnostics('/project/model.ts').filter((d) => d.code >= 94000)).toEqual([]);
  });

  test('an editor running another TypeScript than the project: a warning that says how to fix it, no analysis', () => {
    const other = { ...ts, version: '5.8.3' } as typeof ts;
    const proxy = create(
      other,
      languageService({ '/project/model.ts': MODEL, '/project/plain.ts': 'export const x = 1;\n' }),
    );
    const found = proxy.getSemanticDiagnostics('/project/model.ts');
    expect(found).toHaveLength(1);
    expect(found[0].category).toBe(ts.DiagnosticCategory.Warning);
    expect(found[0].messageText).toMatch(
      /editor runs TypeScript 5\.8\.3 but the project has 5\.9\.\d+.*Fix: use the workspace TypeScript/,
    );
    expect(proxy.getSemanticDiagnostics('/project/plain.ts')).toEqual([]);
  });
});
