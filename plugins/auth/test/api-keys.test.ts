import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseApiKeyFile } from '../src/api-keys.js';
import { authWith, bodyOf, writeTemp } from './helpers/auth.js';

test('a static API key in x-api-key or as Authorization: ApiKey is allowed; its id goes upstream', async (t) => {
  const plugin = await authWith(t, { api_keys: { keys: ['k-plain', { key: 'k-ci', id: 'ci', scopes: ['deploy'] }], id_header: 'x-api-key-id' } });
  assert.deepEqual(await plugin.checkRequest({ headers: { 'x-api-key': 'k-ci' } }), { action: 'allow', headersToAdd: { 'x-api-key-id': 'ci' } });
  assert.deepEqual(await plugin.checkRequest({ headers: { authorization: 'ApiKey k-ci' } }), { action: 'allow', headersToAdd: { 'x-api-key-id': 'ci' } });
  const plain = await plugin.checkRequest({ headers: { 'x-api-key': 'k-plain' } });
  assert.equal(plain.action, 'allow');
  assert.match(plain.action === 'allow' ? (plain.headersToAdd?.['x-api-key-id'] ?? '') : '', /^key-[\w-]{8}$/, 'a derived id, not the key');
});

test('an unknown API key is 401 with an ApiKey challenge', async (t) => {
  const plugin = await authWith(t, { realm: 'gw', api_keys: { keys: ['k-1'] } });
  const result = await plugin.checkRequest({ headers: { 'x-api-key': 'k-2' } });
  assert.equal(result.action === 'deny' && result.status, 401);
  assert.equal(result.action === 'deny' && result.headers?.['www-authenticate'], 'ApiKey realm="gw", error="invalid_key", error_description="unknown API key"');
  assert.equal(bodyOf(result).error, 'invalid_api_key');
  const missing = await plugin.checkRequest();
  assert.equal(missing.action === 'deny' && missing.headers?.['www-authenticate'], 'ApiKey realm="gw"');
});

test('API keys are read from a file, one per line with comments, or JSON with ids and scopes', async (t) => {
  const lines = await writeTemp(t, 'keys.txt', '# team keys\nk-line-1\n\n  k-line-2  \n');
  const json = await writeTemp(t, 'keys.json', JSON.stringify(['k-json-1', { key: 'k-json-2', id: 'reporting', scopes: ['read'] }]));
  const fromLines = await authWith(t, { api_keys: { file: lines } });
  const fromJson = await authWith(t, { api_keys: { file: json, keys: ['k-inline'], id_header: 'x-key' }, rules: [{ path_prefix: '/reports', scopes: ['read'] }] });
  for (const key of ['k-line-1', 'k-line-2']) assert.equal((await fromLines.checkRequest({ headers: { 'x-api-key': key } })).action, 'allow', key);
  assert.equal((await fromLines.checkRequest({ headers: { 'x-api-key': '# team keys' } })).action, 'deny');
  assert.deepEqual(await fromJson.checkRequest({ path: '/reports/1', headers: { 'x-api-key': 'k-json-2' } }), { action: 'allow', headersToAdd: { 'x-key': 'reporting' } });
  assert.equal((await fromJson.checkRequest({ path: '/other', headers: { 'x-api-key': 'k-inline' } })).action, 'allow');
  // Valid key without the scope: 403, and no Bearer challenge for an API key.
  const forbidden = await fromJson.checkRequest({ path: '/reports/1', headers: { 'x-api-key': 'k-json-1' } });
  assert.equal(forbidden.action === 'deny' && forbidden.status, 403);
  assert.equal(forbidden.action === 'deny' && forbidden.headers?.['www-authenticate'], undefined);
});

test('a malformed API key file entry is reported by index, without echoing the key', () => {
  assert.throws(() => parseApiKeyFile('[{"key": 42}]', '/k.json'), {
    message: 'API key file "/k.json" [0]: expected a non-empty string or { "key": string, "id"?: string, "scopes"?: string[] }, found an object with keys key',
  });
  assert.throws(() => parseApiKeyFile('[oops', '/k.json'), /API key file "\/k.json": expected JSON, found a syntax error/);
  assert.throws(() => parseApiKeyFile('# nothing\n', '/k.txt'), /expected at least one key, found none/);
});
