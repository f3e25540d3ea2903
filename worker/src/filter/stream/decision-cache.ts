/**
 * Remembers a plugin's decision per value of one request header (e.g. a bearer token) for a TTL,
 * so that a client repeating the same credential does not cost an RPC per request. Bounded: when
 * full, the oldest entry goes (Map keeps insertion order).
 */
export class DecisionCache<T> {
  readonly #entries = new Map<string, { value: T; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get(key: string, now = Date.now()): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: T, now = Date.now()): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expires: now + this.ttlMs });
  }

  get size(): number {
    return this.#entries.size;
  }
}
