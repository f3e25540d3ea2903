import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { MosnWorkerError, WorkerServer } from '../src/index.js';
import { cluster, mosnConfig, proxyConfig, tcpListener } from './helpers/config.js';
import { RawClient, header } from './helpers/raw-client.js';
import { silentLogger, startNetServer, startUpstream, startWorker, waitFor } from './helpers/servers.js';

const T = { timeout: 20_000 };

test('listen on an address in use rejects with MOSN_ERR_LISTEN saying "address in use"', T, async (t) => {
  const taken = await startNetServer(t, () => undefined);
  const server = new WorkerServer({ config: proxyConfig([1]), logger: silentLogger });
  t.after(() => server.close());
  await assert.rejects(server.listen('http', { host: '127.0.0.1', port: taken.port }), (err: unknown) => {
    assert.ok(err instanceof MosnWorkerError);
    assert.equal(err.code, 'MOSN_ERR_LISTEN');
    assert.match(err.message, new RegExp(`listener "http" cannot listen on 127\\.0\\.0\\.1:${taken.port}: address in use`));
    return true;
  });
});

test('listen on an unknown listener name rejects with MOSN_ERR_LISTEN naming the known ones', T, async (t) => {
  const server = new WorkerServer({ config: proxyConfig([1]), logger: silentLogger });
  t.after(() => server.close());
  await assert.rejects(server.listen('nope', { host: '127.0.0.1', port: 0 }), { code: 'MOSN_ERR_LISTEN', message: /no listener named "nope".*"http"/ });
});

test('a listener whose tcp_proxy cluster is missing rejects with MOSN_ERR_WORKER_CONFIG', T, async (t) => {
  const server = new WorkerServer({ config: mosnConfig({ listeners: [tcpListener('tcp', 'missing')] }), logger: silentLogger });
  t.after(() => server.close());
  await assert.rejects(server.listen('tcp', { host: '127.0.0.1', port: 0 }), { code: 'MOSN_ERR_WORKER_CONFIG' });
});

test('listens on a bound TCP handle as the supervisor sends it', T, async (t) => {
  type CreateHandle = (address: string, port: number, addressType: number, fd: undefined, flags: number) => { getsockname(o: { port?: number }): number; close(): void } | number;
  const create = (net as unknown as { _createServerHandle: CreateHandle })._createServerHandle;
  const handle = create('127.0.0.1', 0, 4, undefined, 0);
  assert.equal(typeof handle, 'object');
  const up = await startUpstream(t, (_req, res) => res.end('via handle'));
  const server = new WorkerServer({ config: proxyConfig([up.port]), logger: silentLogger });
  t.after(() => server.close());
  const { port } = await server.listen('http', handle as object);
  const out: { port?: number } = {};
  (handle as { getsockname(o: { port?: number }): number }).getsockname(out);
  assert.equal(port, out.port);
  const c = await RawClient.connect(t, port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await c.readResponse()).body.toString(), 'via handle');
});

test('stats count connections and requests', T, async (t) => {
  const up = await startUpstream(t, (_req, res) => res.end('x'));
  const w = await startWorker(t, proxyConfig([up.port]));
  const a = await RawClient.connect(t, w.port);
  const b = await RawClient.connect(t, w.port);
  for (const c of [a, b, a]) {
    await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await c.readResponse();
  }
  const { connectionsActive, connectionsTotal, requestsTotal } = w.server.stats();
  assert.deepEqual({ connectionsActive, connectionsTotal, requestsTotal }, { connectionsActive: 2, connectionsTotal: 2, requestsTotal: 3 });
  a.socket.destroy();
  await waitFor(() => w.server.stats().connectionsActive === 1, 'the closed connection to be counted');
});

test('stopAccepting refuses new connections and keeps serving existing ones', T, async (t) => {
  const up = await startUpstream(t, (_req, res) => res.end('x'));
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await w.server.stopAccepting();
  await assert.rejects(RawClient.connect(t, w.port), { code: 'ECONNREFUSED' });
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await c.readResponse()).status, 200);
});

