import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { test } from 'node:test';
import { proxyConfig } from './helpers/config.js';
import { RawClient, header } from './helpers/raw-client.js';
import { startUpstream, startWorker, waitFor } from './helpers/servers.js';

const T = { timeout: 20_000 };

async function setup(t: Parameters<typeof startUpstream>[0], limits = {}) {
  const requests: string[] = [];
  const handler: http.RequestListener = (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => res.end('ok'));
  };
  const up = await startUpstream(t, handler, { maxHeaderSize: 1 << 20 });
  const w = await startWorker(t, proxyConfig([up.port]), limits);
  return { up, w, requests };
}

const MALFORMED: [string, string][] = [
  ['duplicate Content-Length', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc'],
  ['conflicting Content-Length', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd'],
  ['Content-Length list', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc'],
  ['Content-Length with Transfer-Encoding (CL.TE)', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX'],
  ['Transfer-Encoding with Content-Length (TE.CL)', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n'],
  ['Transfer-Encoding not ending in chunked', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n'],
  ['obfuscated Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n'],
  ['space before colon', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n'],
  ['obs-fold', 'GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n  folded\r\n\r\n'],
  ['bare LF in a header line', 'GET / HTTP/1.1\r\nHost: a\nX: 1\r\n\r\n'],
  ['bare CR in a header value', 'GET / HTTP/1.1\r\nHost: a\r\nX: 1\r2\r\n\r\n'],
  ['NUL in a header value', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n'],
  ['invalid header name', 'GET / HTTP/1.1\r\nHost: a\r\nX[1]: 1\r\n\r\n'],
  ['invalid method', 'G(T / HTTP/1.1\r\nHost: a\r\n\r\n'],
  ['invalid target', 'GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n'],
  ['invalid version', 'GET / HTTP/1.x\r\nHost: a\r\n\r\n'],
  ['missing Host', 'GET / HTTP/1.1\r\n\r\n'],
  ['two Host headers', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
  ['bad chunk size', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n'],
  ['chunk size with trailing junk', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n0\r\n\r\n'],
  ['chunk data too long', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n'],
  ['bare LF after chunk size', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n'],
];

for (const [name, bytes] of MALFORMED) {
  test(`malformed request (${name}) is a 400, closes the connection and never reaches the upstream`, T, async (t) => {
    const { w, requests } = await setup(t);
    const c = await RawClient.connect(t, w.port);
    await c.write(bytes + 'GET /after HTTP/1.1\r\nHost: a\r\n\r\n');
    const res = await c.readResponse();
    assert.equal(res.status, 400, res.body.toString());
    assert.equal(header(res, 'connection'), 'close');
    await waitFor(() => c.isEnded, 'the connection to be closed');
    assert.deepEqual(requests, []);
  });
}

test('a malformed request on one connection does not disturb another', T, async (t) => {
  const { w, requests } = await setup(t);
  const good = await RawClient.connect(t, w.port);
  const bad = await RawClient.connect(t, w.port);
  await good.write('GET /1 HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await good.readResponse()).status, 200);
  await bad.write('GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n');
  assert.equal((await bad.readResponse()).status, 400);
  await good.write('GET /2 HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await good.readResponse()).status, 200);
  assert.deepEqual(requests, ['GET /1', 'GET /2']);
});

test('a chunked body that turns malformed midway never completes upstream and gets a 400', T, async (t) => {
  const { up, w } = await setup(t);
  let completed = 0;
  let aborted = 0;
  up.server.removeAllListeners('request');
  up.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.on('end', () => {
      completed++;
      res.end('ok');
    });
    req.on('aborted', () => aborted++);
    req.on('error', () => undefined);
    req.resume();
  });
  const c = await RawClient.connect(t, w.port);
  await c.write('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
  await waitFor(() => up.connections() === 1, 'the request to reach the upstream');
  await c.write('5\r\nworldXX\r\n0\r\n\r\n');
  const res = await c.readResponse();
  assert.equal(res.status, 400);
  assert.match(res.body.toString(), /CRLF/);
  await waitFor(() => up.openConnections() === 0, 'the upstream connection to be dropped');
  assert.equal(completed, 0);
});

test('request headers over the limit are a 431', T, async (t) => {
  const { w, requests } = await setup(t, { maxRequestHeadBytes: 2048 });
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\nX-Big: ' + 'a'.repeat(4000) + '\r\n\r\n');
  const res = await c.readResponse();
  assert.equal(res.status, 431);
  // The limit also applies while the head is still incomplete.
  const d = await RawClient.connect(t, w.port);
  await d.write('GET / HTTP/1.1\r\nHost: a\r\nX-Big: ' + 'a'.repeat(4000));
  assert.equal((await d.readResponse()).status, 431);
  assert.deepEqual(requests, []);
});

test('the default header limit is 60 KiB', T, async (t) => {
  const { w } = await setup(t);
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\nX-Big: ' + 'a'.repeat(50 * 1024) + '\r\n\r\n');
  assert.equal((await c.readResponse()).status, 200);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\nX-Big: ' + 'a'.repeat(62 * 1024) + '\r\n\r\n');
  assert.equal((await c.readResponse()).status, 431);
});

test('a bare-LF request is refused at once, without waiting for a CRLF CRLF that never comes', T, async (t) => {
  const { w } = await setup(t);
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\nHost: a\n\n');
  assert.equal((await c.readResponse()).status, 400);
});

test('a head that is not complete within the header timeout gets a 408 and is closed', T, async (t) => {
  const { w } = await setup(t, { headerTimeoutMs: 100 });
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n');
  const res = await c.readResponse();
  assert.equal(res.status, 408);
  await waitFor(() => c.isEnded, 'the connection to be closed');
  // A connection that never sends anything is timed out the same way.
  const silent = await RawClient.connect(t, w.port);
  assert.equal((await silent.readResponse()).status, 408);
});

test('an idle keep-alive connection is closed silently after the keep-alive timeout', T, async (t) => {
  const { w } = await setup(t, { keepAliveTimeoutMs: 100 });
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await c.readResponse()).status, 200);
  await waitFor(() => c.isEnded, 'the idle connection to be closed');
  assert.equal(await c.readAll(), '');
});

test('a request sent one byte at a time (head and body) is proxied intact', T, async (t) => {
  const { up, w } = await setup(t);
  let body = '';
  up.server.removeAllListeners('request');
  up.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.setEncoding('latin1');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => res.end('got ' + req.url));
  });
  const c = await RawClient.connect(t, w.port);
  const bytes = 'POST /slow HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n';
  for (const ch of bytes) await c.write(ch);
  const res = await c.readResponse();
  assert.equal(res.body.toString(), 'got /slow');
  assert.equal(body, 'hello world');
});

test('empty lines before a request line are ignored', T, async (t) => {
  const { w } = await setup(t);
  const c = await RawClient.connect(t, w.port);
  await c.write('\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await c.readResponse()).status, 200);
});

test('random garbage never crashes the worker, which keeps serving', T, async (t) => {
  const { w } = await setup(t, { headerTimeoutMs: 500 });
  const prefixes = ['', 'GET / HTTP/1.1\r\n', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n', 'GET / HTTP/1.1\r\nHost: a\r\n'];
  const clients: RawClient[] = [];
  for (let i = 0; i < 60; i++) {
    const c = await RawClient.connect(t, w.port);
    await c.write(Buffer.concat([Buffer.from(prefixes[i % prefixes.length] ?? ''), randomBytes(1 + (i * 37) % 3000), Buffer.from('\r\n\r\n')]));
    clients.push(c);
  }
  for (const c of clients) c.socket.destroy();
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await c.readResponse()).status, 200);
});
