/**
 * JWT verification keys, imported once at config time (a malformed PEM or JWK is a config error,
 * not a per-request failure): HMAC secrets for HS256/384/512, public keys for RS256 and ES256
 * as PEM (SPKI or an X.509 certificate), as a JWK, or from a JWKS file.
 */
import { importJWK, importSPKI, importX509 } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { readText } from './files.js';

export const JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'ES256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export interface VerificationKey {
  readonly alg: JwtAlgorithm;
  readonly kid: string | undefined;
  readonly key: CryptoKey;
}

export function isHmac(alg: JwtAlgorithm): boolean {
  return alg.startsWith('HS');
}

export function isJwtAlgorithm(value: unknown): value is JwtAlgorithm {
  return (JWT_ALGORITHMS as readonly unknown[]).includes(value);
}

export type SecretEncoding = 'utf8' | 'base64' | 'base64url';

export function secretBytes(secret: string, encoding: SecretEncoding): Uint8Array {
  return encoding === 'utf8' ? new TextEncoder().encode(secret) : new Uint8Array(Buffer.from(secret, encoding));
}

/**
 * An HMAC secret as a non-extractable CryptoKey. jose verifies with WebCrypto, and a raw
 * Uint8Array would be imported again on every verification (measured: twice the cost per token).
 */
export function hmacKey(bytes: Uint8Array, alg: JwtAlgorithm): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: `SHA-${alg.slice(2)}` }, false, ['verify']);
}

/** PEM text as an RS256/ES256 key: SPKI ("PUBLIC KEY") or a certificate. Throws with what was found. */
export async function importPem(pem: string, alg: JwtAlgorithm): Promise<CryptoKey> {
  const text = pem.trim();
  try {
    if (text.startsWith('-----BEGIN CERTIFICATE-----')) return await importX509(text, alg);
    if (text.startsWith('-----BEGIN PUBLIC KEY-----')) return await importSPKI(text, alg);
  } catch (error) {
    throw new Error(`expected a ${alg} public key, found a PEM that does not import (${(error as Error).message})`);
  }
  const label = /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1];
  throw new Error(
    `expected a PEM "PUBLIC KEY" or "CERTIFICATE", found ${label === undefined ? 'no PEM header' : `a PEM "${label}"`}` +
      (label?.includes('PRIVATE') === true ? ' (give the public key, never the private one)' : ''),
  );
}

/** A JWK as a key for `alg` (from the JWK's own `alg`, or inferred from its type and curve). */
export async function importJwkKey(jwk: JWK, alg: JwtAlgorithm | undefined): Promise<VerificationKey> {
  const resolved = alg ?? algorithmOf(jwk);
  if (resolved === undefined) {
    throw new Error(`expected a JWK with "alg" one of ${JWT_ALGORITHMS.join(', ')} (or an RSA / EC P-256 key), found kty ${JSON.stringify(jwk.kty)} alg ${JSON.stringify(jwk.alg)}`);
  }
  if (jwk.d !== undefined) throw new Error('expected a public JWK, found a private one (it has "d"); give the public key only');
  let key: CryptoKey | Uint8Array;
  try {
    key = await importJWK(jwk, resolved);
    if (key instanceof Uint8Array) key = await hmacKey(key, resolved);
  } catch (error) {
    throw new Error(`expected a JWK usable with ${resolved}, found one that does not import (${(error as Error).message})`);
  }
  return { alg: resolved, kid: jwk.kid, key };
}

/** The algorithm a JWK is for, or undefined when it is none we verify. */
export function algorithmOf(jwk: JWK): JwtAlgorithm | undefined {
  if (jwk.alg !== undefined) return isJwtAlgorithm(jwk.alg) ? jwk.alg : undefined;
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  return undefined;
}

/**
 * The signing keys of a JWKS file. Keys for encryption (`use: "enc"`) or for algorithms we do not
 * verify are skipped; a file with no usable key is an error.
 */
export async function readJwksFile(path: string): Promise<VerificationKey[]> {
  const text = await readText(path, 'JWKS file');
  let jwks: { keys?: unknown };
  try {
    jwks = JSON.parse(text) as { keys?: unknown };
  } catch (error) {
    throw new Error(`JWKS file ${JSON.stringify(path)}: expected JSON, found a syntax error (${(error as Error).message})`);
  }
  if (!Array.isArray(jwks?.keys)) throw new Error(`JWKS file ${JSON.stringify(path)}: expected an object with a "keys" array`);
  const keys: VerificationKey[] = [];
  for (const [index, jwk] of (jwks.keys as JWK[]).entries()) {
    if (typeof jwk !== 'object' || jwk === null) throw new Error(`JWKS file ${JSON.stringify(path)} keys[${index}]: expected an object`);
    if (jwk.use === 'enc' || algorithmOf(jwk) === undefined) continue;
    try {
      keys.push(await importJwkKey(jwk, undefined));
    } catch (error) {
      throw new Error(`JWKS file ${JSON.stringify(path)} keys[${index}]: ${(error as Error).message}`);
    }
  }
  if (keys.length === 0) {
    throw new Error(`JWKS file ${JSON.stringify(path)}: expected at least one signing key for ${JWT_ALGORITHMS.join(', ')}, found none`);
  }
  return keys;
}
