// All configured plugins of a supervisor, and the private runtime directory their sockets live in.
import { mkdtemp, rm } from 'node:fs/promises';
import { chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { PluginConfig } from '@mosn/config';
import type { PluginStatus } from '@mosn/ipc-protocol';
import type { PluginEndpoint } from '@mosn/worker';
import { SUPERVISOR_ERROR_CODES, SupervisorError } from '../errors.js';
import { ManagedPlugin } from './managed-plugin.js';

export class PluginHost {
  readonly #plugins = new Map<string, ManagedPlugin>();
  #runtimeDir: string | undefined;

  constructor(
    private readonly logger: Logger,
    /** Called with the full endpoint list whenever a plugin comes up or goes away. */
    private readonly onEndpoints: (endpoints: PluginEndpoint[]) => void,
  ) {}

  /** Starts every plugin; if one cannot start, stops the others and rethrows. */
  async start(configs: readonly PluginConfig[]): Promise<void> {
    if (configs.length === 0) return;
    // 0700: only this user can reach the sockets; the per-launch secret guards the rest.
    this.#runtimeDir = await mkdtemp(path.join(os.tmpdir(), `mosn-${process.pid}-`));
    await chmod(this.#runtimeDir, 0o700);
    for (const config of configs) {
      this.#plugins.set(config.name, new ManagedPlugin(config, { runtimeDir: this.#runtimeDir, logger: this.logger, onChange: () => this.#changed() }));
    }
    const results = await Promise.allSettled([...this.#plugins.values()].map((p) => p.start()));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) {
      await this.stop();
      throw failure.reason;
    }
  }

  endpoints(): PluginEndpoint[] {
    return [...this.#plugins.values()].flatMap((p) => p.endpoint() ?? []);
  }

  status(): PluginStatus[] {
    return [...this.#plugins.values()].map((p) => ({
      name: p.config.name,
      pid: p.pid ?? null,
      state: p.state,
      restarts: p.restarts,
      lastExit: p.lastExit ?? null,
      socket: p.socketPath ?? null,
    }));
  }

  async restart(name: string): Promise<PluginStatus> {
    const plugin = this.#plugins.get(name);
    if (plugin === undefined) {
      const known = [...this.#plugins.keys()].map((n) => `"${n}"`).join(', ') || 'none';
      throw new SupervisorError(SUPERVISOR_ERROR_CODES.pluginUnknown, `no plugin named "${name}" (configured: ${known})`);
    }
    await plugin.restart();
    const status = this.status().find((s) => s.name === name);
    if (status === undefined) throw new Error('unreachable: the plugin was just restarted');
    return status;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#plugins.values()].map((p) => p.stop()));
    if (this.#runtimeDir !== undefined) await rm(this.#runtimeDir, { recursive: true, force: true });
    this.#runtimeDir = undefined;
  }

  #changed(): void {
    this.onEndpoints(this.endpoints());
  }
}
