import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PLUGIN_SDK_ERROR_CODES } from '@mosn/plugin-sdk';
import { createTestPlugin } from '@mosn/plugin-sdk/testing';
import { authPlugin } from '../src/index.js';
import { HS256_SECRET, keyPair, writeTemp } from './helpers/auth.js';

async function configError(config: unknown): Promise<string> {
  try {
    await createTestPlugin(authPlugin, { config });
  } catch (error) {
    assert.equal((error as { code?: string }).code, PLUGIN_SDK_ERROR_CODES.configInvalid, String(error));
    return (error as Error).message;
  }
  assert.fail('expected the config to be refused');
}

test('a missing key file is an invalid config naming the path', async () => {
  const message = await configError({ jwt: { keys: [{ alg: 'RS256', public_key_file: '/nonexistent/key.pem' }] } });
  assert.match(message, /cannot read public key file "\/nonexistent\/key\.pem": ENOENT\n {2}→ at jwt\.keys\[0\]/);
  assert.match(await configError({ jwt: { jwks_file: '/nonexistent/jwks.json' } }), /cannot read JWKS file "\/nonexistent\/jwks.json": ENOENT\n {2}→ at jwt\.jwks_file/);
  assert.match(await configError({ api_keys: { file: '/nonexistent/keys' } }), /cannot read API key file "\/nonexistent\/keys": ENOENT\n {2}→ at api_keys\.file/);
});

test('malformed or mismatched keys are invalid config with the reason', async (t) => {
  const pair = await keyPair('RS256');
  const cases: [unknown, RegExp][] = [
    [{ alg: 'RS256', public_key: 'not a pem' }, /expected a PEM "PUBLIC KEY" or "CERTIFICATE", found no PEM header/],
    [{ alg: 'RS256', public_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' }, /never the private one/],
    [{ alg: 'ES256', public_key: pair.publicPem }, /expected a ES256 public key, found a PEM that does not import/],
    [{ alg: 'HS256', public_key: pair.publicPem }, /expected RS256 or ES256 with a public key, found alg HS256 with public_key/],
    [{ alg: 'RS256', secret: HS256_SECRET }, /expected an HS256\/HS384\/HS512 alg with a secret, found alg RS256 with secret/],
    [{ alg: 'HS256', secret: 'short' }, /expected a secret of at least 32 bytes for HS256, found 5/],
    [{ secret: HS256_SECRET }, /expected "alg"/],
    [{ alg: 'HS256', secret: HS256_SECRET, public_key: pair.publicPem }, /expected exactly one of .* found secret, public_key/],
    [{ jwk: { ...pair.publicJwk, d: 'x' } }, /found a private one/],
    [{ alg: 'PS256', secret: HS256_SECRET }, /at jwt\.keys\[0\]\.alg/],
  ];
  for (const [key, expected] of cases) assert.match(await configError({ jwt: { keys: [key] } }), expected);
  const noUsable = await writeTemp(t, 'jwks.json', JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'abc' }] }));
  assert.match(await configError({ jwt: { jwks_file: noUsable } }), /expected at least one signing key for HS256, HS384, HS512, RS256, ES256, found none/);
});

test('shape errors list every problem with its path', async () => {
  const message = await configError({
    realm: 'a"b',
    jwt: { keys: [], clock_skew: 'soon', forward_claims: { sub: 'bad header' } },
    rules: [{ path_prefix: 'admin', public: true, scopes: ['x'] }],
    extra: 1,
  });
  for (const expected of [
    /Unrecognized key: "extra"/,
    /expected a realm without quotes/,
    /expected a duration such as "250ms", "30s" or "1m30s", found "soon"\n {2}→ at jwt\.clock_skew/,
    /expected an HTTP header name\n {2}→ at jwt\.forward_claims\.sub/,
    /expected a path prefix starting with "\/"\n {2}→ at rules\[0\]\.path_prefix/,
  ]) {
    assert.match(message, expected);
  }
});

test('cross-field problems: no credential configured, a rule naming one that is not, claims on API keys', async () => {
  assert.match(await configError({}), /expected "jwt" or "api_keys" \(or every rule public\), found neither/);
  assert.match(await configError({ api_keys: { keys: ['k'] }, rules: [{ path_prefix: '/', credentials: ['jwt'] }] }), /expected "jwt" to be configured .*\n {2}→ at rules\[0\]\.credentials/);
  assert.match(await configError({ api_keys: { keys: ['k'] }, rules: [{ path_prefix: '/', credentials: ['api_key'], claims: { role: 'x' } }] }), /API keys carry no claims/);
  assert.match(await configError({ rules: [{ path_prefix: '/', public: true, scopes: ['a'] }], default: 'public' }), /expected a public rule to require nothing/);
  assert.match(await configError({ jwt: {} }), /expected "keys" or "jwks_file", found neither\n {2}→ at jwt/);
  assert.match(await configError({ api_keys: {} }), /expected at least one key in "keys" or "file", found none/);
});

test('an all-public config needs no credential', async (t) => {
  const plugin = await createTestPlugin(authPlugin, { config: { default: 'public' } });
  t.after(() => plugin.close());
  assert.deepEqual(await plugin.checkRequest({ path: '/x' }), { action: 'allow' });
  assert.equal(plugin.config.jwt, undefined);
  assert.equal(plugin.config.realm, 'mosn');
});