test('drain: a keep-alive client gets Connection: close on its next response, then the connection closes', T, async (t) => {
  const up = await startUpstream(t, (_req, res) => setTimeout(() => res.end('x'), 50));
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal(header(await c.readResponse(), 'connection'), undefined);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n'); // in flight when the drain starts
  await waitFor(() => w.server.stats().requestsTotal === 2, 'the second request to arrive');
  await w.server.stopAccepting();
  const drained = w.server.drain(Date.now() + 5000);
  const res = await c.readResponse();
  assert.equal(res.status, 200);
  assert.equal(header(res, 'connection'), 'close');
  assert.deepEqual(await drained, { forced: 0 });
  await waitFor(() => c.isEnded, 'the connection to end');
});

test('drain: an in-flight slow request completes', T, async (t) => {
  const up = await startUpstream(t, (_req, res) => setTimeout(() => res.end('slow but complete'), 300));
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  await waitFor(() => up.connections() === 1, 'the request to reach the upstream');
  await w.server.stopAccepting();
  const drained = w.server.drain(Date.now() + 5000);
  const res = await c.readResponse();
  assert.equal(res.body.toString(), 'slow but complete');
  assert.equal(header(res, 'connection'), 'close');
  assert.deepEqual(await drained, { forced: 0 });
});

test('drain: idle keep-alive connections are closed, and drain resolves once none remain', T, async (t) => {
  const up = await startUpstream(t, (_req, res) => res.end('x'));
  const w = await startWorker(t, proxyConfig([up.port]));
  const clients: RawClient[] = [];
  for (let i = 0; i < 5; i++) {
    const c = await RawClient.connect(t, w.port);
    await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await c.readResponse();
    clients.push(c);
    // Real clients close when the server ends the connection.
    c.socket.on('end', () => c.socket.end());
  }
  await w.server.stopAccepting();
  const started = Date.now();
  assert.deepEqual(await w.server.drain(Date.now() + 2000), { forced: 0 });
  assert.ok(Date.now() - started < 1500);
  for (const c of clients) assert.ok(c.isEnded);
  assert.equal(w.server.stats().connectionsActive, 0);
});

test('drain: at the deadline the remaining connections are destroyed and counted', T, async (t) => {
  const up = await startUpstream(t, () => undefined); // never answers
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  await waitFor(() => up.connections() === 1, 'the request to reach the upstream');
  const started = Date.now();
  assert.deepEqual(await w.server.drain(Date.now() + 200), { forced: 1 });
  assert.ok(Date.now() - started >= 150);
  await waitFor(() => c.isEnded, 'the client connection to be closed');
});

test('drain: a TCP proxy pair is kept until it ends', T, async (t) => {
  const up = await startNetServer(t, (s) => s.pipe(s));
  const w = await startWorker(t, mosnConfig({ listeners: [tcpListener('tcp', 'c')], clusters: [cluster('c', [up.port])] }));
  const c = net.connect({ port: w.port, host: '127.0.0.1' });
  t.after(() => c.destroy());
  await new Promise((r) => c.once('connect', r));
  const drained = w.server.drain(Date.now() + 5000);
  c.write('still ');
  const echoed = await new Promise<string>((resolve) => c.once('data', (d: Buffer) => resolve(d.toString())));
  assert.equal(echoed, 'still ');
  c.end();
  assert.deepEqual(await drained, { forced: 0 });
});

test('close destroys every connection at once', T, async (t) => {
  const up = await startUpstream(t, () => undefined);
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  await waitFor(() => up.connections() === 1, 'the request to reach the upstream');
  await w.server.close();
  await waitFor(() => c.isEnded, 'the client connection to be closed');
  await waitFor(() => up.openConnections() === 0, 'the upstream connection to close');
});
