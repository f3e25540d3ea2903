// WebSocket (HTTP/1.1 Upgrade) through the real mosnctl: the handshake reaches the upstream, a 101
// turns the connection into a tunnel carrying frames both ways, and a close on either side closes
// the other cleanly.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { catchAllRouter, cluster, httpListener, mosnConfig } from './helpers/config-builder.js';
import { request } from './helpers/http-client.js';
import { waitFor } from './helpers/deadline.js';
import { startMosn } from './helpers/mosn-process.js';

const T = { timeout: 60_000 };

interface WsUpstream {
  address: string;
  wss: WebSocketServer;
  /** Close events seen by the server: [code, reason]. */
  closes: [number, string][];
  /** Upgrade headers seen by the plain HTTP handler (requests that were not upgraded). */
  plain: http.IncomingHttpHeaders[];
}

/** An HTTP server that upgrades /ws to WebSocket: echoes text with a prefix; "bye" makes it close with 4001. */
async function startWsUpstream(t: test.TestContext): Promise<WsUpstream> {
  const plain: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    plain.push(req.headers);
    res.end('plain');
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  const closes: [number, string][] = [];
  wss.on('connection', (ws, req) => {
    ws.send(`hello ${req.headers['x-forwarded-for'] ?? ''}`);
    ws.on('message', (data, isBinary) => {
      if (!isBinary && data.toString() === 'bye') ws.close(4001, 'server says bye');
      else if (!isBinary && data.toString() === 'drop') ws.terminate();
      else ws.send(isBinary ? data : `echo ${data.toString()}`, { binary: isBinary });
    });
    ws.on('close', (code, reason) => closes.push([code, reason.toString()]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, wss, closes, plain };
}

/** A client with a queue of received messages. */
async function connect(t: test.TestContext, port: number): Promise<{ ws: WebSocket; next: () => Promise<string | Buffer>; closed: Promise<[number, string]> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  t.after(() => ws.terminate());
  const queue: (string | Buffer)[] = [];
  const waiters: ((m: string | Buffer) => void)[] = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const m = isBinary ? data : data.toString();
    const w = waiters.shift();
    if (w !== undefined) w(m);
    else queue.push(m);
  });
  const closed = new Promise<[number, string]>((resolve) => ws.on('close', (code, reason) => resolve([code, reason.toString()])));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake answered ${res.statusCode}`)));
    ws.once('error', reject);
  });
  const next = (): Promise<string | Buffer> => {
    const m = queue.shift();
    if (m !== undefined) return Promise.resolve(m);
    return new Promise((resolve) => waiters.push(resolve));
  };
  return { ws, next, closed };
}

async function start(t: test.TestContext, up: WsUpstream) {
  return startMosn(t, mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [catchAllRouter('r', 'ws')],
    clusters: [cluster('ws', [up.address])],
  }), { workers: 1 });
}

test('WebSocket frames flow both ways through the proxy', T, async (t) => {
  const up = await startWsUpstream(t);
  const mosn = await start(t, up);
  const c = await connect(t, mosn.port('http'));
  assert.equal(await c.next(), 'hello 127.0.0.1', 'the handshake went through the proxy (x-forwarded-for added)');
  c.ws.send('one');
  assert.equal(await c.next(), 'echo one');
  const binary = Buffer.alloc(200_000, 7);
  c.ws.send(binary);
  const back = await c.next();
  assert.ok(Buffer.isBuffer(back) && back.equals(binary), 'a large binary message arrives whole');
  // Plain HTTP on the same listener still works next to the tunnel.
  assert.equal((await request(mosn.port('http'), { path: '/plain' })).body, 'plain');
});

test('a client close reaches the upstream as a clean close, and the tunnel ends', T, async (t) => {
  const up = await startWsUpstream(t);
  const mosn = await start(t, up);
  const c = await connect(t, mosn.port('http'));
  await c.next();
  c.ws.close(1000, 'client done');
  assert.deepEqual(await c.closed, [1000, 'client done']);
  await waitFor(() => (up.closes.length === 1 ? true : undefined), 'the upstream to see the close', 5_000);
  assert.deepEqual(up.closes[0], [1000, 'client done']);
  await waitFor(() => (up.wss.clients.size === 0 ? true : undefined), 'the upstream connection to end', 5_000);
});

test('an upstream close reaches the client with its code; an upstream reset closes the client too', T, async (t) => {
  const up = await startWsUpstream(t);
  const mosn = await start(t, up);
  const c = await connect(t, mosn.port('http'));
  await c.next();
  c.ws.send('bye');
  assert.deepEqual(await c.closed, [4001, 'server says bye']);

  const d = await connect(t, mosn.port('http'));
  await d.next();
  d.ws.send('drop'); // the upstream destroys its socket without a close frame
  const [code] = await d.closed;
  assert.equal(code, 1006, 'abnormal closure: the client connection was closed, not left hanging');
});

test('an Upgrade other than websocket is not passed on', T, async (t) => {
  const up = await startWsUpstream(t);
  const mosn = await start(t, up);
  const r = await request(mosn.port('http'), { path: '/other', headers: { connection: 'upgrade', upgrade: 'h2c' } });
  assert.equal(r.status, 200);
  assert.equal(r.body, 'plain');
  assert.equal(up.plain[0]?.upgrade, undefined);
  assert.equal(up.plain[0]?.connection === 'upgrade', false);
});

test('an open tunnel counts against the cluster\'s max_connections until it closes', T, async (t) => {
  const upstream = await startWsUpstream(t);
  const config = mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [catchAllRouter('r', 'up')],
    clusters: [cluster('up', [upstream.address], { connect_timeout: '500ms', circuit_breakers: [{ max_connections: 1 }] })],
  });
  const mosn = await startMosn(t, config, { workers: 1 });
  const port = mosn.port('http');
  const client = await connect(t, port);
  assert.match(String(await client.next()), /^hello/);
  const refused = await request(port, { path: '/plain' });
  assert.equal(refused.status, 503, 'the one connection allowed is the tunnel');
  assert.equal(refused.headers['x-mosn-overloaded'], 'true');
  client.ws.close(1000, 'done');
  await client.closed;
  await waitFor(async () => ((await request(port, { path: '/plain' })).status === 200 ? true : undefined), 'room again once the tunnel closed');
});
