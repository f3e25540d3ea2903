import assert from 'node:assert/strict';
import { test } from 'node:test';
import { proxyConfig } from './helpers/config.js';
import { RawClient } from './helpers/raw-client.js';
import { startUpstream, startWorker, waitFor } from './helpers/servers.js';

const T = { timeout: 20_000 };
const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: a\r\n\r\n`;

/** An upstream that holds each request until released, counting what it saw. */
async function heldUpstream(t: import('node:test').TestContext) {
  const seen: string[] = [];
  const held: (() => void)[] = [];
  const up = await startUpstream(t, (req, res) => {
    seen.push(req.url ?? '');
    held.push(() => res.end('done ' + req.url));
  });
  return { up, seen, held, releaseAll: () => held.splice(0).forEach((f) => f()) };
}

test('a request over max_requests gets 503 with x-mosn-overloaded at once, and the worker counts it', T, async (t) => {
  const u = await heldUpstream(t);
  const w = await startWorker(t, proxyConfig([u.up.port], { cluster: { circuit_breakers: { max_connections: 0, max_pending_requests: 0, max_requests: 1, max_retries: 0 } } }));
  const a = await RawClient.connect(t, w.port);
  await a.write(GET('/a'));
  await waitFor(() => u.seen.length === 1, 'the first request upstream');
  const b = await RawClient.connect(t, w.port);
  await b.write(GET('/b'));
  const refused = await b.readResponse();
  assert.equal(refused.status, 503);
  assert.deepEqual(refused.headers.get('x-mosn-overloaded'), ['true']);
  assert.equal(w.server.stats().upstreamOverflowTotal, 1);
  u.releaseAll();
  assert.equal((await a.readResponse()).status, 200);
  // Below the limit again: admitted.
  await b.write(GET('/c'));
  await waitFor(() => u.seen.length === 2, 'the next request upstream');
  u.releaseAll();
  assert.equal((await b.readResponse()).body.toString(), 'done /c');
});

test('a waiting request whose client leaves gives its place up and is never sent', T, async (t) => {
  const u = await heldUpstream(t);
  const w = await startWorker(t, proxyConfig([u.up.port], { cluster: { circuit_breakers: { max_connections: 1, max_pending_requests: 1, max_requests: 0, max_retries: 0 } } }));
  const a = await RawClient.connect(t, w.port);
  await a.write(GET('/a'));
  await waitFor(() => u.seen.length === 1, 'the first request upstream');
  const b = await RawClient.connect(t, w.port);
  await b.write(GET('/b'));
  // b waits for the one connection; then its client goes away.
  const c = await RawClient.connect(t, w.port);
  await c.write(GET('/c-refused'));
  assert.equal((await c.readResponse()).status, 503);
  b.socket.destroy();
  await waitFor(() => w.server.stats().connectionsActive === 2, 'the client of b gone');
  // Its place is free: d may wait, and gets the connection after a.
  const d = await RawClient.connect(t, w.port);
  await d.write(GET('/d'));
  u.releaseAll();
  assert.equal((await a.readResponse()).status, 200);
  await waitFor(() => u.seen.length === 2, 'd upstream');
  u.releaseAll();
  assert.equal((await d.readResponse()).body.toString(), 'done /d');
  assert.deepEqual(u.seen, ['/a', '/d']);
});

test('a waiting request with a body sends it whole once a connection is free', T, async (t) => {
  const bodies: string[] = [];
  const held: (() => void)[] = [];
  const up = await startUpstream(t, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      held.push(() => res.end('got ' + body.length));
    });
  });
  const w = await startWorker(t, proxyConfig([up.port], { cluster: { circuit_breakers: { max_connections: 1, max_pending_requests: 4, max_requests: 0, max_retries: 0 } } }));
  const a = await RawClient.connect(t, w.port);
  await a.write('POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc');
  await waitFor(() => bodies.length === 1, 'a upstream');
  const b = await RawClient.connect(t, w.port);
  await b.write('POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n01234');
  await b.write('56789');
  held.splice(0).forEach((f) => f());
  assert.equal((await a.readResponse()).status, 200);
  await waitFor(() => bodies.length === 2, 'b upstream');
  held.splice(0).forEach((f) => f());
  assert.equal((await b.readResponse()).body.toString(), 'got 10');
  assert.equal(bodies[1], '0123456789');
});
