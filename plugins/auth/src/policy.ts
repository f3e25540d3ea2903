/**
 * Turns the validated config into what a request check uses: API keys hashed into a map, JWT
 * keys imported, rules compiled. Runs once, inside config validation, so that an unreadable file
 * or a malformed key is an invalid config naming its path, not a failure at the first request.
 */
import { z } from '@mosn/plugin-sdk';
import type { JWK } from 'jose';
import { ApiKeyStore, readApiKeyFile } from './api-keys.js';
import type { ApiKeyInput } from './api-keys.js';
import { authConfigInput } from './config.js';
import type { AuthConfigParsed, JwtKeyConfig } from './config.js';
import { readText } from './files.js';
import { JwtVerifier } from './jwt-verifier.js';
import { hmacKey, importJwkKey, importPem, isHmac, readJwksFile, secretBytes } from './keys.js';
import type { VerificationKey } from './keys.js';
import type { CredentialKind, Rule } from './rules.js';

export interface ApiKeyPolicy {
  readonly header: string;
  readonly idHeader: string | undefined;
  readonly store: ApiKeyStore;
}

export interface JwtPolicy {
  readonly header: string;
  readonly verifier: JwtVerifier;
  readonly scopeClaim: string;
  /** [claim path, header name] */
  readonly forwardClaims: readonly (readonly [string, string])[];
}

export interface AuthPolicy {
  readonly realm: string;
  readonly apiKeys: ApiKeyPolicy | undefined;
  readonly jwt: JwtPolicy | undefined;
  readonly rules: readonly Rule[];
  readonly defaultAction: 'authenticated' | 'public' | 'deny';
  /** Credential kinds configured, in the order they are tried. */
  readonly kinds: ReadonlySet<CredentialKind>;
}

type Ctx = z.RefinementCtx;

/** The auth plugin's config schema: validates, reads files, imports keys; its output is an `AuthPolicy`. */
export const authConfigSchema = authConfigInput.transform(async (config, ctx): Promise<AuthPolicy> => {
  const [apiKeys, jwt] = await Promise.all([
    config.api_keys === undefined ? undefined : buildApiKeys(config.api_keys, ctx),
    config.jwt === undefined ? undefined : buildJwt(config.jwt, ctx),
  ]);
  if (apiKeys === null || jwt === null) return z.NEVER;
  const kinds = new Set<CredentialKind>([...(jwt === undefined ? [] : ['jwt' as const]), ...(apiKeys === undefined ? [] : ['api_key' as const])]);
  return {
    realm: config.realm,
    apiKeys,
    jwt,
    rules: config.rules.map((r, index) => ({
      index,
      pathPrefix: r.path_prefix,
      methods: r.methods === undefined ? undefined : new Set(r.methods),
      public: r.public,
      credentials: r.credentials === undefined ? undefined : new Set(r.credentials),
      scopes: r.scopes,
      claims: Object.entries(r.claims).map(([path, accepted]) => [path, [accepted].flat()] as const),
    })),
    defaultAction: config.default,
    kinds,
  };
});

/** null: an issue was added. */
async function buildApiKeys(config: NonNullable<AuthConfigParsed['api_keys']>, ctx: Ctx): Promise<ApiKeyPolicy | null> {
  const inputs: ApiKeyInput[] = config.keys.map((entry) => (typeof entry === 'string' ? { key: entry } : entry));
  if (config.file !== undefined) {
    try {
      inputs.push(...(await readApiKeyFile(config.file)));
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['api_keys', 'file'], message: (error as Error).message });
      return null;
    }
  }
  if (inputs.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['api_keys'], message: 'expected at least one key in "keys" or "file", found none' });
    return null;
  }
  return { header: config.header, idHeader: config.id_header, store: new ApiKeyStore(inputs) };
}

async function buildJwt(config: NonNullable<AuthConfigParsed['jwt']>, ctx: Ctx): Promise<JwtPolicy | null> {
  if (config.keys.length === 0 && config.jwks_file === undefined) {
    ctx.addIssue({ code: 'custom', path: ['jwt'], message: 'expected "keys" or "jwks_file", found neither' });
    return null;
  }
  const keys: VerificationKey[] = [];
  let failed = false;
  const results = await Promise.allSettled(config.keys.map((entry) => importKey(entry)));
  results.forEach((result, index) => {
    if (result.status === 'fulfilled') keys.push(result.value);
    else {
      failed = true;
      ctx.addIssue({ code: 'custom', path: ['jwt', 'keys', index], message: (result.reason as Error).message });
    }
  });
  if (config.jwks_file !== undefined) {
    try {
      keys.push(...(await readJwksFile(config.jwks_file)));
    } catch (error) {
      failed = true;
      ctx.addIssue({ code: 'custom', path: ['jwt', 'jwks_file'], message: (error as Error).message });
    }
  }
  if (failed) return null;
  return {
    header: config.header,
    verifier: new JwtVerifier({
      keys,
      issuer: config.issuer,
      audience: config.audience,
      clockSkewSeconds: config.clock_skew / 1000,
      requireExp: config.require_exp,
      cacheSize: config.cache_size,
    }),
    scopeClaim: config.scope_claim,
    forwardClaims: Object.entries(config.forward_claims),
  };
}

/** One entry of `jwt.keys`; throws an Error saying what was expected and found. */
async function importKey(entry: JwtKeyConfig): Promise<VerificationKey> {
  const sources = (['secret', 'secret_file', 'public_key', 'public_key_file', 'jwk'] as const).filter((s) => entry[s] !== undefined);
  if (sources.length !== 1) {
    throw new Error(`expected exactly one of secret, secret_file, public_key, public_key_file, jwk; found ${sources.length === 0 ? 'none' : sources.join(', ')}`);
  }
  const source = sources[0] as (typeof sources)[number];
  if (source === 'jwk') {
    const key = await importJwkKey(entry.jwk as JWK, entry.alg);
    return { ...key, kid: entry.kid ?? key.kid };
  }
  const alg = entry.alg;
  if (alg === undefined) throw new Error(`expected "alg" (one of HS256, HS384, HS512 for a secret; RS256, ES256 for a public key), found none`);
  const secret = source === 'secret' || source === 'secret_file';
  if (secret !== isHmac(alg)) {
    throw new Error(`expected ${secret ? 'an HS256/HS384/HS512 alg with a secret' : 'RS256 or ES256 with a public key'}, found alg ${alg} with ${source}`);
  }
  let material: string;
  if (source === 'secret_file' || source === 'public_key_file') {
    material = await readText(entry[source] as string, source === 'secret_file' ? 'secret file' : 'public key file');
    if (source === 'secret_file') material = material.trim();
  } else {
    material = entry[source] as string;
  }
  if (!secret) return { alg, kid: entry.kid, key: await importPem(material, alg) };
  const bytes = secretBytes(material, entry.secret_encoding);
  // RFC 7518 §3.2: an HMAC key at least as long as the hash; shorter ones can be brute-forced.
  const minimum = Number(alg.slice(2)) / 8;
  if (bytes.length < minimum) throw new Error(`expected a secret of at least ${minimum} bytes for ${alg}, found ${bytes.length}`);
  return { alg, kid: entry.kid, key: await hmacKey(bytes, alg) };
}
