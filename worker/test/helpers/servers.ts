// Real servers for tests: node:http and net upstreams, and WorkerServer instances, each closed by t.after().

import http from 'node:http';
import net from 'node:net';
import type { TestContext } from 'node:test';
import type { MosnConfig } from '@mosn/config';
import { pino } from 'pino';
import { type HttpLimits, WorkerServer } from '../../src/index.js';

export const silentLogger = pino({ level: 'silent' });

export interface Upstream {
  server: http.Server;
  port: number;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Connections currently open. */
  openConnections(): number;
}

export async function startUpstream(t: TestContext, handler: http.RequestListener, options: http.ServerOptions = {}): Promise<Upstream> {
  const server = http.createServer({ keepAliveTimeout: 60_000, ...options }, handler);
  let accepted = 0;
  const open = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    accepted++;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { server, port: (server.address() as net.AddressInfo).port, connections: () => accepted, openConnections: () => open.size };
}

export async function startNetServer(t: TestContext, onConnection: (socket: net.Socket) => void, options: net.ServerOpts = {}): Promise<{ server: net.Server; port: number; sockets: Set<net.Socket> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer(options, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { server, port: (server.address() as net.AddressInfo).port, sockets };
}

/** A port on which nothing listens (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RunningWorker {
  server: WorkerServer;
  /** Port of the listener `name` (default: the first). */
  port: number;
  ports: Map<string, number>;
}

export async function startWorker(t: TestContext, config: MosnConfig, limits?: Partial<HttpLimits>): Promise<RunningWorker> {
  const server = new WorkerServer(limits === undefined ? { config, logger: silentLogger } : { config, logger: silentLogger, limits });
  t.after(() => server.close());
  const ports = new Map<string, number>();
  for (const l of config.listeners) {
    const { port } = await server.listen(l.name, { host: '127.0.0.1', port: 0 });
    ports.set(l.name, port);
  }
  return { server, port: ports.values().next().value as number, ports };
}

/** Polls `check` until it is true, failing at the deadline (no fixed sleeps). */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 5));
  }
}
