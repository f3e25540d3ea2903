import type { Logger } from 'pino';
import type { StreamFilterConfig } from '@mosn/config';
import type { CheckRequestParams } from '@mosn/ipc-protocol';
import { MosnWorkerError } from '../../errors.js';
import type { PluginClients } from '../../plugin/plugin-clients.js';
import { NO_HEADERS, prepareHeaders } from './header-lines.js';
import { PluginCheckFilter, type FilterDecision } from './plugin-check-filter.js';

const CONTINUE: FilterDecision = Object.freeze({ action: 'continue', headersToAdd: undefined, upstream: NO_HEADERS });

/**
 * A listener's stream filters, in config order. The first `respond` wins; the headers each
 * `continue` asks for are merged (later filters override earlier ones). The chain is data, built
 * once per config; deciding a request is one small loop.
 */
export class StreamFilterChain {
  readonly filters: PluginCheckFilter[];

  constructor(configs: readonly StreamFilterConfig[], clients: PluginClients, logger: Logger) {
    this.filters = configs.map((config) => {
      const client = clients.get(config.config.plugin);
      if (client === undefined) throw new MosnWorkerError('MOSN_ERR_WORKER_CONFIG', `stream filter "${config.type}" names plugin "${config.config.plugin}", which is not configured`);
      return new PluginCheckFilter(config, client, logger.child({ component: 'stream-filter', filter: config.type }));
    });
  }

  get empty(): boolean {
    return this.filters.length === 0;
  }

  /**
   * When every filter has a cached decision for this request, the combined decision, decided
   * synchronously (the request goes on in the same tick, as without filters); otherwise undefined.
   */
  cached(method: string, path: string, fields: { get(lname: string): string | undefined; count: number; lnames: readonly string[] }): FilterDecision | undefined {
    const decisions: FilterDecision[] = [];
    for (const filter of this.filters) {
      const header = filter.cacheHeader;
      if (header === undefined || repeated(fields, header)) return undefined;
      const decision = filter.cached(method, path, fields.get(header));
      if (decision === undefined) return undefined;
      if (decision.action === 'respond') return decision;
      decisions.push(decision);
    }
    return this.#combine(decisions);
  }

  async decide(request: CheckRequestParams): Promise<FilterDecision> {
    const decisions: FilterDecision[] = [];
    for (const filter of this.filters) {
      const decision = await filter.decide(request);
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

/** Whether a header appears more than once (then the joined value is what the plugin sees). */
function repeated(fields: { count: number; lnames: readonly string[] }, lname: string): boolean {
  let seen = 0;
  for (let i = 0; i < fields.count; i++) if (fields.lnames[i] === lname && ++seen > 1) return true;
  return false;
}
