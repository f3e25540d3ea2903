// `local_rate_limit`: Envoy's local rate limit, a token bucket in each worker. No coordination and
// no waiting: a request takes a token or is answered at once. With N workers the listener admits
// up to N times the bucket (each worker has its own) — the global `rate_limit` filter is for exact.
import type { LocalRateLimitFilterConfig } from '@mosn/config';
import type { FilterDecision } from './plugin-check-filter.js';
import { NO_HEADERS } from './header-lines.js';

/** Set on a response the local rate limit answered, so that a client can tell it from the upstream's 429. */
export const LOCAL_RATE_LIMITED_HEADER = 'x-mosn-local-ratelimited';

const CONTINUE: FilterDecision = Object.freeze({ action: 'continue', headersToAdd: undefined, upstream: NO_HEADERS });

export class LocalRateLimitFilter {
  readonly counters = { allowed: 0, limited: 0 };
  readonly #max: number;
  readonly #perFill: number;
  readonly #intervalMs: number;
  readonly #limited: FilterDecision;
  #tokens: number;
  #lastFill: number;

  constructor(config: LocalRateLimitFilterConfig['config'], now = Date.now()) {
    this.#max = config.max_tokens;
    this.#perFill = config.tokens_per_fill;
    this.#intervalMs = config.fill_interval;
    this.#tokens = config.max_tokens;
    this.#lastFill = now;
    this.#limited = Object.freeze({ action: 'respond', status: config.status, body: 'local rate limit exceeded\n', headers: { [LOCAL_RATE_LIMITED_HEADER]: 'true' } });
  }

  /** Takes a token (refilling first for every whole interval that passed), or answers the limit status. */
  take(now = Date.now()): FilterDecision {
    const intervals = Math.floor((now - this.#lastFill) / this.#intervalMs);
    if (intervals > 0) {
      this.#tokens = Math.min(this.#max, this.#tokens + intervals * this.#perFill);
      this.#lastFill += intervals * this.#intervalMs;
    }
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      this.counters.allowed += 1;
      return CONTINUE;
    }
    this.counters.limited += 1;
    return this.#limited;
  }
}
