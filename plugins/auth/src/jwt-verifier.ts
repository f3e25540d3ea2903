/**
 * Verifies a compact JWT against the configured keys with jose. The key is chosen by the token's
 * `alg` and, when both sides have one, `kid`; several candidates (e.g. during a key rotation
 * without kids) are tried in order until one verifies the signature. Claims (`exp`/`nbf` with
 * clock skew, `iss`, `aud`) are checked by jose once a signature verified.
 */
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyOptions } from 'jose';
import type { JwtAlgorithm, VerificationKey } from './keys.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

export interface JwtVerifierOptions {
  readonly keys: readonly VerificationKey[];
  readonly issuer?: string | readonly string[] | undefined;
  readonly audience?: string | readonly string[] | undefined;
  readonly clockSkewSeconds: number;
  readonly requireExp: boolean;
  /** Verified tokens kept (see VerifiedTokenCache); 0 verifies every token every time. */
  readonly cacheSize: number;
}

export type JwtVerification = { readonly ok: true; readonly claims: JWTPayload } | { readonly ok: false; readonly description: string };

export class JwtVerifier {
  readonly #keys: readonly VerificationKey[];
  readonly #algorithms: ReadonlySet<string>;
  readonly #options: JWTVerifyOptions;
  readonly #cache: VerifiedTokenCache;
  readonly #skewSeconds: number;

  constructor(options: JwtVerifierOptions) {
    this.#keys = options.keys;
    // Only algorithms we hold a key for: no token picks its own (alg confusion, "none").
    this.#algorithms = new Set(options.keys.map((k) => k.alg));
    this.#options = {
      clockTolerance: options.clockSkewSeconds,
      ...(options.issuer === undefined ? {} : { issuer: [options.issuer].flat() }),
      ...(options.audience === undefined ? {} : { audience: [options.audience].flat() }),
      ...(options.requireExp ? { requiredClaims: ['exp'] } : {}),
    };
    this.#cache = new VerifiedTokenCache(options.cacheSize);
    this.#skewSeconds = options.clockSkewSeconds;
  }

  /** Synchronous for a token verified before (a cache hit): no promise on the common path. */
  verify(token: string): JwtVerification | Promise<JwtVerification> {
    const cached = this.#cache.get(token, Date.now() / 1000, this.#skewSeconds);
    if (cached !== undefined) return cached.verification;
    return this.#verify(token).then((verification) => {
      if (verification.ok) this.#cache.set(token, verification.claims);
      return verification;
    });
  }

  async #verify(token: string): Promise<JwtVerification> {
    let alg: unknown;
    let kid: unknown;
    try {
      ({ alg, kid } = decodeProtectedHeader(token));
    } catch {
      return fail('the token is not a well-formed JWT');
    }
    if (typeof alg !== 'string' || !this.#algorithms.has(alg)) {
      return fail(`the token's alg ${JSON.stringify(alg)} is not accepted (accepted: ${[...this.#algorithms].join(', ')})`);
    }
    const candidates = this.#candidates(alg as JwtAlgorithm, typeof kid === 'string' ? kid : undefined);
    if (candidates.length === 0) return fail(`no key for alg ${alg}${typeof kid === 'string' ? ` and kid ${JSON.stringify(kid)}` : ''}`);

    for (const candidate of candidates) {
      try {
        const { payload } = await jwtVerify(token, candidate.key, { ...this.#options, algorithms: [alg] });
        return { ok: true, claims: payload };
      } catch (error) {
        if (error instanceof errors.JWSSignatureVerificationFailed) continue;
        return fail(describe(error));
      }
    }
    return fail('the signature does not verify');
  }

  #candidates(alg: JwtAlgorithm, kid: string | undefined): VerificationKey[] {
    const byAlg = this.#keys.filter((k) => k.alg === alg);
    if (kid === undefined) return byAlg;
    const exact = byAlg.filter((k) => k.kid === kid);
    // A token naming a kid we do not know may still be signed by a key configured without a kid.
    return exact.length > 0 ? exact : byAlg.filter((k) => k.kid === undefined);
  }
}

function fail(description: string): JwtVerification {
  return { ok: false, description };
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'nbf':
        return 'the token is not valid yet';
      case 'iss':
        return 'unexpected issuer';
      case 'aud':
        return 'unexpected audience';
      case 'exp':
        return error.reason === 'missing' ? 'the token has no exp claim' : 'invalid exp claim';
      default:
        return `invalid ${error.claim} claim`;
    }
  }
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) return 'the token is not a well-formed JWT';
  if (error instanceof errors.JOSEError) return `the token does not verify (${error.code})`;
  return 'the token does not verify';
}
