/**
 * Tokens whose signature and claims already verified, so that a client sending the same token on
 * every request costs one signature check, not one per request (Envoy's jwt_authn offers the same
 * as `jwt_cache_config`). Safe because the keys are fixed for the life of the process (they are
 * read at config time) and every check that depends on the time is done again on a hit: `exp`.
 * `nbf` needs no recheck — a token only enters once it is valid, and time only moves forward.
 *
 * Bounded: at most `size` entries; tokens longer than MAX_TOKEN_CHARS are never kept (a client
 * cannot make the cache hold big strings). Eviction is second chance (CLOCK), the usual
 * approximation of least recently used: a hit only marks its entry, so that the common case is
 * one Map lookup instead of a delete and a re-insert (each hashing a ~200-character token).
 */
import type { JWTPayload } from 'jose';

const MAX_TOKEN_CHARS = 4096;

export interface CachedToken {
  readonly claims: JWTPayload;
  /** Used since eviction last passed it: it is passed over once more. */
  referenced: boolean;
  /** The verification a hit answers with, built once. */
  readonly verification: { readonly ok: true; readonly claims: JWTPayload };
  /** Seconds since the epoch, or undefined when the token has no exp. */
  readonly exp: number | undefined;
}

export class VerifiedTokenCache {
  readonly #size: number;
  // Map keeps insertion order: the first key is the one eviction looks at next.
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
    entry.referenced = true;
    return entry;
  }

  set(token: string, claims: JWTPayload): void {
    if (this.#size === 0 || token.length > MAX_TOKEN_CHARS) return;
    const entries = this.#entries;
    entries.delete(token);
    if (entries.size >= this.#size) this.#evictOne();
    entries.set(token, { claims, referenced: false, verification: { ok: true, claims }, exp: typeof claims.exp === 'number' ? claims.exp : undefined });
  }

  /** The first entry in order not used since it was last passed; used ones go to the back, unmarked. */
  #evictOne(): void {
    const entries = this.#entries;
    // One iterator for the whole walk (a Map iterator also visits entries re-added behind it; a
    // fresh one per step would rescan the deleted slots each time). Bounded: after one pass every
    // entry is unmarked, so the walk ends within size + 1 steps.
    for (const [token, entry] of entries) {
      entries.delete(token);
      if (!entry.referenced) return;
      entry.referenced = false;
      entries.set(token, entry);
    }
  }

  get entries(): number {
    return this.#entries.size;
  }
}
