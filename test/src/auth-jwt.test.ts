import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { catchAllRouter, cluster, httpListener, mosnConfig } from './helpers/config-builder.js';
import { request } from './helpers/http-client.js';
import { startMosn, tempDir } from './helpers/mosn-process.js';
import { startHttpUpstream } from './helpers/upstream.js';

const AUTH_MAIN = fileURLToPath(new URL('../../../plugins/auth/dist/src/main.js', import.meta.url));
const HS_SECRET = 'a-test-secret-of-at-least-32-bytes!!';

test('through the proxy, the auth plugin allows and denies by its rules: HS256, RS256 from a JWKS file, expiry, audience, public paths', async (t) => {
  const dir = await tempDir(t);
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rs-1', alg: 'RS256', use: 'sig' };
  const jwksFile = path.join(dir, 'jwks.json');
  await writeFile(jwksFile, JSON.stringify({ keys: [jwk] }));

  const upstream = await startHttpUpstream(t, (req, res) => res.end(String(req.headers['x-user-id'] ?? '-')));
  const listener = { ...httpListener('http', 'r'), stream_filters: [{ type: 'auth', config: { plugin: 'auth' } }] };
  const mosn = await startMosn(t, mosnConfig({
    listeners: [listener],
    routers: [catchAllRouter('r', 'up')],
    clusters: [cluster('up', [upstream.address])],
    top: {
      plugins: [{
        name: 'auth',
        command: process.execPath,
        args: [AUTH_MAIN],
        config: {
          jwt: {
            audience: 'shop',
            issuer: 'https://id.test',
            clock_skew: '5s',
            jwks_file: jwksFile,
            keys: [{ alg: 'HS256', secret: HS_SECRET }],
            forward_claims: { sub: 'x-user-id' },
          },
          rules: [{ path_prefix: '/public', public: true }],
          default: 'authenticated',
        },
      }],
    },
  }), { workers: 1 });
  const port = mosn.port('http');
  const now = Math.floor(Date.now() / 1000);
  const hs = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://id.test').setIssuedAt(now).sign(new TextEncoder().encode(HS_SECRET));
  const rs = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'rs-1' }).setIssuer('https://id.test').setIssuedAt(now).sign(rsa.privateKey);
  const call = async (token: string | undefined, p = '/orders') =>
    request(port, { path: p, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

  const hsOk = await call(await hs({ sub: 'alice', aud: 'shop', exp: now + 60 }));
  assert.equal(hsOk.status, 200);
  assert.equal(hsOk.body, 'alice', 'the sub claim is forwarded as x-user-id');
  const rsOk = await call(await rs({ sub: 'bob', aud: 'shop', exp: now + 60 }));
  assert.equal(rsOk.status, 200);
  assert.equal(rsOk.body, 'bob');

  const expired = await call(await hs({ sub: 'alice', aud: 'shop', exp: now - 60 }));
  assert.equal(expired.status, 401);
  assert.match(String(expired.headers['www-authenticate']), /Bearer .*error="invalid_token"/);
  assert.equal((await call(await rs({ sub: 'bob', aud: 'other', exp: now + 60 }))).status, 401, 'wrong audience');
  assert.equal((await call(await hs({ sub: 'x', aud: 'shop', exp: now + 60 }).then((t) => t.slice(0, -4) + 'AAAA'))).status, 401, 'bad signature');
  assert.equal((await call(undefined)).status, 401, 'no token on a protected path');
  const open = await call(undefined, '/public/catalog');
  assert.equal(open.status, 200, 'a public path needs nothing');
  assert.equal(open.body, '-');
});
