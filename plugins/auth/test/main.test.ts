import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { launchTestPlugin } from '@mosn/plugin-sdk/testing';
import { AUTH_PLUGIN_VERSION } from '../src/index.js';
import { bearer, hsJwtConfig, hsToken, keyPair, token, writeTemp } from './helpers/auth.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

test('the auth plugin executable serves request checks over its socket', async (t) => {
  const rsa = await keyPair('RS256', 'k1');
  const jwks = await writeTemp(t, 'jwks.json', JSON.stringify({ keys: [rsa.publicJwk] }));
  const plugin = await launchTestPlugin(MAIN, {
    name: 'auth',
    config: {
      jwt: { ...hsJwtConfig(), jwks_file: jwks, forward_claims: { sub: 'x-user-id' } },
      api_keys: { keys: ['k-1'] },
      rules: [{ path_prefix: '/public', public: true }],
    },
  });
  t.after(() => plugin.close());
  assert.equal(plugin.pluginVersion, AUTH_PLUGIN_VERSION);
  assert.deepEqual(plugin.initializeResult.hooks, ['checkRequest']);

  assert.deepEqual(await plugin.checkRequest({ path: '/orders', headers: bearer(await hsToken({ sub: 'alice' })) }), {
    action: 'allow',
    headersToAdd: { 'x-user-id': 'alice' },
  });
  const rs = await token({ alg: 'RS256', key: rsa.privateKey, kid: 'k1', claims: { sub: 'bob' }, issuer: 'https://issuer.test' });
  assert.deepEqual(await plugin.checkRequest({ path: '/orders', headers: bearer(rs) }), { action: 'allow', headersToAdd: { 'x-user-id': 'bob' } });
  assert.deepEqual(await plugin.checkRequest({ path: '/public/x' }), { action: 'allow' });
  const denied = await plugin.checkRequest({ path: '/orders' });
  assert.equal(denied.action === 'deny' && denied.status, 401);
  assert.equal(denied.action === 'deny' && denied.headers?.['www-authenticate'], 'Bearer realm="mosn", ApiKey realm="mosn"');
  assert.equal(await plugin.close(), 0);
});
