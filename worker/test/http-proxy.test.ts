import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { cluster, httpListener, mosnConfig, proxyConfig, route, router, vhost } from './helpers/config.js';
import { RawClient, header } from './helpers/raw-client.js';
import { closedPort, startNetServer, startUpstream, startWorker, waitFor } from './helpers/servers.js';

const T = { timeout: 15_000 };

/** An upstream that answers with what it saw, as JSON. */
function echoHandler(name = 'up'): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({
        name,
        method: req.method,
        url: req.url,
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks).toString('latin1'),
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  };
}

interface Seen {
  name: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  rawHeaders: string[];
  body: string;
}

function seen(body: Buffer): Seen {
  return JSON.parse(body.toString('latin1')) as Seen;
}

test('routes by virtual host and path, with prefix and host rewrite', T, async (t) => {
  const a = await startUpstream(t, echoHandler('a'));
  const b = await startUpstream(t, echoHandler('b'));
  const config = mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [
      router('r', [
        vhost('api', ['api.example.com'], [
          route({ prefix: '/v1/' }, { cluster: 'b', prefix_rewrite: '/', host_rewrite: 'internal.b' }),
          route({ prefix: '/' }, { cluster: 'a' }),
        ]),
        vhost('other', ['*'], [route({ path: '/only' }, { cluster: 'b' })]),
      ]),
    ],
    clusters: [cluster('a', [a.port]), cluster('b', [b.port])],
  });
  const w = await startWorker(t, config);
  const c = await RawClient.connect(t, w.port);

  await c.write('GET /v1/users?x=1 HTTP/1.1\r\nHost: API.example.com:8080\r\n\r\n');
  const r1 = seen((await c.readResponse()).body);
  assert.equal(r1.name, 'b');
  assert.equal(r1.url, '/users?x=1');
  assert.equal(r1.headers.host, 'internal.b');

  await c.write('GET /v2/users HTTP/1.1\r\nHost: api.example.com\r\n\r\n');
  const r2 = seen((await c.readResponse()).body);
  assert.equal(r2.name, 'a');
  assert.equal(r2.url, '/v2/users');
  assert.equal(r2.headers.host, 'api.example.com');

  await c.write('GET /only HTTP/1.1\r\nHost: elsewhere\r\n\r\n');
  assert.equal(seen((await c.readResponse()).body).name, 'b');
});

test('routes on header matchers', T, async (t) => {
  const a = await startUpstream(t, echoHandler('a'));
  const b = await startUpstream(t, echoHandler('b'));
  const config = mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [
      router('r', [
        vhost('all', ['*'], [
          route({ prefix: '/', headers: [{ name: 'x-canary', value: '1' }] }, { cluster: 'b' }),
          route({ prefix: '/' }, { cluster: 'a' }),
        ]),
      ]),
    ],
    clusters: [cluster('a', [a.port]), cluster('b', [b.port])],
  });
  const w = await startWorker(t, config);
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: x\r\nX-Canary: 1\r\n\r\n');
  assert.equal(seen((await c.readResponse()).body).name, 'b');
  await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(seen((await c.readResponse()).body).name, 'a');
});

test('no matching route is a 404 that names the request', T, async (t) => {
  const config = mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [router('r', [vhost('only', ['example.com'], [route({ prefix: '/api' }, { direct: { status: 200 } })])])],
  });
  const w = await startWorker(t, config);
  const c = await RawClient.connect(t, w.port);
  await c.write('GET /foo HTTP/1.1\r\nHost: example.com\r\n\r\n');
  const res = await c.readResponse();
  assert.equal(res.status, 404);
  assert.equal(res.body.toString(), 'no route for GET example.com/foo\n');
  // The connection stays usable after a local reply.
  await c.write('GET /bar HTTP/1.1\r\nHost: other.com\r\n\r\n');
  assert.equal((await c.readResponse()).status, 404);
});

