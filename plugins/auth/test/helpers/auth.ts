// Keys, tokens and files for the auth tests, generated per test with jose.
// (The test runner also loads this file as a test file; it has no side effects.)

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createTestPlugin } from '@mosn/plugin-sdk/testing';
import type { TestPlugin } from '@mosn/plugin-sdk/testing';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import { authPlugin } from '../../src/index.js';
import type { AuthConfigInput, AuthPolicy } from '../../src/index.js';

export const HS256_SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';
export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'orders-api';

export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mosn-auth-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function writeTemp(t: TestContext, name: string, content: string): Promise<string> {
  const path = join(await tempDir(t), name);
  await writeFile(path, content);
  return path;
}

export interface KeyPair {
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly publicPem: string;
}

export async function keyPair(alg: 'RS256' | 'ES256', kid?: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), alg, use: 'sig', ...(kid === undefined ? {} : { kid }) };
  return { alg, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

export interface TokenOptions {
  readonly alg: string;
  readonly key: CryptoKey | Uint8Array;
  readonly kid?: string;
  readonly claims?: JWTPayload;
  /** Seconds from now; default +300. `null`: no exp claim. */
  readonly expiresIn?: number | null;
  readonly notBefore?: number;
  readonly issuer?: string | null;
  readonly audience?: string | string[] | null;
}

export async function token(options: TokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ sub: 'user-1', ...options.claims })
    .setProtectedHeader({ alg: options.alg, ...(options.kid === undefined ? {} : { kid: options.kid }) })
    .setIssuedAt(now);
  if (options.expiresIn !== null) jwt.setExpirationTime(now + (options.expiresIn ?? 300));
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
  if (options.issuer !== null) jwt.setIssuer(options.issuer ?? ISSUER);
  if (options.audience !== null) jwt.setAudience(options.audience ?? AUDIENCE);
  return jwt.sign(options.key);
}

export function hsToken(claims: JWTPayload = {}, extra: Partial<TokenOptions> = {}): Promise<string> {
  return token({ alg: 'HS256', key: new TextEncoder().encode(HS256_SECRET), claims, ...extra });
}

/** An auth plugin in-process; closed in t.after(). */
export async function authWith(t: TestContext, config: AuthConfigInput): Promise<TestPlugin<AuthPolicy, undefined>> {
  const plugin = await createTestPlugin(authPlugin, { config });
  t.after(() => plugin.close());
  return plugin;
}

export const hsJwtConfig = (extra: Partial<NonNullable<AuthConfigInput['jwt']>> = {}): NonNullable<AuthConfigInput['jwt']> => ({
  issuer: ISSUER,
  audience: AUDIENCE,
  keys: [{ alg: 'HS256', secret: HS256_SECRET }],
  ...extra,
});

export const bearer = (value: string): Record<string, string> => ({ authorization: `Bearer ${value}` });

/** The parsed JSON body of a deny. */
export function bodyOf(result: { action: string; body?: string }): { error: string; error_description: string } {
  return JSON.parse(result.body ?? '{}') as { error: string; error_description: string };
}
