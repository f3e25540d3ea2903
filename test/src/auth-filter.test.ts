import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { catchAllRouter, cluster, httpListener, mosnConfig, type Json } from './helpers/config-builder.js';
import { waitFor } from './helpers/deadline.js';
import { request } from './helpers/http-client.js';
import { startLoad } from './helpers/load.js';
import { startMosn } from './helpers/mosn-process.js';
import { startHttpUpstream } from './helpers/upstream.js';

const AUTH_MAIN = fileURLToPath(new URL('../../../plugins/auth/dist/src/main.js', import.meta.url));

function authConfig(upstream: string, filter: Json, plugin: Json = {}): Json {
  const listener = { ...httpListener('http', 'r'), stream_filters: [{ type: 'auth', config: { plugin: 'auth', ...filter } }] };
  return mosnConfig({
    listeners: [listener],
    routers: [catchAllRouter('r', 'up')],
    clusters: [cluster('up', [upstream])],
    top: {
      plugins: [
        {
          name: 'auth',
          command: process.execPath,
          args: [AUTH_MAIN],
          config: { realm: 'shop', api_keys: { keys: [{ key: 'k-1', id: 'ci' }], id_header: 'x-api-key-id' } },
          ...plugin,
        },
      ],
    },
  });
}

async function echoUpstream(t: import('node:test').TestContext) {
  return startHttpUpstream(t, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keyId: req.headers['x-api-key-id'] ?? null, unavailable: req.headers['x-mosn-plugin-unavailable'] ?? null }));
  });
}

test('the auth filter answers 401 with WWW-Authenticate without a key, forwards with one, and strips a spoofed identity header', async (t) => {
  const upstream = await echoUpstream(t);
  const mosn = await startMosn(t, authConfig(upstream.address, {}), { workers: 1 });
  const port = mosn.port('http');

  const missing = await request(port, { path: '/orders' });
  assert.equal(missing.status, 401);
  assert.match(String(missing.headers['www-authenticate']), /realm="shop"/);

  const wrong = await request(port, { path: '/orders', headers: { 'x-api-key': 'nope' } });
  assert.equal(wrong.status, 401);

  const ok = await request(port, { path: '/orders', headers: { 'x-api-key': 'k-1', 'x-api-key-id': 'admin' } });
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.body), { keyId: 'ci', unavailable: null }, 'the plugin-set header replaced the client\'s');

  // A body held while the plugin decides still arrives whole.
  const post = await request(port, { method: 'POST', path: '/orders', headers: { 'x-api-key': 'k-1' }, body: 'x'.repeat(200_000) });
  assert.equal(post.status, 200);
});

test('a plugin killed under load: no worker restarts, requests get exactly the failure mode, the plugin is back within a second', async (t) => {
  const upstream = await echoUpstream(t);
  for (const mode of ['closed', 'open'] as const) {
    const mosn = await startMosn(t, authConfig(upstream.address, { failure_mode: mode }), { workers: 2 });
    const port = mosn.port('http');
    const load = startLoad({ port, keepAliveClients: 6, newConnectionClients: 1, headers: { 'x-api-key': 'k-1' } });
    await waitFor(() => (load.completed > 200 ? true : undefined), 'load to get going');
    const [plugin] = (await mosn.status()).plugins;
    const killedAt = Date.now();
    process.kill(plugin?.pid ?? -1, 'SIGKILL');
    const back = await waitFor(async () => {
      const [p] = (await mosn.status()).plugins;
      return p?.state === 'running' && p.pid !== plugin?.pid ? p : undefined;
    }, 'the plugin to come back', 5000);
    assert.ok(Date.now() - killedAt < 1500, `${mode}: back after ${Date.now() - killedAt} ms`);
    const before = load.completed;
    await waitFor(() => (load.completed > before + 300 ? true : undefined), 'load to go on after the restart');
    const report = await load.stop();
    t.diagnostic(`${mode}: ${JSON.stringify(report)} (plugin back as pid ${back.pid})`);
    assert.deepEqual(report.errors, {}, `${mode}: no connection error`);
    const non2xx = Object.keys(report.non2xx);
    assert.deepEqual(non2xx.filter((s) => s !== '403'), [], `${mode}: only the failure status, if anything`);
    if (mode === 'open') assert.deepEqual(non2xx, [], 'open: nothing refused');
    const status = await mosn.status();
    assert.deepEqual(status.workers.map((w) => w.restarts), [0, 0], 'no worker restarted');
    const ok = await request(port, { headers: { 'x-api-key': 'k-1' } });
    assert.equal(ok.status, 200, 'served normally once the plugin is back');
    assert.equal(JSON.parse(ok.body).unavailable, null);
  }
});

test('the decision cache answers a repeated credential without an RPC until its TTL passes', async (t) => {
  const upstream = await startHttpUpstream(t, (req, res) => res.end(String(req.headers['x-check-number'] ?? '-')));
  const listener = {
    ...httpListener('http', 'r'),
    stream_filters: [{ type: 'plugin', config: { plugin: 'counting', cache: { header: 'x-token', ttl: '400ms' } } }],
  };
  const counting = { name: 'counting', command: process.execPath, args: [fileURLToPath(new URL('../../fixtures/counting-plugin.mjs', import.meta.url))] };
  const mosn = await startMosn(t, mosnConfig({ listeners: [listener], routers: [catchAllRouter('r', 'up')], clusters: [cluster('up', [upstream.address])], top: { plugins: [counting] } }), { workers: 1 });
  const port = mosn.port('http');
  const check = async (token: string): Promise<string> => (await request(port, { headers: { 'x-token': token } })).body;

  assert.equal(await check('a'), '1', 'the first request asks the plugin');
  for (let i = 0; i < 5; i++) assert.equal(await check('a'), '1', 'repeats are answered from the cache');
  assert.equal(await check('b'), '2', 'another credential asks again');
  const expired = await waitFor(async () => {
    const n = await check('a');
    return n !== '1' ? n : undefined;
  }, 'the cached decision to expire', 3000);
  assert.equal(expired, '3', 'after the TTL the plugin is asked once more');
  assert.equal(await check('x-no-cache-header-value-differs'), '4');
});
