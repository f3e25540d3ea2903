/**
 * Tokens whose signature and claims already verified, so that a client sending the same token on
 * every request costs one signature check, not one per request (Envoy's jwt_authn offers the same
 * as `jwt_cache_config`). Safe because the keys are fixed for the life of the process (they are
 * read at config time) and every check that depends on the time is done again on a hit: `exp`.
 * `nbf` needs no recheck — a token only enters once it is valid, and time only moves forward.
 *
 * Bounded: at most `size` entries, least recently used out first; tokens longer than
 * MAX_TOKEN_CHARS are never kept (a client cannot make the cache hold big strings).
 */
import type { JWTPayload } from 'jose';

const MAX_TOKEN_CHARS = 4096;

export interface CachedToken {
  readonly claims: JWTPayload;
  /** The verification a hit answers with, built once. */
  readonly verification: { readonly ok: true; readonly claims: JWTPayload };
  /** Seconds since the epoch, or undefined when the token has no exp. */
  readonly exp: number | undefined;
}

export class VerifiedTokenCache {
  readonly #size: number;
  // Map keeps insertion order: re-inserting on a hit makes the first key the least recently used.
  readonly #entries = new Map<string, CachedToken>();

  constructor(size: number) {
    this.#size = size;
  }

  /** The cached claims, or undefined (not cached, or expired — then it is dropped). */
  get(token: string, nowSeconds: number, skewSeconds: number): CachedToken | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.exp !== undefined && entry.exp <= nowSeconds - skewSeconds) {
      this.#entries.delete(token);
      return undefined;
    }
    this.#entries.delete(token);
    this.#entries.set(token, entry);
    return entry;
  }

  set(token: string, claims: JWTPayload): void {
    if (this.#size === 0 || token.length > MAX_TOKEN_CHARS) return;
    this.#entries.delete(token);
    this.#entries.set(token, { claims, verification: { ok: true, claims }, exp: typeof claims.exp === 'number' ? claims.exp : undefined });
    if (this.#entries.size > this.#size) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  get entries(): number {
    return this.#entries.size;
  }
}
