// A minimal client of tsserver's protocol, as an editor talks to it: JSON requests on stdin, responses
// and events on stdout framed by `Content-Length` headers.
import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';

export interface ProtocolResponse {
  readonly request_seq: number;
  readonly success: boolean;
  readonly message?: string;
  readonly body?: unknown;
}

export class TsServer {
  private readonly child: ChildProcessWithoutNullStreams;
  private seq = 0;
  private buffer = Buffer.alloc(0);
  private readonly waiting = new Map<number, (r: ProtocolResponse) => void>();
  private stderr = '';

  /** `tsserverJs`: the project's node_modules/typescript/lib/tsserver.js; `args`: tsserver's own options. */
  constructor(tsserverJs: string, args: readonly string[], cwd: string) {
    this.child = spawn(process.execPath, [tsserverJs, '--disableAutomaticTypingAcquisition', ...args], {
      cwd,
      stdio: 'pipe',
    });
    this.child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.child.on('exit', (code) => {
      for (const [seq, done] of this.waiting)
        done({ request_seq: seq, success: false, message: `tsserver exited (${code}): ${this.stderr}` });
      this.waiting.clear();
    });
  }

  request(command: string, args: unknown, timeoutMs = 60_000): Promise<ProtocolResponse> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(seq);
        reject(new Error(`tsserver: no response to ${command} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(seq, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.child.stdin.write(`${JSON.stringify({ seq, type: 'request', command, arguments: args })}\n`);
    });
  }

  /** Requests without a response (`open`, `change`): sent in order before the next request. */
  notify(command: string, args: unknown): void {
    this.child.stdin.write(`${JSON.stringify({ seq: ++this.seq, type: 'request', command, arguments: args })}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) {
        resolve();
        return;
      }
      this.child.once('exit', () => resolve());
      this.child.stdin.write(`${JSON.stringify({ seq: ++this.seq, type: 'request', command: 'exit' })}\n`);
      setTimeout(() => this.child.kill(), 5_000).unref();
    });
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const header = this.buffer.indexOf('\r\n\r\n');
      if (header < 0) return;
      const length = Number(/Content-Length: (\d+)/.exec(this.buffer.subarray(0, header).toString())?.[1]);
      const start = header + 4;
      if (this.buffer.length < start + length) return;
      const message = JSON.parse(this.buffer.subarray(start, start + length).toString());
      this.buffer = this.buffer.subarray(start + length);
      if (message.type === 'response') {
        this.waiting.get(message.request_seq)?.(message);
        this.waiting.delete(message.request_seq);
      }
    }
  }
}