test('a direct response answers with its status and body, without an upstream', T, async (t) => {
  const config = mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [
      router('r', [
        vhost('all', ['*'], [
          route({ path: '/healthz' }, { direct: { status: 200, body: 'ok\n' } }),
          route({ path: '/gone' }, { direct: { status: 410 } }),
          route({ path: '/empty' }, { direct: { status: 204 } }),
        ]),
      ]),
    ],
  });
  const w = await startWorker(t, config);
  const c = await RawClient.connect(t, w.port);
  await c.write('GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n');
  const res = await c.readResponse();
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), 'ok\n');
  assert.equal(header(res, 'content-type'), 'text/plain; charset=utf-8');
  await c.write('GET /gone HTTP/1.1\r\nHost: a\r\n\r\n');
  const gone = await c.readResponse();
  assert.equal(gone.status, 410);
  assert.equal(header(gone, 'content-length'), '0');
  await c.write('GET /empty HTTP/1.1\r\nHost: a\r\n\r\n');
  const empty = await c.readResponse();
  assert.equal(empty.status, 204);
  assert.equal(header(empty, 'content-length'), undefined);
  // A body posted to a direct response is consumed; the connection goes on.
  await c.write('POST /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /healthz HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await c.readResponse()).status, 200);
  assert.equal((await c.readResponse()).status, 200);
});

test('hop-by-hop headers are removed both ways and X-Forwarded-* / X-Request-Id are set', T, async (t) => {
  const up = await startUpstream(t, (req, res) => {
    res.setHeader('x-seen', JSON.stringify(req.rawHeaders));
    res.setHeader('Connection', 'keep-alive, X-Up-Hop');
    res.setHeader('Keep-Alive', 'timeout=5');
    res.setHeader('X-Up-Hop', 'secret');
    res.setHeader('Upgrade', 'h2c');
    res.end('done');
  });
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write(
    'GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Hop, Upgrade\r\nX-Hop: 1\r\nKeep-Alive: 300\r\nProxy-Connection: keep-alive\r\n' +
      'TE: trailers, gzip\r\nTrailer: X-T\r\nUpgrade: h2c\r\nX-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Proto: https\r\nX-Keep: yes\r\n\r\n',
  );
  const res = await c.readResponse();
  assert.equal(res.status, 200);
  const raw = JSON.parse(header(res, 'x-seen') ?? '[]') as string[];
  const names = raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
  for (const hop of ['connection', 'x-hop', 'keep-alive', 'proxy-connection', 'trailer', 'upgrade', 'transfer-encoding']) {
    assert.ok(!names.includes(hop), `${hop} must not reach the upstream: ${names.join(',')}`);
  }
  const value = (n: string): string | undefined => raw[raw.findIndex((x, i) => i % 2 === 0 && x.toLowerCase() === n) + 1];
  assert.equal(value('te'), 'trailers');
  assert.equal(value('x-keep'), 'yes');
  assert.equal(value('x-forwarded-for'), '10.0.0.1, 127.0.0.1');
  assert.equal(value('x-forwarded-proto'), 'http');
  assert.match(value('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  for (const hop of ['keep-alive', 'x-up-hop', 'upgrade']) assert.equal(header(res, hop), undefined, hop);
  assert.equal(header(res, 'connection'), undefined);
  assert.equal(res.body.toString(), 'done');
});

test('an X-Request-Id from the client is kept', T, async (t) => {
  const up = await startUpstream(t, echoHandler());
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\nX-Request-Id: my-id-1\r\n\r\n');
  assert.equal(seen((await c.readResponse()).body).headers['x-request-id'], 'my-id-1');
});

test('keep-alive: N requests from several clients reuse one upstream connection', T, async (t) => {
  const up = await startUpstream(t, echoHandler());
  const w = await startWorker(t, proxyConfig([up.port]));
  for (let k = 0; k < 3; k++) {
    const c = await RawClient.connect(t, w.port);
    for (let i = 0; i < 10; i++) {
      await c.write(`GET /${i} HTTP/1.1\r\nHost: a\r\n\r\n`);
      assert.equal(seen((await c.readResponse()).body).url, `/${i}`);
    }
    c.socket.destroy();
  }
  assert.equal(up.connections(), 1);
  assert.equal(w.server.stats().requestsTotal, 30);
});

test('max_request_per_conn closes an upstream connection after N requests', T, async (t) => {
  const up = await startUpstream(t, echoHandler());
  const w = await startWorker(t, proxyConfig([up.port], { cluster: { max_request_per_conn: 3 } }));
  const c = await RawClient.connect(t, w.port);
  for (let i = 0; i < 7; i++) {
    await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.equal((await c.readResponse()).status, 200);
  }
  assert.equal(up.connections(), 3); // 3 + 3 + 1
});

test('idle_timeout closes idle pooled upstream connections', T, async (t) => {
  const up = await startUpstream(t, echoHandler());
  const w = await startWorker(t, proxyConfig([up.port], { cluster: { idle_timeout: 150 } }));
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  await c.readResponse();
  assert.equal(up.openConnections(), 1);
  const idleSince = Date.now();
  await waitFor(() => up.openConnections() === 0, 'the idle upstream connection to close');
  assert.ok(Date.now() - idleSince >= 100, 'closed too early');
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await c.readResponse()).status, 200);
  assert.equal(up.connections(), 2);
});

