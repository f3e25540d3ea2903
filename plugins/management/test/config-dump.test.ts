import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getJson, request } from './helpers/http.js';
import { startPlugin } from './helpers/plugin.js';
import { hostReport, hostState } from './helpers/reports.js';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';

// The effective config as the supervisor might send it, with secrets it should have redacted
// (and some it could not know about): the plugin redacts again.
const CONFIG = {
  listeners: [{ name: 'ingress', address: '0.0.0.0:8443', filter_chains: [{ tls_context: { status: true, cert_chain: '/etc/mosn/cert.pem', private_key: PEM } }] }],
  routers: [{ router_config_name: 'main', virtual_hosts: [{ name: 'vh', request_headers_to_add: [{ header: { key: 'Authorization', value: 'Basic dXNlcjpwYXNz' } }] }] }],
  clusters: [{ name: 'backend', tls: { status: true, private_key: '/etc/mosn/client-key.pem', ticket: 'c2Vzc2lvbi10aWNrZXQ=' }, hosts: [{ address: '10.0.0.1:8080' }] }],
  plugins: [
    { name: 'auth', env: { MOSN_PLUGIN_LOG_LEVEL: 'debug', UPSTREAM_PASSWORD: 'envpw' }, config: { api_keys: { keys: [{ key: 'k-live-123', id: 'team-a' }] }, jwt: { keys: [{ kid: 'a', secret: 'hs256-shared', jwk: { kty: 'RSA', n: 'pub-n', e: 'AQAB', d: 'priv-d' } }] } } },
    { name: 'management', config: { address: '127.0.0.1:34901', admin_token: 'admin-tok' } },
    { name: 'rate-limit', config: { backend: 'redis', redis: { url: 'redis://ops:redispw@redis:6379/0' } } },
  ],
  extra: { 'Client-Secret': 'cs', password: 'pw1', notes: `inline ${PEM}`, token: '' },
};
const SECRETS = ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'dXNlcjpwYXNz', 'client-key.pem', 'c2Vzc2lvbi10aWNrZXQ=', 'envpw', 'k-live-123', 'hs256-shared', 'priv-d', 'admin-tok', 'redispw', '"cs"', 'pw1'];

test('/api/v1/config_dump redacts secrets by key name and by value, and keeps the rest', async (t) => {
  const { plugin, port } = await startPlugin(t);
  assert.equal((await request(port, '/api/v1/config_dump')).status, 503);
  await plugin.metrics(await hostReport(hostState({ workers: [], config: CONFIG })));
  const reply = await request(port, '/api/v1/config_dump');
  assert.equal(reply.status, 200);
  for (const secret of SECRETS) assert.ok(!reply.body.includes(secret), `${secret} must not be shown`);
  const dump = JSON.parse(reply.body) as typeof CONFIG;
  assert.equal(dump.listeners[0]?.filter_chains[0]?.tls_context.private_key, '***REDACTED***');
  assert.equal(dump.listeners[0]?.filter_chains[0]?.tls_context.cert_chain, '/etc/mosn/cert.pem');
  assert.equal(dump.plugins[0]?.config.api_keys?.keys[0]?.id, 'team-a');
  assert.equal(dump.plugins[0]?.config.jwt?.keys[0]?.kid, 'a');
  assert.equal(dump.plugins[0]?.config.jwt?.keys[0]?.jwk.n, 'pub-n');
  assert.equal(dump.plugins[1]?.config.address, '127.0.0.1:34901');
  assert.equal(dump.plugins[2]?.config.redis?.url, 'redis://ops:***REDACTED***@redis:6379/0');
  assert.equal(dump.extra.token, '', 'an empty value stays empty');
  assert.equal(dump.clusters[0]?.hosts[0]?.address, '10.0.0.1:8080');
});

test('/api/v1/config_dump takes MOSN\'s section parameters, one at a time', async (t) => {
  const { plugin, port } = await startPlugin(t);
  await plugin.metrics(await hostReport(hostState({ workers: [], config: CONFIG })));
  const cluster = (await getJson(port, '/api/v1/config_dump?cluster=backend')).json as { name: string; tls: { private_key: string } };
  assert.equal(cluster.name, 'backend');
  assert.equal(cluster.tls.private_key, '***REDACTED***');
  assert.deepEqual(Object.keys((await getJson(port, '/api/v1/config_dump?alllisteners')).json as object), ['ingress']);
  assert.deepEqual(Object.keys((await getJson(port, '/api/v1/config_dump?allrouters')).json as object), ['main']);
  const missing = await request(port, '/api/v1/config_dump?cluster=nope');
  assert.equal(missing.status, 404);
  assert.equal((JSON.parse(missing.body) as { code: string }).code, 'MOSN_ERR_ADMIN_UNKNOWN_KEY');
  assert.equal((await request(port, '/api/v1/config_dump?allclusters&alllisteners')).status, 400);
});
