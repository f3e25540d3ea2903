// The `auth` and `plugin` stream filters: ask a plugin's request check before the request goes
// upstream. When the plugin cannot answer (down, restarting, slow, failing), the filter's failure
// mode decides: `closed` answers `failure_status`, `open` lets the request through, marked and counted.
import type { Logger } from 'pino';
import type { CheckFilterConfig } from '@mosn/config';
import type { CheckRequestResult } from '@mosn/ipc-protocol';
import type { PluginClient } from '../../plugin/plugin-client.js';
import type { PluginRequest } from '../../plugin/plugin-request.js';
import { DecisionCache } from './decision-cache.js';
import { prepareHeaders, type PreparedHeaders } from './header-lines.js';

/** Set on a request let through because its plugin could not decide (failure_mode: open). */
export const FAILURE_OPEN_HEADER = 'x-mosn-plugin-unavailable';

export type FilterDecision =
  // `upstream` is prepared when the decision is made, so a cached decision costs nothing to apply.
  | { action: 'continue'; headersToAdd: Record<string, string> | undefined; upstream: PreparedHeaders }
  | { action: 'respond'; status: number; body: string; headers: Record<string, string> | undefined };

export interface PluginFilterCounters {
  calls: number;
  allowed: number;
  denied: number;
  cacheHits: number;
  /** The plugin could not answer; the failure mode decided. */
  failures: number;
  failedOpen: number;
  failedClosed: number;
}

export class PluginCheckFilter {
  readonly counters: PluginFilterCounters = { calls: 0, allowed: 0, denied: 0, cacheHits: 0, failures: 0, failedOpen: 0, failedClosed: 0 };
  readonly #cache: DecisionCache<FilterDecision> | undefined;

  constructor(
    private readonly config: CheckFilterConfig,
    private readonly client: PluginClient,
    private readonly logger: Logger,
  ) {
    const cache = config.config.cache;
    this.#cache = cache === undefined ? undefined : new DecisionCache(cache.ttl, cache.max_entries);
  }

  /** The cached decision for this request, if the filter caches and has one: no RPC, no allocation. */
  cached(method: string, path: string, headerValue: string | undefined): FilterDecision | undefined {
    if (this.#cache === undefined || headerValue === undefined) return undefined;
    const decision = this.#cache.get(cacheKey(method, path, headerValue));
    if (decision !== undefined) this.counters.cacheHits += 1;
    return decision;
  }

  get pluginName(): string {
    return this.config.config.plugin;
  }

  get type(): string {
    return this.config.type;
  }

  /** The header the decision cache is keyed by, if the filter caches. */
  get cacheHeader(): string | undefined {
    return this.config.config.cache?.header;
  }

  decide(request: PluginRequest): Promise<FilterDecision> {
    const cacheHeader = this.config.config.cache?.header;
    const value = cacheHeader === undefined ? undefined : request.header(cacheHeader);
    // A decision holds for one credential on one method and path (plugins decide per route); a
    // repeated header (joined with ", ") is never cached, so it cannot ride on a single one's entry.
    const key = value === undefined || value.includes(', ') ? undefined : cacheKey(request.method, request.path, value);
    if (key !== undefined) {
      const cached = this.#cache?.get(key);
      if (cached !== undefined) {
        this.counters.cacheHits += 1;
        return Promise.resolve(cached);
      }
    }
    this.counters.calls += 1;
    // One promise per call on the way back (no async function, no await): this runs per request.
    return this.client.checkRequest(request).then(
      (result) => this.#onResult(result, key),
      (err: unknown) => this.#onFailure(err),
    );
  }

  #onResult(result: CheckRequestResult, key: string | undefined): FilterDecision {
    const decision: FilterDecision =
      result.action === 'allow'
        ? { action: 'continue', headersToAdd: result.headersToAdd, upstream: prepareHeaders(result.headersToAdd, this.#invalidHeader) }
        : { action: 'respond', status: result.status, body: result.body ?? '', headers: result.headers };
    if (decision.action === 'continue') this.counters.allowed += 1;
    else this.counters.denied += 1;
    if (key !== undefined) this.#cache?.set(key, decision);
    return decision;
  }

  readonly #invalidHeader = (name: string): void => this.logger.warn({ header: name }, 'a plugin returned an invalid header; not sent');

  #onFailure(err: unknown): FilterDecision {
    this.counters.failures += 1;
    const plugin = this.config.config.plugin;
    const why = err instanceof Error ? err.message : String(err);
    if (this.config.config.failure_mode === 'open') {
      this.counters.failedOpen += 1;
      this.logger.warn({ plugin, err: why }, 'plugin could not decide; letting the request through (failure_mode: open)');
      const headersToAdd = { [FAILURE_OPEN_HEADER]: plugin };
      return { action: 'continue', headersToAdd, upstream: prepareHeaders(headersToAdd, this.#invalidHeader) };
    }
    this.counters.failedClosed += 1;
    this.logger.warn({ plugin, err: why }, 'plugin could not decide; refusing the request (failure_mode: closed)');
    return { action: 'respond', status: this.config.config.failure_status, body: `${this.config.type} plugin "${plugin}" unavailable\n`, headers: undefined };
  }
}

function cacheKey(method: string, path: string, headerValue: string): string {
  return method + ' ' + path + '\0' + headerValue;
}