test('round robin spreads requests over the cluster hosts', T, async (t) => {
  const hosts = [await startUpstream(t, echoHandler('0')), await startUpstream(t, echoHandler('1')), await startUpstream(t, echoHandler('2'))];
  const w = await startWorker(t, proxyConfig(hosts.map((h) => h.port)));
  const c = await RawClient.connect(t, w.port);
  const names: string[] = [];
  for (let i = 0; i < 6; i++) {
    await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    names.push(seen((await c.readResponse()).body).name);
  }
  assert.deepEqual(names, ['0', '1', '2', '0', '1', '2']);
});

test('upstream connection refused is a 502 naming the cluster, host and error', T, async (t) => {
  const port = await closedPort();
  const w = await startWorker(t, proxyConfig([port]));
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  const res = await c.readResponse();
  assert.equal(res.status, 502);
  assert.equal(res.body.toString(), `upstream connect error: cluster "c" host 127.0.0.1:${port}: ECONNREFUSED\n`);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await c.readResponse()).status, 502);
});

test('a cluster without hosts is a 503', T, async (t) => {
  const w = await startWorker(t, proxyConfig([]));
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  const res = await c.readResponse();
  assert.equal(res.status, 503);
  assert.equal(res.body.toString(), 'no host in cluster "c"\n');
});

test('the route timeout is a 504 naming the timeout and cluster', T, async (t) => {
  const up = await startUpstream(t, () => undefined); // never answers
  const w = await startWorker(t, proxyConfig([up.port], { timeout: 100 }));
  const c = await RawClient.connect(t, w.port);
  const started = Date.now();
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  const res = await c.readResponse();
  assert.equal(res.status, 504);
  assert.ok(Date.now() - started >= 90);
  assert.match(res.body.toString(), /route timeout of 100 ms \(cluster "c"\)/);
});

test('an upstream reset before the response is a 502', T, async (t) => {
  const up = await startNetServer(t, (s) => s.once('data', () => s.destroy()));
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  const res = await c.readResponse();
  assert.equal(res.status, 502);
  assert.match(res.body.toString(), /^upstream reset: cluster "c" host 127\.0\.0\.1:\d+: /);
});

test('an upstream that closes mid-response makes the proxy close the client connection, not answer twice', T, async (t) => {
  const up = await startNetServer(t, (s) =>
    s.once('data', () => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
      setImmediate(() => s.destroy());
    }),
  );
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  const all = await c.readAll();
  assert.match(all, /^HTTP\/1\.1 200 OK\r\n/);
  assert.ok(all.endsWith('partial'));
  assert.equal(all.split('HTTP/1.1').length, 2);
});

