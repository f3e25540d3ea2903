import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizePath } from '../src/rules.js';
import { authWith, bearer, bodyOf, hsJwtConfig, hsToken } from './helpers/auth.js';

test('public paths need nothing; other paths need a credential', async (t) => {
  const plugin = await authWith(t, { jwt: hsJwtConfig(), rules: [{ path_prefix: '/health', public: true }, { path_prefix: '/' }] });
  assert.deepEqual(await plugin.checkRequest({ path: '/health/live?verbose=1' }), { action: 'allow' });
  assert.equal((await plugin.checkRequest({ path: '/orders' })).action, 'deny');
});

test('dot segments and doubled slashes cannot reach a protected path through a public prefix', async (t) => {
  const plugin = await authWith(t, { jwt: hsJwtConfig(), rules: [{ path_prefix: '/public/', public: true }], default: 'authenticated' });
  for (const path of ['/public/../admin', '/public/%2e%2e/admin', '/public/.%2E/admin', '/public\\..\\admin']) {
    const result = await plugin.checkRequest({ path });
    assert.equal(result.action === 'deny' && result.status, 401, path);
  }
  assert.equal((await plugin.checkRequest({ path: '//public//x' })).action, 'allow');
  assert.equal(normalizePath('/a/./b/../c?x=/../y'), '/a/c');
  assert.equal(normalizePath('/plain/path?q'), '/plain/path');
});

test('rules match by method; the first match wins', async (t) => {
  const plugin = await authWith(t, {
    jwt: hsJwtConfig(),
    rules: [
      { path_prefix: '/orders', methods: ['get'], public: true },
      { path_prefix: '/orders', methods: ['POST', 'DELETE'], scopes: ['orders:write'] },
    ],
    default: 'deny',
  });
  assert.equal((await plugin.checkRequest({ method: 'GET', path: '/orders/1' })).action, 'allow');
  const writer = await hsToken({ scope: 'orders:read orders:write' });
  assert.equal((await plugin.checkRequest({ method: 'POST', path: '/orders', headers: bearer(writer) })).action, 'allow');
  const put = await plugin.checkRequest({ method: 'PUT', path: '/orders/1', headers: bearer(writer) });
  assert.equal(put.action === 'deny' && put.status, 403);
  assert.equal(bodyOf(put).error, 'no_rule');
});

test('a valid token without a required scope is 403 insufficient_scope', async (t) => {
  const plugin = await authWith(t, { jwt: hsJwtConfig(), rules: [{ path_prefix: '/admin', scopes: ['admin', 'audit'] }] });
  const result = await plugin.checkRequest({ path: '/admin/users', headers: bearer(await hsToken({ scope: 'admin' })) });
  assert.equal(result.action === 'deny' && result.status, 403);
  assert.equal(result.action === 'deny' && result.headers?.['www-authenticate'], 'Bearer realm="mosn", error="insufficient_scope", scope="admin audit"');
  assert.equal(bodyOf(result).error, 'insufficient_scope');
  // `scp` as an array works through scope_claim.
  const scp = await authWith(t, { jwt: hsJwtConfig({ scope_claim: 'scp' }), rules: [{ path_prefix: '/admin', scopes: ['admin', 'audit'] }] });
  assert.equal((await scp.checkRequest({ path: '/admin', headers: bearer(await hsToken({ scp: ['audit', 'admin'] })) })).action, 'allow');
});

test('claims rules accept any listed value, in arrays and nested claims too', async (t) => {
  const plugin = await authWith(t, {
    jwt: hsJwtConfig(),
    rules: [{ path_prefix: '/ops', claims: { 'realm_access.roles': ['ops', 'sre'], email_verified: true } }],
  });
  const ok = await hsToken({ realm_access: { roles: ['dev', 'sre'] }, email_verified: true });
  assert.equal((await plugin.checkRequest({ path: '/ops', headers: bearer(ok) })).action, 'allow');
  const wrongRole = await plugin.checkRequest({ path: '/ops', headers: bearer(await hsToken({ realm_access: { roles: ['dev'] }, email_verified: true })) });
  assert.equal(wrongRole.action === 'deny' && wrongRole.status, 403);
  assert.equal(bodyOf(wrongRole).error_description, "the token's realm_access.roles claim does not allow this request");
  const unverified = await plugin.checkRequest({ path: '/ops', headers: bearer(await hsToken({ realm_access: { roles: ['ops'] } })) });
  assert.equal(bodyOf(unverified).error, 'claim_mismatch');
});

test('a rule may accept only some credential kinds; challenges follow', async (t) => {
  const plugin = await authWith(t, {
    jwt: hsJwtConfig(),
    api_keys: { keys: ['k-1'] },
    rules: [{ path_prefix: '/machine', credentials: ['api_key'] }],
  });
  const both = await plugin.checkRequest({ path: '/anything' });
  assert.equal(both.action === 'deny' && both.headers?.['www-authenticate'], 'Bearer realm="mosn", ApiKey realm="mosn"');
  const onlyKeys = await plugin.checkRequest({ path: '/machine', headers: bearer(await hsToken()) });
  assert.equal(onlyKeys.action === 'deny' && onlyKeys.headers?.['www-authenticate'], 'ApiKey realm="mosn"');
  assert.equal((await plugin.checkRequest({ path: '/machine', headers: { 'x-api-key': 'k-1' } })).action, 'allow');
  assert.equal((await plugin.checkRequest({ path: '/anything', headers: { 'x-api-key': 'k-1' } })).action, 'allow');
  assert.equal((await plugin.checkRequest({ path: '/anything', headers: bearer(await hsToken()) })).action, 'allow');
});

test('the default for unmatched paths may be public', async (t) => {
  const plugin = await authWith(t, { jwt: hsJwtConfig(), rules: [{ path_prefix: '/private' }], default: 'public' });
  assert.deepEqual(await plugin.checkRequest({ path: '/else' }), { action: 'allow' });
  assert.equal((await plugin.checkRequest({ path: '/private/x' })).action, 'deny');
});
