// forwardgrad/language-service through tsserver's own protocol, as an editor uses it: a project with
// "noEmit": true names the plugin in tsconfig; the file is opened with unsaved text, and semanticDiagnosticsSync
// returns the transform's TS940xx errors with their Fix hints at the right place; an unsaved edit that removes
// the problem removes the error. The package is stood in for by a shim that loads the plugin's TypeScript source.
import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '..', '..');
const TSSERVER = require.resolve('typescript/lib/tsserver.js');

interface Diag { code: number; text: string; start: { line: number; offset: number } }

class TsServer {
  private seq = 0;
  private buffer = '';
  private readonly waiting = new Map<number, (body: unknown) => void>();
  private readonly proc: ChildProcessWithoutNullStreams;
  constructor(probe: string) {
    this.proc = spawn(process.execPath, [TSSERVER, '--disableAutomaticTypingAcquisition', '--pluginProbeLocations', probe], { cwd: probe });
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk: string) => this.read(chunk));
  }
  private read(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const m = /Content-Length: (\d+)\r\n\r\n/.exec(this.buffer);
      if (!m) return;
      const start = m.index + m[0].length;
      const bytes = Buffer.from(this.buffer.slice(start), 'utf8');
      const length = Number(m[1]);
      if (bytes.length < length) return;
      const body = bytes.subarray(0, length).toString('utf8');
      this.buffer = bytes.subarray(length).toString('utf8');
      const msg = JSON.parse(body) as { type: string; request_seq?: number; body?: unknown };
      if (msg.type === 'response' && msg.request_seq !== undefined) this.waiting.get(msg.request_seq)?.(msg.body);
    }
  }
  request(command: string, args: unknown): Promise<unknown> {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(seq, resolve);
      this.proc.stdin.write(JSON.stringify({ seq, type: 'request', command, arguments: args }) + '\n');
    });
  }
  notify(command: string, args: unknown): void {
    this.proc.stdin.write(JSON.stringify({ seq: ++this.seq, type: 'request', command, arguments: args }) + '\n');
  }
  close(): void { this.proc.kill(); }
}

let dir: string;
let server: TsServer;
const file = () => path.join(dir, 'src', 'model.ts');

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forwardgrad-ls-'));
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, noEmit: true, types: [],
        plugins: [{ transform: 'forwardgrad/transformer' }, { name: 'forwardgrad/language-service' }] },
      files: ['src/model.ts'],
    }),
    // what is saved on disk is fine; the editor's unsaved text is not
    'src/model.ts': '/** @forwardGrad */\nexport function f(x: number): number {\n  return x * x;\n}\n',
    'node_modules/forwardgrad/package.json': JSON.stringify({ name: 'forwardgrad', version: '0.0.0' }),
    'node_modules/forwardgrad/language-service.js': [
      `require(${JSON.stringify(require.resolve('ts-node'))}).register({ transpileOnly: true, project: ${JSON.stringify(path.join(REPO, 'tsconfig.json'))} });`,
      `module.exports = require(${JSON.stringify(path.join(REPO, 'transformer', 'plugins', 'language-service.ts'))});`,
    ].join('\n'),
  };
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  server = new TsServer(dir);
});
afterAll(() => { server?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

const UNSAVED = [
  'declare function mystery(x: number): number;',
  '/** @forwardGrad */',
  'export function f(x: number): number {',
  '  return mystery(x) * x;',
  '}',
  '/** @forwardGrad */',
  'export const k = 3;',
  '',
].join('\n');

test('shows the TS940xx errors of unsaved text, with their fix, and follows edits', async () => {
  server.notify('open', { file: file(), fileContent: UNSAVED, projectRootPath: dir });
  const diags = (await server.request('semanticDiagnosticsSync', { file: file() })) as Diag[];
  const ours = diags.filter((d) => d.code >= 94000 && d.code < 95000).sort((a, b) => a.start.line - b.start.line);
  expect(ours.map((d) => [d.code, d.start.line, d.start.offset])).toEqual([[94002, 4, 10], [94004, 6, 1]]);
  expect(ours[0].text).toMatch(/call of 'mystery'.*declared without a body.*Fix: /);
  expect(ours[1].text).toMatch(/@forwardGrad stands before a variable that does not hold a function literal.*Fix: /);
  // the user fixes the call (still unsaved): its error goes, the other stays
  server.notify('updateOpen', { changedFiles: [{ fileName: file(), textChanges: [{ start: { line: 4, offset: 10 }, end: { line: 4, offset: 20 }, newText: 'Math.sin(x)' }] }] });
  const after = (await server.request('semanticDiagnosticsSync', { file: file() })) as Diag[];
  expect(after.filter((d) => d.code >= 94000 && d.code < 95000).map((d) => d.code)).toEqual([94004]);
}, 120_000);
