// Route retry_policy through the real mosnctl: connect failures, resets, listed statuses and the
// per-try timeout are retried exactly num_retries times, on another host when there is one, and
// only when the body can be sent again.
import assert from 'node:assert/strict';
import type http from 'node:http';
import { test } from 'node:test';
import { catchAllRouter, cluster, httpListener, mosnConfig, type Json } from './helpers/config-builder.js';
import { request } from './helpers/http-client.js';
import { startMosn } from './helpers/mosn-process.js';
import { startHttpUpstream, unusedAddress } from './helpers/upstream.js';

const T = { timeout: 60_000 };

/** An upstream that records each request (name, method, body) and answers with `answer`. */
async function recording(t: test.TestContext, name: string, log: { name: string; method: string; body: string }[], answer: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void) {
  return startHttpUpstream(t, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('latin1');
      log.push({ name, method: req.method ?? '', body });
      answer(req, res, body);
    });
  });
}

function config(hosts: string[], retryPolicy: Json | undefined, extra: Json = {}): Json {
  return mosnConfig({
    listeners: [httpListener('http', 'r')],
    routers: [catchAllRouter('r', 'c', { ...(retryPolicy === undefined ? {} : { retry_policy: retryPolicy }), ...extra })],
    clusters: [cluster('c', hosts)],
  });
}

test('a connect failure is retried on the other host, so every request succeeds', T, async (t) => {
  const log: { name: string; method: string; body: string }[] = [];
  const live = await recording(t, 'live', log, (_req, res) => res.end('ok'));
  const dead = await unusedAddress();
  const mosn = await startMosn(t, config([dead, live.address], { retry_on: true, num_retries: 1 }), { workers: 1 });
  const port = mosn.port('http');
  for (let i = 0; i < 6; i++) {
    const r = await request(port, i % 2 === 0 ? { method: 'GET' } : { method: 'POST', body: 'payload' });
    assert.equal(r.status, 200, `request ${i}: ${r.body}`);
  }
  assert.equal(log.length, 6);
  assert.ok(log.filter((e) => e.method === 'POST').every((e) => e.body === 'payload'));
});

test('without a retry policy a connect failure is a 502 (no hidden retries)', T, async (t) => {
  const log: { name: string; method: string; body: string }[] = [];
  const live = await recording(t, 'live', log, (_req, res) => res.end('ok'));
  const dead = await unusedAddress();
  const mosn = await startMosn(t, config([dead, live.address], undefined), { workers: 1 });
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await request(mosn.port('http'))).status);
  assert.deepEqual(statuses.sort(), [200, 200, 502, 502]);
});

test('listed statuses are retried exactly num_retries times, each try on a different host', T, async (t) => {
  const log: { name: string; method: string; body: string }[] = [];
  const hosts = await Promise.all(['a', 'b', 'c', 'd'].map((n) => recording(t, n, log, (_req, res) => {
    res.statusCode = 503;
    res.end(`busy ${n}`);
  })));
  const mosn = await startMosn(t, config(hosts.map((h) => h.address), { retry_on: true, num_retries: 2, status_codes: [503] }), { workers: 1 });
  const r = await request(mosn.port('http'));
  assert.equal(r.status, 503, 'the last try\'s response is forwarded when the retries are used up');
  assert.equal(log.length, 3, `1 try + 2 retries, not MOSN's max(3, n): ${JSON.stringify(log)}`);
  assert.equal(new Set(log.map((e) => e.name)).size, 3, `each try on another host: ${JSON.stringify(log)}`);

  // A status that is not listed is not retried.
  log.length = 0;
  const other = await startMosn(t, config(hosts.map((h) => h.address), { retry_on: true, num_retries: 2, status_codes: [500] }), { workers: 1 });
  assert.equal((await request(other.port('http'))).status, 503);
  assert.equal(log.length, 1);
});

test('a POST body is replayed on a retry when it was small enough to keep, and not otherwise', T, async (t) => {
  const log: { name: string; method: string; body: string }[] = [];
  // Every odd request fails with 503, every even one echoes the body.
  let n = 0;
  const flaky = await recording(t, 'flaky', log, (_req, res, body) => {
    n++;
    if (n % 2 === 1) {
      res.statusCode = 503;
      res.end('no');
    } else res.end(body);
  });
  const mosn = await startMosn(t, config([flaky.address], { retry_on: true, num_retries: 1 }), { workers: 1 });
  const port = mosn.port('http');
  const small = 'x'.repeat(20_000);
  const r1 = await request(port, { method: 'POST', body: small });
  assert.equal(r1.status, 200);
  assert.equal(r1.body, small);
  assert.deepEqual(log.map((e) => e.body.length), [small.length, small.length]);

  // Over the 64 KiB replay limit: forwarded as it streams, never retried.
  log.length = 0;
  const big = 'y'.repeat(200_000);
  const r2 = await request(port, { method: 'POST', body: big });
  assert.equal(r2.status, 503);
  assert.equal(log.length, 1, 'one try');
  assert.equal(log[0]?.body.length, big.length);
});

test('a reset is retried for GET but not for POST (the upstream may have acted on it)', T, async (t) => {
  const log: { name: string; method: string; body: string }[] = [];
  const resetting = await recording(t, 'resetting', log, (req) => req.socket.destroy());
  const mosn = await startMosn(t, config([resetting.address], { retry_on: true, num_retries: 2 }), { workers: 1 });
  const port = mosn.port('http');
  const get = await request(port, { method: 'GET' });
  assert.equal(get.status, 502, get.body);
  assert.equal(log.length, 3, 'GET: 1 try + 2 retries (on the same host: there is no other)');
  log.length = 0;
  const post = await request(port, { method: 'POST', body: 'once' });
  assert.equal(post.status, 502, post.body);
  assert.equal(log.length, 1, 'POST: not retried after a reset');
});

test('retry_timeout bounds each try; a hung host is left for the next one', T, async (t) => {
  const log: { name: string; method: string; body: string }[] = [];
  const hung = await recording(t, 'hung', log, () => undefined);
  const fine = await recording(t, 'fine', log, (_req, res) => res.end('ok'));
  const mosn = await startMosn(t, config([hung.address, fine.address], { retry_on: true, num_retries: 1, retry_timeout: '300ms' }), { workers: 1 });
  const started = Date.now();
  for (let i = 0; i < 2; i++) assert.equal((await request(mosn.port('http'))).status, 200);
  assert.ok(Date.now() - started < 5_000);
  // Round robin sends one of the two first tries to the hung host; its retry goes to the other.
  assert.ok(log.some((e) => e.name === 'hung'), JSON.stringify(log));
  assert.equal(log.filter((e) => e.name === 'fine').length, 2);
});

test('with retry_on false only connect failures are retried', T, async (t) => {
  const log: { name: string; method: string; body: string }[] = [];
  const failing = await recording(t, 'failing', log, (_req, res) => {
    res.statusCode = 500;
    res.end('no');
  });
  const dead = await unusedAddress();
  const mosn = await startMosn(t, config([dead, failing.address], { num_retries: 1 }), { workers: 1 });
  // One request meets the dead host and is retried on the other; no 500 is retried.
  for (let i = 0; i < 2; i++) assert.equal((await request(mosn.port('http'))).status, 500);
  assert.equal(log.length, 2);
});
