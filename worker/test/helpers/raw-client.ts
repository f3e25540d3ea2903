// A raw TCP HTTP/1.1 client for tests: sends exactly the bytes given, and reads responses with a
// deliberately simple parser of its own (independent of the worker's codec).

import net from 'node:net';
import type { TestContext } from 'node:test';

export interface RawResponse {
  status: number;
  reason: string;
  /** Header lines as received: [name, value]. */
  rawHeaders: [string, string][];
  /** Lower-case name → values. */
  headers: Map<string, string[]>;
  body: Buffer;
  /** The response ended because the connection closed (no length). */
  untilClose: boolean;
}

export class RawClient {
  readonly socket: net.Socket;
  private buf = Buffer.alloc(0);
  private ended = false;
  private closedFlag = false;
  private notify: (() => void) | undefined;
  readonly closed: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.ended = true;
        this.closedFlag = true;
        this.wake();
        resolve();
      }),
    );
  }

  static async connect(t: TestContext, port: number, options: { allowHalfOpen?: boolean } = {}): Promise<RawClient> {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: options.allowHalfOpen ?? true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawClient(socket);
    t.after(() => socket.destroy());
    return client;
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Whether the server ended its side (FIN or close). */
  get isEnded(): boolean {
    return this.ended;
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (err) => (err ? reject(err) : resolve())));
  }

  private wake(): void {
    const n = this.notify;
    this.notify = undefined;
    n?.();
  }

  private async more(): Promise<void> {
    if (this.ended) throw new Error('connection ended; buffered: ' + JSON.stringify(this.buf.toString('latin1').slice(0, 300)));
    await new Promise<void>((resolve) => (this.notify = resolve));
  }

  /** Reads the next response. `head: true` for the response to a HEAD request (no body). */
  async readResponse(options: { head?: boolean } = {}): Promise<RawResponse> {
    for (;;) {
      const res = this.tryParse(options.head ?? false);
      if (res !== undefined) return res;
      await this.more();
    }
  }

  /** Everything the server sends until it closes. */
  async readAll(): Promise<string> {
    while (!this.ended) await this.more().catch(() => undefined);
    const s = this.buf.toString('latin1');
    this.buf = Buffer.alloc(0);
    return s;
  }

  private tryParse(head: boolean): RawResponse | undefined {
    const b = this.buf;
    const end = b.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const lines = b.toString('latin1', 0, end).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0] ?? '');
    if (m === null) throw new Error('bad status line: ' + JSON.stringify(lines[0]));
    const status = Number(m[1]);
    const rawHeaders: [string, string][] = [];
    const headers = new Map<string, string[]>();
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      const name = line.slice(0, i);
      const value = line.slice(i + 1).trim();
      rawHeaders.push([name, value]);
      const l = name.toLowerCase();
      headers.set(l, [...(headers.get(l) ?? []), value]);
    }
    let pos = end + 4;
    let body: Buffer;
    let untilClose = false;
    const te = headers.get('transfer-encoding')?.join(',');
    const cl = headers.get('content-length')?.[0];
    if (head || status < 200 || status === 204 || status === 304) {
      body = Buffer.alloc(0);
    } else if (te !== undefined && /chunked\s*$/i.test(te)) {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = b.indexOf('\r\n', pos);
        if (lineEnd < 0) return undefined;
        const size = parseInt(b.toString('latin1', pos, lineEnd).split(';')[0] ?? '', 16);
        pos = lineEnd + 2;
        if (size === 0) {
          const trailerEnd = b.indexOf('\r\n', pos);
          if (trailerEnd < 0) return undefined;
          if (trailerEnd === pos) {
            pos += 2;
            break;
          }
          const fin = b.indexOf('\r\n\r\n', pos);
          if (fin < 0) return undefined;
          pos = fin + 4;
          break;
        }
        if (b.length < pos + size + 2) return undefined;
        parts.push(b.subarray(pos, pos + size));
        pos += size + 2;
      }
      body = Buffer.concat(parts);
    } else if (cl !== undefined) {
      const n = Number(cl);
      if (b.length < pos + n) return undefined;
      body = b.subarray(pos, pos + n);
      pos += n;
    } else {
      if (!this.ended) return undefined;
      body = b.subarray(pos);
      pos = b.length;
      untilClose = true;
    }
    this.buf = b.subarray(pos);
    return { status, reason: m[2] ?? '', rawHeaders, headers, body: Buffer.from(body), untilClose };
  }
}

export function header(res: RawResponse, name: string): string | undefined {
  return res.headers.get(name)?.[0];
}
