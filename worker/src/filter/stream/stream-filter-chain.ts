import type { Logger } from 'pino';
import type { StreamFilterConfig } from '@mosn/config';
import { MosnWorkerError } from '../../errors.js';
import type { PluginClient } from '../../plugin/plugin-client.js';
import type { PluginClients } from '../../plugin/plugin-clients.js';
import type { PluginRequest } from '../../plugin/plugin-request.js';
import { NO_HEADERS, prepareHeaders } from './header-lines.js';
import { LocalRateLimitFilter } from './local-rate-limit-filter.js';
import { PluginCheckFilter, type FilterDecision } from './plugin-check-filter.js';
import { RateLimitFilter } from './rate-limit-filter.js';

const CONTINUE: FilterDecision = Object.freeze({ action: 'continue', headersToAdd: undefined, upstream: NO_HEADERS });

/** A filter that decides requests; `access_log` only observes and lives beside the chain. */
export type DecisionFilter = PluginCheckFilter | RateLimitFilter | LocalRateLimitFilter;

/**
 * A listener's deciding stream filters, in config order. The first `respond` wins; the headers
 * each `continue` asks for are merged (later filters override earlier ones). The chain is data,
 * built once per config; deciding a request is one small loop.
 *
 *   cached():  every check filter has a cached decision and no filter needs an RPC
 *              → decided in this tick (token buckets taken in order), no promise
 *   decide():  otherwise, filter by filter, awaiting those that ask a plugin
 */
export class StreamFilterChain {
  readonly filters: DecisionFilter[];
  /** A global rate limit always asks its plugin: no synchronous path. */
  readonly #alwaysAsks: boolean;

  constructor(configs: readonly StreamFilterConfig[], clients: PluginClients, logger: Logger) {
    this.filters = [];
    for (const config of configs) {
      const log = logger.child({ component: 'stream-filter', filter: config.type });
      switch (config.type) {
        case 'auth':
        case 'plugin':
          this.filters.push(new PluginCheckFilter(config, clientFor(config.type, config.config.plugin, clients), log));
          break;
        case 'rate_limit':
          this.filters.push(new RateLimitFilter(config.config, clientFor(config.type, config.config.plugin, clients), log));
          break;
        case 'local_rate_limit':
          this.filters.push(new LocalRateLimitFilter(config.config));
          break;
        case 'access_log':
          break;
      }
    }
    this.#alwaysAsks = this.filters.some((f) => f instanceof RateLimitFilter);
  }

  get empty(): boolean {
    return this.filters.length === 0;
  }

  /**
   * When the request can be decided in this tick (see above), the combined decision; otherwise
   * undefined, and nothing was taken (no token bucket touched), so decide() starts afresh.
   */
  cached(method: string, path: string, fields: { get(lname: string): string | undefined; count: number; lnames: readonly string[] }): FilterDecision | undefined {
    if (this.#alwaysAsks) return undefined;
    const filters = this.filters;
    let found: (FilterDecision | undefined)[] | undefined;
    for (let i = 0; i < filters.length; i++) {
      const filter = filters[i] as DecisionFilter;
      if (!(filter instanceof PluginCheckFilter)) continue;
      const header = filter.cacheHeader;
      if (header === undefined || repeated(fields, header)) return undefined;
      const decision = filter.cached(method, path, fields.get(header));
      if (decision === undefined) return undefined;
      found ??= new Array<FilterDecision | undefined>(filters.length);
      found[i] = decision;
    }
    const decisions: FilterDecision[] = [];
    for (let i = 0; i < filters.length; i++) {
      const filter = filters[i] as DecisionFilter;
      const decision = filter instanceof LocalRateLimitFilter ? filter.take() : (found?.[i] as FilterDecision);
      if (decision.action === 'respond') return decision;
      decisions.push(decision);
    }
    return this.#combine(decisions);
  }

  decide(request: PluginRequest): Promise<FilterDecision> {
    // One filter that asks a plugin (the common case): its decision is the chain's, with no
    // async wrapper around it.
    const only = this.filters.length === 1 ? this.filters[0] : undefined;
    if (only === undefined || only instanceof LocalRateLimitFilter) return this.#decideEach(request);
    // The filters' decide() is not async: a throw must still reach the caller as a rejection
    // (the connection is paused for the decision and must get an answer).
    try {
      return only.decide(request);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async #decideEach(request: PluginRequest): Promise<FilterDecision> {
    const decisions: FilterDecision[] = [];
    for (const filter of this.filters) {
      const decision = filter instanceof LocalRateLimitFilter ? filter.take() : await filter.decide(request);
      if (decision.action === 'respond') return decision;
      decisions.push(decision);
    }
    return this.#combine(decisions);
  }

  /** All `continue`: one filter's headers are used as prepared; several are merged (later ones win). */
  #combine(decisions: readonly FilterDecision[]): FilterDecision {
    const adding = decisions.filter((d) => d.action === 'continue' && d.headersToAdd !== undefined);
    if (adding.length === 0) return CONTINUE;
    if (adding.length === 1) return adding[0] as FilterDecision;
    const headersToAdd = Object.assign({}, ...adding.map((d) => (d.action === 'continue' ? d.headersToAdd : undefined))) as Record<string, string>;
    return { action: 'continue', headersToAdd, upstream: prepareHeaders(headersToAdd, () => undefined) };
  }
}

function clientFor(type: string, plugin: string, clients: PluginClients): PluginClient {
  const client = clients.get(plugin);
  if (client === undefined) throw new MosnWorkerError('MOSN_ERR_WORKER_CONFIG', `stream filter "${type}" names plugin "${plugin}", which is not configured`);
  return client;
}

/** Whether a header appears more than once (then the joined value is what the plugin sees). */
function repeated(fields: { count: number; lnames: readonly string[] }, lname: string): boolean {
  let seen = 0;
  for (let i = 0; i < fields.count; i++) if (fields.lnames[i] === lname && ++seen > 1) return true;
  return false;
}
