import type { Logger } from 'pino';
import type { StreamFilterConfig } from '@mosn/config';
import type { CheckRequestParams } from '@mosn/ipc-protocol';
import { MosnWorkerError } from '../../errors.js';
import type { PluginClients } from '../../plugin/plugin-clients.js';
import { PluginCheckFilter, type FilterDecision } from './plugin-check-filter.js';

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
  cached(getHeader: (lowerCaseName: string) => string | undefined): FilterDecision | undefined {
    let headersToAdd: Record<string, string> | undefined;
    for (const filter of this.filters) {
      const decision = filter.cached(getHeader);
      if (decision === undefined) return undefined;
      if (decision.action === 'respond') return decision;
      if (decision.headersToAdd !== undefined) headersToAdd = { ...headersToAdd, ...decision.headersToAdd };
    }
    return { action: 'continue', headersToAdd };
  }

  async decide(request: CheckRequestParams): Promise<FilterDecision> {
    let headersToAdd: Record<string, string> | undefined;
    for (const filter of this.filters) {
      const decision = await filter.decide(request);
      if (decision.action === 'respond') return decision;
      if (decision.headersToAdd !== undefined) headersToAdd = { ...headersToAdd, ...decision.headersToAdd };
    }
    return { action: 'continue', headersToAdd };
  }
}
