// Shared setup for the end-to-end tests: real Unix sockets in a temp dir, cleaned up in t.after().
// (The test runner also loads this file as a test file; it has no side effects.)

import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { connectUnix, createIpcConnection, listenUnix } from '../../src/index.js';
import type { IpcConnection, IpcLogger } from '../../src/index.js';

export interface LogRecord {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly obj: Record<string, unknown>;
  readonly msg: string | undefined;
}

export interface CaptureLogger extends IpcLogger {
  readonly records: LogRecord[];
  /** Resolves with the first record (already logged or future) that matches. */
  waitFor(match: (record: LogRecord) => boolean, what: string, timeoutMs?: number): Promise<LogRecord>;
}

export function captureLogger(): CaptureLogger {
  const records: LogRecord[] = [];
  const events = new EventEmitter();
  const log =
    (level: LogRecord['level']) =>
    (obj: object, msg?: string): void => {
      const record = { level, obj: obj as Record<string, unknown>, msg };
      records.push(record);
      events.emit('record', record);
    };
  return {
    records,
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    waitFor(match, what, timeoutMs = 5_000) {
      const found = records.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return withDeadline(
        new Promise<LogRecord>((resolve) => {
          const listener = (record: LogRecord): void => {
            if (!match(record)) return;
            events.off('record', listener);
            resolve(record);
          };
          events.on('record', listener);
        }),
        timeoutMs,
        what,
      );
    },
  };
}

/** Rejects if `promise` has not settled within `timeoutMs`; the timer never outlives it. */
export function withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mosn-ipc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface TestServer {
  readonly server: Server;
  readonly path: string;
  readonly logger: CaptureLogger;
  readonly connections: IpcConnection[];
}

/** A server on `path` whose every connection gets `register(connection)` before it listens. */
export async function startServer(
  t: TestContext,
  path: string,
  register: (connection: IpcConnection) => void = () => {},
  options: { maxFrameBytes?: number } = {},
): Promise<TestServer> {
  const logger = captureLogger();
  const connections: IpcConnection[] = [];
  const sockets = new Set<Socket>();
  const server = await listenUnix(path, {
    logger,
    onConnection: (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      const connection = createIpcConnection(socket, { logger, ...options });
      connections.push(connection);
      register(connection);
      connection.listen();
    },
  });
  t.after(async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const connection of connections) connection.dispose();
    for (const socket of sockets) socket.destroy();
    await closed;
  });
  return { server, path, logger, connections };
}

export async function connectClient(
  t: TestContext,
  path: string,
  options: { maxFrameBytes?: number } = {},
): Promise<{ connection: IpcConnection; logger: CaptureLogger; socket: Socket }> {
  const logger = captureLogger();
  const socket = await connectUnix(path);
  const connection = createIpcConnection(socket, { logger, ...options });
  connection.listen();
  t.after(() => {
    connection.dispose();
    socket.destroy();
  });
  return { connection, logger, socket };
}
