// Route options beyond match → cluster, through the real mosnctl with real upstreams:
// weighted_clusters, cluster_header, header matchers (exact, regex, present), regex_rewrite,
// auto_host_rewrite, redirect, header options at router / virtual host / route level, and the
// route's timeout and idle_timeout.
import assert from 'node:assert/strict';
import type http from 'node:http';
import net from 'node:net';
import { test } from 'node:test';
import { cluster, httpListener, mosnConfig, router } from './helpers/config-builder.js';
import { request } from './helpers/http-client.js';
import { startMosn } from './helpers/mosn-process.js';
import { startHttpUpstream } from './helpers/upstream.js';

const T = { timeout: 60_000 };

interface Seen {
  name: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

async function named(t: test.TestContext, name: string, seen: Seen[], answer?: (res: http.ServerResponse) => void) {
  return startHttpUpstream(t, (req, res) => {
    seen.push({ name, url: req.url ?? '', headers: req.headers });
    req.resume();
    if (answer !== undefined) return answer(res);
    res.setHeader('x-upstream-secret', 'internal');
    res.setHeader('server', 'upstream/1');
    res.end(name);
  });
}

test('weighted_clusters split by weight; cluster_header picks the cluster a header names', T, async (t) => {
  const seen: Seen[] = [];
  const [a, b, c] = await Promise.all([named(t, 'a', seen), named(t, 'b', seen), named(t, 'c', seen)]);
  const config = mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [
      router('r', [
        {
          name: 'all',
          domains: ['*'],
          routers: [
            { match: { prefix: '/by-header' }, route: { cluster_header: 'x-target' } },
            {
              match: { prefix: '/' },
              route: { weighted_clusters: [{ cluster: { name: 'a', weight: 3 } }, { cluster: { name: 'b', weight: 1 } }, { cluster: { name: 'c', weight: 0 } }] },
            },
          ],
        },
      ]),
    ],
    clusters: [cluster('a', [a.address]), cluster('b', [b.address]), cluster('c', [c.address])],
  });
  const mosn = await startMosn(t, config, { workers: 1 });
  const port = mosn.port('http');
  const bodies: string[] = [];
  for (let i = 0; i < 40; i++) bodies.push((await request(port, { path: '/w' })).body);
  assert.equal(bodies.filter((x) => x === 'a').length, 30, 'smooth weighted round robin: exactly 3:1 over whole cycles');
  assert.equal(bodies.filter((x) => x === 'b').length, 10);
  assert.equal(bodies.filter((x) => x === 'c').length, 0, 'a zero weight is never picked');

  assert.equal((await request(port, { path: '/by-header', headers: { 'x-target': 'c' } })).body, 'c');
  const missing = await request(port, { path: '/by-header' });
  assert.equal(missing.status, 503);
  assert.match(missing.body, /x-target/);
  const unknown = await request(port, { path: '/by-header', headers: { 'x-target': 'nope' } });
  assert.equal(unknown.status, 503);
  assert.match(unknown.body, /"nope" is not configured/);
});

test('header matchers: exact, regex and present; regex_rewrite and auto_host_rewrite', T, async (t) => {
  const seen: Seen[] = [];
  const [exact, regex, present, rest] = await Promise.all([named(t, 'exact', seen), named(t, 'regex', seen), named(t, 'present', seen), named(t, 'rest', seen)]);
  const config = mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [
      router('r', [
        {
          name: 'all',
          domains: ['*'],
          routers: [
            { match: { prefix: '/', headers: [{ name: 'X-Env', value: 'prod' }] }, route: { cluster_name: 'exact' } },
            { match: { prefix: '/', headers: [{ name: 'x-version', value: 'v[0-9]+', regex: true }] }, route: { cluster_name: 'regex' } },
            { match: { prefix: '/', headers: [{ name: 'x-debug', present_match: true }] }, route: { cluster_name: 'present', auto_host_rewrite: true } },
            {
              match: { prefix: '/' },
              route: { cluster_name: 'rest', regex_rewrite: { pattern: { google_re2: {}, regex: '^/users/([0-9]+)/profile$' }, substitution: '/profiles/$1' } },
            },
          ],
        },
      ]),
    ],
    clusters: [cluster('exact', [exact.address]), cluster('regex', [regex.address]), cluster('present', [present.address]), cluster('rest', [rest.address])],
  });
  const mosn = await startMosn(t, config, { workers: 1 });
  const port = mosn.port('http');
  assert.equal((await request(port, { headers: { 'x-env': 'prod' } })).body, 'exact');
  assert.equal((await request(port, { headers: { 'x-env': 'production' } })).body, 'rest', 'exact means the whole value');
  assert.equal((await request(port, { headers: { 'x-version': 'v12' } })).body, 'regex');
  assert.equal((await request(port, { headers: { 'x-version': 'v12-beta' } })).body, 'rest', 'a regex matches the whole value');
  assert.equal((await request(port, { headers: { 'x-debug': '' } })).body, 'present', 'present: any value, even empty');
  assert.equal(seen.at(-1)?.headers.host, present.address, 'auto_host_rewrite: Host is the chosen upstream host');

  const r = await request(port, { path: '/users/42/profile?full=1' });
  assert.equal(r.body, 'rest');
  assert.equal(seen.at(-1)?.url, '/profiles/42?full=1', 'regex_rewrite replaces in the path and keeps the query');
});