test('a malformed upstream response is a 502', T, async (t) => {
  const up = await startNetServer(t, (s) => s.once('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab')));
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  const res = await c.readResponse();
  assert.equal(res.status, 502);
  assert.match(res.body.toString(), /upstream protocol error/);
});

test('an upstream response without length is read until close, and the client connection closes after it', T, async (t) => {
  const up = await startNetServer(t, (s) =>
    s.once('data', () => {
      s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nstreamed ');
      setImmediate(() => s.end('until close'));
    }),
  );
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  const res = await c.readResponse();
  assert.equal(res.untilClose, true);
  assert.equal(header(res, 'connection'), 'close');
  assert.equal(res.body.toString(), 'streamed until close');
});

test('HEAD, 204 and 304 responses carry no body and keep the connection usable', T, async (t) => {
  const up = await startUpstream(t, (req, res) => {
    if (req.url === '/204') res.writeHead(204).end();
    else if (req.url === '/304') res.writeHead(304, { etag: '"x"' }).end();
    else res.writeHead(200, { 'content-length': '11' }).end(req.method === 'HEAD' ? undefined : 'hello world');
  });
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write('HEAD / HTTP/1.1\r\nHost: a\r\n\r\n');
  const head = await c.readResponse({ head: true });
  assert.equal(head.status, 200);
  assert.equal(header(head, 'content-length'), '11');
  await c.write('GET /204 HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await c.readResponse()).status, 204);
  await c.write('GET /304 HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await c.readResponse()).status, 304);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  const res = await c.readResponse();
  assert.equal(res.body.toString(), 'hello world');
  assert.equal(up.connections(), 1);
});

test('Expect: 100-continue is passed through: the 100 comes from the upstream, then the body flows', T, async (t) => {
  let sawExpect = '';
  const up = await startUpstream(t, echoHandler());
  up.server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    sawExpect = String(req.headers.expect);
    res.writeContinue();
    echoHandler()(req, res);
  });
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write('POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
  const cont = await c.readResponse();
  assert.equal(cont.status, 100);
  await c.write('hello');
  const res = await c.readResponse();
  assert.equal(res.status, 200);
  assert.equal(seen(res.body).body, 'hello');
  assert.equal(sawExpect, '100-continue');
});

test('pipelined requests are answered in order', T, async (t) => {
  const up = await startUpstream(t, (req, res) => {
    // The first request answers last: order must come from the proxy, not from timing.
    const delay = req.url === '/1' ? 30 : 0;
    setTimeout(() => res.end('r' + req.url), delay);
  });
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  let batch = '';
  for (let i = 1; i <= 5; i++) batch += `GET /${i} HTTP/1.1\r\nHost: a\r\n\r\n`;
  batch += 'POST /6 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /7 HTTP/1.1\r\nHost: a\r\n\r\n';
  await c.write(batch);
  for (let i = 1; i <= 7; i++) assert.equal((await c.readResponse()).body.toString(), 'r/' + i);
});

test('a client that half-closes after its request still gets the response', T, async (t) => {
  const up = await startUpstream(t, (_req, res) => setTimeout(() => res.end('late'), 20));
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  c.socket.end();
  const res = await c.readResponse();
  assert.equal(res.body.toString(), 'late');
  assert.equal(header(res, 'connection'), 'close');
  await c.closed;
});

test('Connection: close from the client closes the connection after the response', T, async (t) => {
  const up = await startUpstream(t, (_req, res) => res.end('x'));
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
  const res = await c.readResponse();
  assert.equal(header(res, 'connection'), 'close');
  await waitFor(() => c.isEnded, 'the proxy to end the connection');
});

test('HTTP/1.0 clients get HTTP/1.0 keep-alive semantics and never a chunked body', T, async (t) => {
  const up = await startUpstream(t, (req, res) => {
    res.write('chunk1 ');
    res.end('chunk2 ' + req.httpVersion);
  });
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.0\r\n\r\n');
  const res = await c.readResponse();
  assert.equal(res.untilClose, true);
  assert.equal(header(res, 'transfer-encoding'), undefined);
  assert.equal(res.body.toString(), 'chunk1 chunk2 1.0');
});

test('a WebSocket handshake asks the upstream for the upgrade; a normal answer keeps the connection HTTP', T, async (t) => {
  const up = await startUpstream(t, echoHandler());
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write('GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: x\r\n\r\n');
  const res = await c.readResponse();
  assert.equal(res.status, 200);
  const s = seen(res.body);
  assert.equal(s.headers.upgrade, 'websocket');
  assert.equal(s.headers.connection, 'upgrade');
  assert.equal(s.headers['sec-websocket-key'], 'x');
  // Other upgrades (and HTTP/1.0, and non-GET) are not passed on.
  await c.write('POST /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 0\r\n\r\n');
  const post = seen((await c.readResponse()).body);
  assert.equal(post.headers.upgrade, undefined);
  assert.equal(post.headers.connection, undefined);
});

test('a stale pooled connection closed by the upstream is retried once for an idempotent request', T, async (t) => {
  // The upstream closes every connection right after answering, without saying Connection: close.
  const up = await startNetServer(t, (s) =>
    s.once('data', () => {
      s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    }),
  );
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  for (let i = 0; i < 3; i++) {
    await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    const res = await c.readResponse();
    assert.equal(res.status, 200, `request ${i}: ${res.body.toString()}`);
  }
});

test('an absolute-form request is forwarded in origin form with the target authority as Host', T, async (t) => {
  const up = await startUpstream(t, echoHandler());
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write('GET http://Example.com:8080/x?y=1 HTTP/1.1\r\nHost: ignored.example\r\nX-A: 1\r\n\r\n');
  const s = seen((await c.readResponse()).body);
  assert.equal(s.url, '/x?y=1');
  assert.equal(s.headers.host, 'Example.com:8080');
  assert.equal(s.headers['x-a'], '1');
  assert.equal(s.rawHeaders.filter((h) => h.toLowerCase() === 'host').length, 1);
});

test('an HTTP/1.0 upstream response goes out as HTTP/1.1 with its headers', T, async (t) => {
  const up = await startNetServer(t, (s) => s.once('data', () => s.end('HTTP/1.0 201 Made\r\nX-Up: 1\r\nContent-Length: 2\r\n\r\nok')));
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  const res = await c.readResponse();
  assert.equal(res.status, 201);
  assert.equal(res.reason, 'Made');
  assert.equal(header(res, 'x-up'), '1');
  assert.equal(res.body.toString(), 'ok');
  // The upstream closes after an HTTP/1.0 response without keep-alive; the next request opens a new connection.
  await c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await c.readResponse()).status, 201);
});

test('the request line and kept header lines reach the upstream byte for byte', T, async (t) => {
  let received = '';
  const up = await startNetServer(t, (s) =>
    s.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      if (received.includes('\r\n\r\n')) s.write('HTTP/1.1 204 No Content\r\n\r\n');
    }),
  );
  const w = await startWorker(t, proxyConfig([up.port]));
  const c = await RawClient.connect(t, w.port);
  await c.write(Buffer.from('GET /p?q HTTP/1.1\r\nHost: h.example\r\nX-First:  spaced value \r\nConnection: keep-alive\r\nX-Second: \xe9\r\nX-Request-Id: rid\r\n\r\n', 'latin1'));
  assert.equal((await c.readResponse()).status, 204);
  assert.equal(
    received,
    'GET /p?q HTTP/1.1\r\nHost: h.example\r\nX-First:  spaced value \r\nX-Second: \xe9\r\nX-Request-Id: rid\r\n' +
      'x-forwarded-for: 127.0.0.1\r\nx-forwarded-proto: http\r\n\r\n',
  );
});
