// A real redis-server for the Redis backend tests: started on a free port of 127.0.0.1, in its
// own temporary directory, without persistence; ready when it answers PING (against a deadline,
// never a fixed sleep); stopped — and startable again on the same port — by the test.
// `@mosn/plugin-rate-limit/testing`: used by this package's tests and by the end-to-end tests.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';

const INSTALL_HINT = 'redis-server is needed by the Redis backend tests and was not found on PATH: run `apt-get install -y redis-server`';

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** The running server's pid; undefined while stopped. */
  readonly pid: number | undefined;
  /** Starts it again on the same port (after `stop`) and waits for PING. */
  start(): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited within the deadline. Idempotent. */
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** How long to wait for PING after a start. Default 5000 ms. */
  readonly readyTimeoutMs?: number;
  /** The port to serve on; default a free one. */
  readonly port?: number;
}

/** A free TCP port on 127.0.0.1 (listen on port 0, note the port, close). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error(`expected a TCP address from listen(0), found ${String(address)}`);
  return address.port;
}

/** Starts redis-server and stops it (and removes its directory) when the test ends. */
export async function startRedisServer(t: TestContext, options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = await findRedisServer();
  const readyTimeoutMs = options.readyTimeoutMs ?? 5_000;
  const dir = await mkdtemp(join(tmpdir(), 'mosn-rate-limit-redis-'));
  const port = options.port ?? (await freePort());
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> | undefined;
  const output: string[] = [];

  const start = async (): Promise<void> => {
    if (child !== undefined) throw new Error(`expected redis-server on port ${port} to be stopped before start(), found pid ${child.pid}`);
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
    args.push('--enable-debug-command', 'local', '--loglevel', 'warning');
    const started = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    // Keep the last lines for error messages; reading also keeps the pipes from filling up.
    const keep = (chunk: Buffer): void => {
      output.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      output.splice(0, Math.max(0, output.length - 20));
    };
    started.stdout?.on('data', keep);
    started.stderr?.on('data', keep);
    const spawnError = once(started, 'spawn').then(
      () => undefined,
      (error: unknown) => error,
    );
    exited = once(started, 'exit').catch(() => undefined);
    const error = await spawnError;
    if (error !== undefined) {
      child = undefined;
      throw new Error(`${INSTALL_HINT} (${(error as Error).message})`);
    }
    try {
      await waitForPing(port, readyTimeoutMs, () => started.exitCode !== null || started.signalCode !== null);
    } catch (cause) {
      await stop();
      throw new Error(`expected redis-server on 127.0.0.1:${port} to answer PING within ${readyTimeoutMs} ms; its output: ${output.join(' | ')}`, { cause });
    }
  };

  const stop = async (): Promise<void> => {
    const running = child;
    const exit = exited;
    if (running === undefined || exit === undefined) return;
    if (running.exitCode === null && running.signalCode === null) {
      running.kill('SIGTERM');
      const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(timer);
    }
    child = undefined;
    exited = undefined;
  };

  t.after(async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
  });
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    start,
    stop,
  };
}

async function findRedisServer(): Promise<string> {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter).concat(['/usr/bin', '/usr/local/bin'])) {
    if (dir === '') continue;
    const candidate = join(dir, 'redis-server');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(INSTALL_HINT);
}

/** Resolves once a PING on a fresh connection is answered +PONG; rejects at the deadline. */
async function waitForPing(port: number, timeoutMs: number, gone: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (gone()) throw new Error('redis-server exited');
    try {
      await ping(port, Math.max(1, deadline - Date.now()));
      return;
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  throw new Error(`no PONG from 127.0.0.1:${port} before the deadline`, { cause: last });
}

function ping(port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let answer = '';
    const done = (error?: Error): void => {
      socket.destroy();
      if (error === undefined) resolve();
      else reject(error);
    };
    socket.setTimeout(timeoutMs, () => done(new Error('PING timed out')));
    socket.on('error', (error) => done(error));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG') ? undefined : new Error(`expected +PONG, found ${JSON.stringify(answer)}`));
    });
    socket.on('close', () => done(new Error(`connection closed after ${JSON.stringify(answer)}`)));
  });
}
