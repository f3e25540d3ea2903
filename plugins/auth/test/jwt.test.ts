import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUDIENCE, ISSUER, authWith, bearer, bodyOf, hsJwtConfig, hsToken, keyPair, token, writeTemp } from './helpers/auth.js';

const secret = (bytes: number) => 'k'.repeat(bytes);
const encoder = new TextEncoder();

test('HS256, HS384 and HS512 tokens verify with inline secrets; claims are forwarded upstream', async (t) => {
  const plugin = await authWith(t, {
    jwt: {
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [
        { alg: 'HS256', secret: secret(32) },
        { alg: 'HS384', secret: secret(48) },
        { alg: 'HS512', secret: Buffer.from(secret(64)).toString('base64'), secret_encoding: 'base64' },
      ],
      forward_claims: { sub: 'X-User-Id', 'org.id': 'x-org-id', roles: 'x-roles' },
    },
  });
  for (const [alg, bytes] of [['HS256', 32], ['HS384', 48], ['HS512', 64]] as const) {
    const jwt = await token({ alg, key: encoder.encode(secret(bytes)), claims: { sub: `u-${alg}`, org: { id: 7 }, roles: ['a', 'b'] } });
    const expected = { action: 'allow', headersToAdd: { 'x-user-id': `u-${alg}`, 'x-org-id': '7', 'x-roles': 'a,b' } };
    assert.deepEqual(await plugin.checkRequest({ headers: bearer(jwt) }), expected, alg);
    // Again: now a verified-token cache hit, whose principal is worked out once and reused.
    assert.deepEqual(await plugin.checkRequest({ headers: bearer(jwt) }), expected, `${alg}, cached`);
    assert.deepEqual(await plugin.checkRequest({ headers: bearer(jwt) }), expected, `${alg}, cached again`);
  }
});

test('RS256 verifies with an inline PEM, a PEM file and an inline JWK', async (t) => {
  const pem = await keyPair('RS256');
  const file = await keyPair('RS256');
  const jwk = await keyPair('RS256');
  const plugin = await authWith(t, {
    jwt: {
      keys: [
        { alg: 'RS256', kid: 'pem', public_key: pem.publicPem },
        { alg: 'RS256', kid: 'file', public_key_file: await writeTemp(t, 'rs.pem', file.publicPem) },
        { kid: 'jwk', jwk: jwk.publicJwk },
      ],
    },
  });
  for (const [kid, pair] of [['pem', pem], ['file', file], ['jwk', jwk]] as const) {
    const jwt = await token({ alg: 'RS256', key: pair.privateKey, kid });
    assert.equal((await plugin.checkRequest({ headers: bearer(jwt) })).action, 'allow', kid);
  }
});

test('RS256 and ES256 verify with keys from a JWKS file, chosen by kid', async (t) => {
  const rsa = await keyPair('RS256', 'rsa-1');
  const ec = await keyPair('ES256', 'ec-1');
  const other = await keyPair('RS256', 'rsa-2');
  const jwks = { keys: [rsa.publicJwk, ec.publicJwk, other.publicJwk, { kty: 'RSA', use: 'enc', n: 'x', e: 'AQAB' }] };
  const plugin = await authWith(t, { jwt: { jwks_file: await writeTemp(t, 'jwks.json', JSON.stringify(jwks)), audience: AUDIENCE } });
  assert.equal((await plugin.checkRequest({ headers: bearer(await token({ alg: 'RS256', key: rsa.privateKey, kid: 'rsa-1' })) })).action, 'allow');
  assert.equal((await plugin.checkRequest({ headers: bearer(await token({ alg: 'ES256', key: ec.privateKey, kid: 'ec-1' })) })).action, 'allow');
  assert.equal((await plugin.checkRequest({ headers: bearer(await token({ alg: 'RS256', key: other.privateKey, kid: 'rsa-2' })) })).action, 'allow');
  // Signed by rsa-2 but claiming rsa-1: the signature does not verify.
  const lying = await plugin.checkRequest({ headers: bearer(await token({ alg: 'RS256', key: other.privateKey, kid: 'rsa-1' })) });
  assert.equal(lying.action === 'deny' && lying.status, 401);
  assert.equal(bodyOf(lying).error_description, 'the signature does not verify');
});

test('ES256 verifies with a PEM key, and several keys without kid are tried in turn', async (t) => {
  const old = await keyPair('ES256');
  const current = await keyPair('ES256');
  const plugin = await authWith(t, { jwt: { keys: [{ alg: 'ES256', public_key: old.publicPem }, { alg: 'ES256', public_key: current.publicPem }] } });
  assert.equal((await plugin.checkRequest({ headers: bearer(await token({ alg: 'ES256', key: current.privateKey })) })).action, 'allow');
  assert.equal((await plugin.checkRequest({ headers: bearer(await token({ alg: 'ES256', key: old.privateKey })) })).action, 'allow');
});

