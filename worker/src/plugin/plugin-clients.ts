import type { Logger } from 'pino';
import type { PluginEndpoint } from '../process/supervisor-channel.js';
import { PluginClient } from './plugin-client.js';

/** One client per configured plugin, kept in step with the endpoints the supervisor announces. */
export class PluginClients {
  readonly #clients = new Map<string, PluginClient>();

  constructor(
    names: readonly string[],
    workerId: number,
    logger: Logger,
  ) {
    for (const name of names) this.#clients.set(name, new PluginClient(name, workerId, logger.child({ component: 'plugin-client', plugin: name })));
  }

  get(name: string): PluginClient | undefined {
    return this.#clients.get(name);
  }

  update(endpoints: readonly PluginEndpoint[]): void {
    for (const [name, client] of this.#clients) client.update(endpoints.find((e) => e.name === name));
  }

  all(): PluginClient[] {
    return [...this.#clients.values()];
  }

  close(): void {
    for (const client of this.#clients.values()) client.close();
  }
}
