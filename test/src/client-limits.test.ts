// Limits against slow and oversize clients, configured per proxy listener (extend_config and
// connection_idle_timeout), through the real mosnctl with raw sockets as clients.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { catchAllRouter, cluster, httpListener, mosnConfig, type Json } from './helpers/config-builder.js';
import { startMosn } from './helpers/mosn-process.js';
import { startHttpUpstream } from './helpers/upstream.js';

const T = { timeout: 60_000 };

/** A raw client: what it received, and when the proxy closed the connection. */
function rawClient(port: number): { socket: net.Socket; received: () => string; closed: Promise<number> } {
  const socket = net.connect(port, '127.0.0.1');
  let got = '';
  socket.on('data', (c: Buffer) => (got += c.toString('latin1')));
  socket.on('error', () => undefined);
  const opened = Date.now();
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - opened)));
  return { socket, received: () => got, closed };
}

async function startWithLimits(t: test.TestContext, extendConfig: Json | undefined, listenerExtra: Json = {}) {
  const up = await startHttpUpstream(t, (req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  const listener = httpListener('http', 'r') as { filter_chains: { filters: { config: Json }[] }[] } & Json;
  const filter = listener.filter_chains[0]?.filters[0];
  if (filter !== undefined && extendConfig !== undefined) filter.config['extend_config'] = extendConfig;
  return startMosn(t, mosnConfig({
    listeners: [{ ...listener, ...listenerExtra }],
    routers: [catchAllRouter('r', 'c')],
    clusters: [cluster('c', [up.address])],
  }), { workers: 1 });
}

test('a request head over max_header_size gets 431; one under it is served', T, async (t) => {
  const mosn = await startWithLimits(t, { max_header_size: 2048 });
  const port = mosn.port('http');
  const small = rawClient(port);
  small.socket.write(`GET / HTTP/1.1\r\nhost: x\r\nx-pad: ${'a'.repeat(1500)}\r\nconnection: close\r\n\r\n`);
  await small.closed;
  assert.match(small.received(), /^HTTP\/1\.1 200 /);

  const big = rawClient(port);
  big.socket.write(`GET / HTTP/1.1\r\nhost: x\r\nx-pad: ${'a'.repeat(3000)}\r\n\r\n`);
  await big.closed;
  assert.match(big.received(), /^HTTP\/1\.1 431 /);
});

test('a client that does not finish its head within header_read_timeout gets 408 and is closed', T, async (t) => {
  const mosn = await startWithLimits(t, { header_read_timeout: '300ms' });
  const slow = rawClient(mosn.port('http'));
  slow.socket.write('GET / HTTP/1.1\r\nhost: x\r\n'); // never the blank line
  const after = await slow.closed;
  assert.match(slow.received(), /^HTTP\/1\.1 408 /);
  assert.ok(after >= 250 && after < 5_000, `closed after ${after} ms`);

  // A connection that sends nothing at all is closed the same way.
  const silent = rawClient(mosn.port('http'));
  await silent.closed;
  assert.match(silent.received(), /^HTTP\/1\.1 408 /);
});

test('an idle keep-alive connection is closed after connection_idle_timeout, silently', T, async (t) => {
  const mosn = await startWithLimits(t, undefined, { connection_idle_timeout: '300ms' });
  const c = rawClient(mosn.port('http'));
  c.socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
  const after = await c.closed;
  assert.match(c.received(), /^HTTP\/1\.1 200 /);
  assert.equal(c.received().match(/HTTP\/1\.1/g)?.length, 1, 'nothing after the response: an idle close is silent');
  assert.ok(after >= 250 && after < 5_000, `closed after ${after} ms`);
});

test('max_requests_per_connection closes the connection after that many responses', T, async (t) => {
  const mosn = await startWithLimits(t, { max_requests_per_connection: 2 });
  const c = rawClient(mosn.port('http'));
  // Three pipelined requests: two are answered, the second with Connection: close.
  c.socket.write('GET /1 HTTP/1.1\r\nhost: x\r\n\r\nGET /2 HTTP/1.1\r\nhost: x\r\n\r\nGET /3 HTTP/1.1\r\nhost: x\r\n\r\n');
  await c.closed;
  const responses = c.received().split(/(?=HTTP\/1\.1 )/);
  assert.equal(responses.length, 2, c.received());
  assert.doesNotMatch(responses[0] ?? '', /connection: close/i);
  assert.match(responses[1] ?? '', /connection: close/i);
});

test('mosnctl check refuses a header_read_timeout of 0 and unknown extend_config keys', T, async (t) => {
  const { runMosnctl, tempDir, writeConfig } = await import('./helpers/mosn-process.js');
  const dir = await tempDir(t);
  const listener = httpListener('http', 'r') as { filter_chains: { filters: { config: Json }[] }[] } & Json;
  const filter = listener.filter_chains[0]?.filters[0];
  if (filter !== undefined) filter.config['extend_config'] = { header_read_timeout: '0', max_request_body_size: 10 };
  const file = await writeConfig(dir, mosnConfig({ listeners: [listener], routers: [catchAllRouter('r', 'c')], clusters: [cluster('c', ['127.0.0.1:9'])] }));
  const r = await runMosnctl(['check', '-c', file]);
  assert.equal(r.code, 1);
  assert.match(r.stderr + r.stdout, /extend_config\.header_read_timeout: expected a duration above 0/);
  assert.match(r.stderr + r.stdout, /"max_request_body_size" is a MOSN extend_config option that MOSN\.ts does not support yet/);
});