test('an expired token is 401 invalid_token with a Bearer challenge', async (t) => {
  const plugin = await authWith(t, { realm: 'orders', jwt: hsJwtConfig({ clock_skew: '0s' }) });
  const result = await plugin.checkRequest({ headers: bearer(await hsToken({}, { expiresIn: -5 })) });
  assert.deepEqual(result, {
    action: 'deny',
    status: 401,
    headers: {
      'www-authenticate': 'Bearer realm="orders", error="invalid_token", error_description="the token has expired"',
      'content-type': 'application/json',
      'cache-control': 'no-store',
    },
    body: '{"error":"invalid_token","error_description":"the token has expired"}',
  });
});

test('clock skew accepts a token just expired or not valid yet, within the configured bound', async (t) => {
  const lenient = await authWith(t, { jwt: hsJwtConfig({ clock_skew: '30s' }) });
  const strict = await authWith(t, { jwt: hsJwtConfig({ clock_skew: '5s' }) });
  const expired = await hsToken({}, { expiresIn: -15 });
  const early = await hsToken({}, { notBefore: 15 });
  assert.equal((await lenient.checkRequest({ headers: bearer(expired) })).action, 'allow');
  assert.equal((await lenient.checkRequest({ headers: bearer(early) })).action, 'allow');
  assert.equal(bodyOf(await strict.checkRequest({ headers: bearer(expired) })).error_description, 'the token has expired');
  assert.equal(bodyOf(await strict.checkRequest({ headers: bearer(early) })).error_description, 'the token is not valid yet');
});

test('a wrong audience or issuer is 401 and says which', async (t) => {
  const plugin = await authWith(t, { jwt: hsJwtConfig({ audience: ['orders-api', 'billing-api'] }) });
  assert.equal((await plugin.checkRequest({ headers: bearer(await hsToken({}, { audience: 'billing-api' })) })).action, 'allow');
  const audience = await plugin.checkRequest({ headers: bearer(await hsToken({}, { audience: 'other-api' })) });
  assert.equal(audience.action === 'deny' && audience.status, 401);
  assert.equal(bodyOf(audience).error_description, 'unexpected audience');
  const issuer = await plugin.checkRequest({ headers: bearer(await hsToken({}, { issuer: 'https://evil.test' })) });
  assert.equal(bodyOf(issuer).error_description, 'unexpected issuer');
});

test('a bad signature, a malformed token, an unaccepted alg and a missing exp are 401', async (t) => {
  const plugin = await authWith(t, { jwt: hsJwtConfig() });
  const forged = await token({ alg: 'HS256', key: encoder.encode('another-secret-of-at-least-32-bytes!!') });
  const rsa = await keyPair('RS256');
  const cases: [string, string][] = [
    [forged, 'the signature does not verify'],
    ['not.a.jwt', 'the token is not a well-formed JWT'],
    [await token({ alg: 'RS256', key: rsa.privateKey }), 'the token\'s alg "RS256" is not accepted (accepted: HS256)'],
    [await hsToken({}, { expiresIn: null }), 'the token has no exp claim'],
  ];
  for (const [jwt, description] of cases) {
    const result = await plugin.checkRequest({ headers: bearer(jwt) });
    assert.equal(result.action === 'deny' && result.status, 401, description);
    assert.equal(bodyOf(result).error_description, description);
  }
  const lax = await authWith(t, { jwt: hsJwtConfig({ require_exp: false }) });
  assert.equal((await lax.checkRequest({ headers: bearer(await hsToken({}, { expiresIn: null })) })).action, 'allow');
});

test('an alg "none" token is refused', async (t) => {
  const plugin = await authWith(t, { jwt: hsJwtConfig() });
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${b64({ alg: 'none' })}.${b64({ sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 60 })}.`;
  const result = await plugin.checkRequest({ headers: bearer(unsigned) });
  assert.equal(result.action === 'deny' && result.status, 401);
});

test('without a token the answer is 401 with a challenge and no error', async (t) => {
  const plugin = await authWith(t, { jwt: hsJwtConfig() });
  for (const headers of [{}, { authorization: 'Basic dTpw' }, { authorization: 'Bearer' }]) {
    const result = await plugin.checkRequest({ headers });
    assert.equal(result.action === 'deny' && result.status, 401);
    assert.equal(result.action === 'deny' && result.headers?.['www-authenticate'], 'Bearer realm="mosn"');
    assert.equal(bodyOf(result).error, 'missing_credentials');
  }
});

test('a token may come in another header, bare', async (t) => {
  const plugin = await authWith(t, { jwt: hsJwtConfig({ header: 'X-Auth-Token' }) });
  assert.equal((await plugin.checkRequest({ headers: { 'x-auth-token': await hsToken() } })).action, 'allow');
  assert.equal((await plugin.checkRequest({ headers: bearer(await hsToken()) })).action, 'deny');
});
