import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VerifiedTokenCache } from '../src/verified-token-cache.js';
import { authWith, bearer, bodyOf, hsJwtConfig, hsToken } from './helpers/auth.js';

test('a cached token is dropped once exp (with the skew) has passed', () => {
  const cache = new VerifiedTokenCache(10);
  cache.set('t', { sub: 'a', exp: 1000 });
  assert.equal(cache.get('t', 999, 0)?.claims.sub, 'a');
  assert.equal(cache.get('t', 1005, 10)?.claims.sub, 'a', 'within the skew');
  assert.equal(cache.get('t', 1000, 0), undefined, 'exp reached');
  assert.equal(cache.entries, 0);
});

test('the cache keeps at most size entries; an entry used since eviction last passed outlives an unused one', () => {
  const cache = new VerifiedTokenCache(2);
  cache.set('a', { n: 1 });
  cache.set('b', { n: 2 });
  assert.ok(cache.get('a', 0, 0));
  cache.set('c', { n: 3 });
  assert.equal(cache.get('b', 0, 0), undefined, 'b was the least recently used');
  assert.ok(cache.get('a', 0, 0));
  assert.ok(cache.get('c', 0, 0));
  assert.equal(cache.entries, 2);
});

test('when every entry was used, eviction passes over each once, then takes the oldest', () => {
  const cache = new VerifiedTokenCache(3);
  for (const t of ['a', 'b', 'c']) cache.set(t, {});
  for (const t of ['c', 'a', 'b']) assert.ok(cache.get(t, 0, 0));
  cache.set('d', {});
  assert.equal(cache.entries, 3);
  assert.equal(cache.get('a', 0, 0), undefined, 'all were marked: the oldest inserted goes after one pass');
  for (const t of ['b', 'c', 'd']) assert.ok(cache.get(t, 0, 0), t);
  // b, c and d are marked again; e evicts b (first in line once the pass unmarks them).
  cache.set('e', {});
  assert.equal(cache.get('b', 0, 0), undefined);
  for (const t of ['c', 'd', 'e']) assert.ok(cache.get(t, 0, 0), t);
});

test('size 0 keeps nothing, and oversize tokens are never kept', () => {
  const off = new VerifiedTokenCache(0);
  off.set('a', {});
  assert.equal(off.entries, 0);
  const on = new VerifiedTokenCache(5);
  on.set('x'.repeat(5000), {});
  assert.equal(on.entries, 0);
});

test('a token that verified once is refused after it expires, cache or not', async (t) => {
  for (const cache_size of [1024, 0]) {
    const plugin = await authWith(t, { jwt: hsJwtConfig({ clock_skew: '0s', cache_size }) });
    // exp is whole seconds after a whole-second iat: 2 s leaves at least 1 s of validity for the
    // first check (with 1 s, a token signed at x.999 s expired a millisecond later: flaky in CI).
    const jwt = await hsToken({}, { expiresIn: 2 });
    assert.equal((await plugin.checkRequest({ headers: bearer(jwt) })).action, 'allow', `cache_size ${cache_size}`);
    // exp is whole seconds: wait (against a deadline) until the clock is past it.
    const exp = JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString()).exp as number;
    const deadline = Date.now() + 6000;
    while (Date.now() / 1000 < exp && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(bodyOf(await plugin.checkRequest({ headers: bearer(jwt) })).error_description, 'the token has expired', `cache_size ${cache_size}`);
  }
});

test('a token verified before is decided synchronously; a new one through a promise', async () => {
  const { JwtVerifier } = await import('../src/jwt-verifier.js');
  const { SignJWT } = await import('jose');
  const secret = new TextEncoder().encode('a-test-secret-that-is-at-least-32-bytes-long');
  const verifier = new JwtVerifier({ keys: [{ alg: 'HS256', key: secret } as never], clockSkewSeconds: 0, requireExp: false, cacheSize: 10 });
  const token = await new SignJWT({ sub: 'a' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(secret);
  const first = verifier.verify(token);
  assert.ok(first instanceof Promise, 'a miss verifies the signature, asynchronously');
  assert.equal((await first).ok, true);
  const second = verifier.verify(token);
  assert.ok(!(second instanceof Promise), 'a hit needs no promise');
  assert.deepEqual(second.ok && second.claims.sub, 'a');
});
