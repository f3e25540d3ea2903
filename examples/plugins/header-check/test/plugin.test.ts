import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestPlugin } from '@mosn/plugin-sdk/testing';
import { headerCheck } from '../src/plugin.js';

test('a request without the configured header is denied with 400', async (t) => {
  const plugin = await createTestPlugin(headerCheck, { config: { header: 'X-Team' } });
  t.after(() => plugin.close());
  assert.deepEqual(await plugin.checkRequest({ path: '/orders' }), { action: 'deny', status: 400, body: 'missing header x-team\n' });
});

test('a request with the header is allowed and tagged upstream', async (t) => {
  const plugin = await createTestPlugin(headerCheck, { config: { header: 'x-team', tag: 'x-checked-by' } });
  t.after(() => plugin.close());
  assert.deepEqual(await plugin.checkRequest({ headers: { 'X-Team': 'payments' } }), {
    action: 'allow',
    headersToAdd: { 'x-checked-by': 'x-team' },
  });
});

test('a config without the header is refused with the path of the problem', async () => {
  await assert.rejects(createTestPlugin(headerCheck, { config: {} }), {
    code: 'MOSN_ERR_PLUGIN_CONFIG_INVALID',
    message: /expected string, received undefined\n {2}→ at header/,
  });
});
