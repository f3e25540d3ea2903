// A small HTTP client for the admin API over a real socket (node:http, no keep-alive).
// (The test runner also loads this file as a test file; it has no side effects.)
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Default 5000 ms. */
  readonly timeoutMs?: number;
}

export function request(port: number, path: string, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { connection: 'close', ...options.headers }, agent: false, timeout: options.timeoutMs ?? 5_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`expected an answer to ${options.method ?? 'GET'} ${path} within ${options.timeoutMs ?? 5_000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

export async function getJson(port: number, path: string): Promise<{ status: number; json: unknown }> {
  const reply = await request(port, path);
  return { status: reply.status, json: JSON.parse(reply.body) as unknown };
}
