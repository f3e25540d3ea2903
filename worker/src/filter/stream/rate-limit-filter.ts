// `rate_limit`: the global rate limit. Descriptors are built from the request (Envoy's actions) and
// a plugin (Envoy's RLS semantics) counts them for every worker. OVER_LIMIT answers the configured
// status (429) with Retry-After and X-RateLimit-* headers. The limiter must not take traffic down:
// by default a plugin that is away or slower than `timeout` (20ms) lets the request through, counted.
import type { Logger } from 'pino';
import type { RateLimitFilterConfig } from '@mosn/config';
import type { RateLimitResult } from '@mosn/ipc-protocol';
import type { PluginRequest } from '../../plugin/plugin-request.js';
import type { PluginClient } from '../../plugin/plugin-client.js';
import { withTimeout } from '../../plugin/with-timeout.js';
import { NO_HEADERS } from './header-lines.js';
import type { FilterDecision } from './plugin-check-filter.js';
import { buildDescriptors } from './rate-limit-descriptors.js';

const CONTINUE: FilterDecision = Object.freeze({ action: 'continue', headersToAdd: undefined, upstream: NO_HEADERS });

export interface RateLimitFilterCounters {
  calls: number;
  ok: number;
  overLimit: number;
  /** Requests no descriptor applied to (no RPC made). */
  noDescriptor: number;
  failures: number;
  failedOpen: number;
  failedClosed: number;
}

export class RateLimitFilter {
  readonly counters: RateLimitFilterCounters = { calls: 0, ok: 0, overLimit: 0, noDescriptor: 0, failures: 0, failedOpen: 0, failedClosed: 0 };
  readonly #config: RateLimitFilterConfig['config'];

  get config(): RateLimitFilterConfig['config'] {
    return this.#config;
  }
  readonly #failedClosed: FilterDecision;

  constructor(
    config: RateLimitFilterConfig['config'],
    private readonly client: PluginClient,
    private readonly logger: Logger,
  ) {
    this.#config = config;
    this.#failedClosed = Object.freeze({ action: 'respond', status: config.failure_status, body: `rate limit plugin "${config.plugin}" unavailable\n`, headers: undefined });
  }

  decide(request: PluginRequest): Promise<FilterDecision> {
    const config = this.#config;
    const descriptors = buildDescriptors(config.rate_limits, request);
    if (descriptors.length === 0) {
      this.counters.noDescriptor += 1;
      return Promise.resolve(CONTINUE);
    }
    this.counters.calls += 1;
    // No async function and no await: this runs per request.
    return withTimeout(this.client.rateLimit({ domain: config.domain, descriptors, hitsAddend: 1 }), config.timeout, `rate limit plugin "${config.plugin}"`).then(
      (result) => this.#onResult(result),
      (err: unknown) => this.#onFailure(err),
    );
  }

  #onResult(result: RateLimitResult): FilterDecision {
    const config = this.#config;
    if (typeof result !== 'object' || result === null) {
      return this.#onFailure(new Error(`rate limit plugin "${config.plugin}" answered ${String(result)}: expected a result object`));
    }
    if (result.overallCode !== 'OVER_LIMIT') {
      this.counters.ok += 1;
      return CONTINUE;
    }
    this.counters.overLimit += 1;
    return { action: 'respond', status: config.status, body: 'rate limit exceeded\n', headers: limitHeaders(result) };
  }

  #onFailure(err: unknown): FilterDecision {
    this.counters.failures += 1;
    const why = err instanceof Error ? err.message : String(err);
    if (this.#config.failure_mode === 'open') {
      this.counters.failedOpen += 1;
      this.logger.debug({ plugin: this.#config.plugin, err: why }, 'rate limit plugin could not decide; letting the request through (failure_mode: open)');
      return CONTINUE;
    }
    this.counters.failedClosed += 1;
    this.logger.warn({ plugin: this.#config.plugin, err: why }, 'rate limit plugin could not decide; refusing the request (failure_mode: closed)');
    return this.#failedClosed;
  }
}

/**
 * The headers of an OVER_LIMIT answer (IETF draft RateLimit header fields, as Envoy sends them):
 * the limit that was exceeded, 0 remaining, and when to come back (seconds, rounded up).
 */
function limitHeaders(result: RateLimitResult): Record<string, string> {
  let limit: number | undefined;
  let resetMs = 0;
  for (const status of result.statuses) {
    if (status.code !== 'OVER_LIMIT') continue;
    if (status.limit !== undefined && (limit === undefined || status.limit.requestsPerUnit < limit)) limit = status.limit.requestsPerUnit;
    resetMs = Math.max(resetMs, status.durationUntilResetMs);
  }
  const resetSeconds = String(Math.max(1, Math.ceil(resetMs / 1000)));
  const headers: Record<string, string> = { 'retry-after': resetSeconds, 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': resetSeconds };
  if (limit !== undefined) headers['x-ratelimit-limit'] = String(limit);
  return headers;
}
