import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDACTED, redactConfig } from '../src/metrics/redact.js';

test('config_dump redaction: keys, env, args, credential headers, PEM keys and URL passwords; the rest is shown', () => {
  const config = {
    listeners: [{ filter_chains: [{ tls_contexts: [{ cert_chain: '-----BEGIN CERTIFICATE-----x', private_key: '-----BEGIN EC PRIVATE KEY-----x' }] }] }],
    routers: [
      {
        request_headers_to_add: [
          { header: { key: 'Authorization', value: 'Bearer abc' }, append: false },
          { header: { key: 'x-team', value: 'blue' }, append: false },
        ],
      },
    ],
    plugins: [
      {
        name: 'auth',
        env: { VAULT_TOKEN: 'hunter2', REGION: 'eu' },
        args: ['main.js', '--redis=redis://:pw@h:6379', '--api-key=k1', 'plain'],
        config: { api_keys: { keys: [{ key: 'k-123', id: 'ci' }], keys_file: '/etc/keys' }, jwt: { keys: [{ secret: 's' }] }, redis: { url: 'redis://user:pw@host/0' } },
      },
    ],
  };
  const out = JSON.stringify(redactConfig(config));
  for (const secret of ['EC PRIVATE KEY', 'Bearer abc', 'hunter2', ':pw@', 'k1', 'k-123', '"s"', 'user:pw']) assert.ok(!out.includes(secret), `${secret} must not be shown: ${out}`);
  for (const shown of ['BEGIN CERTIFICATE', 'x-team', 'blue', 'Authorization', 'REGION', '/etc/keys', 'main.js', 'plain', '"ci"']) assert.ok(out.includes(shown), `${shown} is shown`);
  assert.ok(out.includes(REDACTED));
});