test('redirect answers with Location built from the request, and the chosen code', T, async (t) => {
  const config = mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [
      router('r', [
        {
          name: 'all',
          domains: ['*'],
          response_headers_to_add: [{ header: { key: 'x-vhost', value: 'all' } }],
          routers: [
            { match: { prefix: '/old' }, redirect: { path_redirect: '/new' } },
            { match: { prefix: '/secure' }, redirect: { scheme_redirect: 'https', response_code: 308 } },
            { match: { prefix: '/' }, redirect: { host_redirect: 'www.example.com', response_code: 302 } },
          ],
        },
      ]),
    ],
  });
  const mosn = await startMosn(t, config, { workers: 1 });
  const port = mosn.port('http');
  const moved = await request(port, { path: '/old/page?x=1', headers: { host: 'shop.example.com:8080' } });
  assert.equal(moved.status, 301);
  assert.equal(moved.headers.location, 'http://shop.example.com:8080/new?x=1');
  assert.equal(moved.headers['x-vhost'], 'all', 'response headers of the virtual host apply to redirects');
  const https = await request(port, { path: '/secure/a', headers: { host: 'shop.example.com:8080' } });
  assert.equal(https.status, 308);
  assert.equal(https.headers.location, 'https://shop.example.com/secure/a', 'the port of the other scheme is dropped');
  const www = await request(port, { path: '/p', headers: { host: 'example.com' } });
  assert.equal(www.status, 302);
  assert.equal(www.headers.location, 'http://www.example.com/p');
});

test('request and response headers are added and removed at router, virtual host and route level', T, async (t) => {
  const seen: Seen[] = [];
  const up = await named(t, 'up', seen);
  const config = mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [
      {
        router_config_name: 'r',
        request_headers_to_add: [{ header: { key: 'x-level', value: 'router' } }, { header: { key: 'x-only-router', value: '1' } }],
        response_headers_to_remove: ['server'],
        virtual_hosts: [
          {
            name: 'all',
            domains: ['*'],
            request_headers_to_add: [{ header: { key: 'x-level', value: 'vhost' } }],
            request_headers_to_remove: ['x-internal'],
            response_headers_to_add: [{ header: { key: 'x-served-by', value: 'mosn' } }],
            routers: [
              {
                match: { prefix: '/' },
                route: {
                  cluster_name: 'up',
                  request_headers_to_add: [{ header: { key: 'x-level', value: 'route' }, append: false }, { header: { key: 'X-Tag', value: 'a' } }],
                  request_headers_to_remove: ['cookie'],
                  response_headers_to_add: [{ header: { key: 'cache-control', value: 'no-store' }, append: false }],
                  response_headers_to_remove: ['x-upstream-secret'],
                },
              },
            ],
          },
        ],
      },
    ],
    clusters: [cluster('up', [up.address])],
  });
  const mosn = await startMosn(t, config, { workers: 1 });
  const r = await request(mosn.port('http'), { headers: { 'x-level': 'client', 'x-internal': 'secret', cookie: 'a=b', 'x-kept': 'yes' } });
  assert.equal(r.status, 200);
  const h = seen[0]?.headers ?? {};
  assert.equal(h['x-level'], 'route', 'append: false replaces, and the most specific level wins');
  assert.equal(h['x-only-router'], '1');
  assert.equal(h['x-tag'], 'a');
  assert.equal(h['x-internal'], undefined);
  assert.equal(h.cookie, undefined);
  assert.equal(h['x-kept'], 'yes');
  assert.equal(r.headers['x-upstream-secret'], undefined);
  assert.equal(r.headers.server, undefined);
  assert.equal(r.headers['x-served-by'], 'mosn');
  assert.equal(r.headers['cache-control'], 'no-store');
});

test('a route timeout answers 504; an idle_timeout ends an exchange that goes silent', T, async (t) => {
  const seen: Seen[] = [];
  const slow = await named(t, 'slow', seen, () => undefined); // never answers
  // Sends a head and one chunk, then nothing.
  const stalls = await startHttpUpstream(t, (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first chunk');
  });
  const config = mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [
      router('r', [
        {
          name: 'all',
          domains: ['*'],
          routers: [
            {
              match: { prefix: '/timeout' },
              route: { cluster_name: 'slow', timeout: '300ms', response_headers_to_add: [{ header: { key: 'x-route', value: 'timeout' } }] },
            },
            { match: { prefix: '/idle-head' }, route: { cluster_name: 'slow', timeout: '0', idle_timeout: '300ms' } },
            { match: { prefix: '/idle-body' }, route: { cluster_name: 'stalls', timeout: '0', idle_timeout: '300ms' } },
          ],
        },
      ]),
    ],
    clusters: [cluster('slow', [slow.address]), cluster('stalls', [stalls.address])],
  });
  const mosn = await startMosn(t, config, { workers: 1 });
  const port = mosn.port('http');
  const timeout = await request(port, { path: '/timeout' });
  assert.equal(timeout.status, 504);
  assert.match(timeout.body, /route timeout of 300 ms/);
  assert.equal(timeout.headers['x-route'], 'timeout', "the route's response headers are on the proxy's own 504 too");
  const idle = await request(port, { path: '/idle-head' });
  assert.equal(idle.status, 504);
  assert.match(idle.body, /idle timeout/);

  // The response started: the client connection is closed, never left hanging.
  const closed = await new Promise<string>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /idle-body HTTP/1.1\r\nhost: x\r\n\r\n'));
    let got = '';
    socket.on('data', (c: Buffer) => (got += c.toString('latin1')));
    socket.on('close', () => resolve(got));
    socket.on('error', () => undefined);
  });
  assert.match(closed, /^HTTP\/1\.1 200/);
  assert.match(closed, /first chunk/);
});
