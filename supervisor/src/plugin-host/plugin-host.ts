// All configured plugins of a supervisor, and the private runtime directory their sockets live in.
//
// Reload replaces plugins like workers: prepare() starts an instance for every added or changed
// plugin next to the running ones; commit() switches workers to them and, after the workers had
// time to move their calls, shuts the old instances down; rollback() drops what prepare() started.
// Plugins whose config and executable did not change keep running (same pid).
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { PluginConfig } from '@mosn/config';
import type { MetricsReport, PluginStatus } from '@mosn/ipc-protocol';
import type { PluginEndpoint } from '@mosn/worker';
import { SUPERVISOR_ERROR_CODES, SupervisorError } from '../errors.js';
import { ManagedPlugin } from './managed-plugin.js';
import type { HostRequestHandlers } from './plugin-launch.js';
import { pluginFingerprint } from './plugin-fingerprint.js';
import { removeStaleRuntimeDirs } from './stale-runtime-dirs.js';

/** Extra time, beyond a plugin's call timeout, that workers get to move to a new instance. */
const SWITCH_GRACE_MS = 2000;

export interface PluginChange {
  readonly started: string[];
  readonly removed: string[];
  commit(): void;
  rollback(): Promise<void>;
}

interface Entry {
  plugin: ManagedPlugin;
  fingerprint: string;
}

export class PluginHost {
  readonly #plugins = new Map<string, Entry>();
  #runtimeDir: string | undefined;
  #launches = 0;
  /** Replaced instances waiting out their switch grace; stop() must not forget them. */
  readonly #retiring = new Set<ManagedPlugin>();
  readonly #retireTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly logger: Logger,
    /** Called with the full endpoint list whenever a plugin comes up or goes away. */
    private readonly onEndpoints: (endpoints: PluginEndpoint[]) => void,
    /** What plugins may ask of the host (admin actions). */
    private readonly hostRequests?: HostRequestHandlers,
  ) {}

  /** MOSN's admin.address from the config in force (set before plugins start or are replaced). */
  adminAddress: string | undefined;

  /** A metrics report to every running plugin that serves `metrics`. */
  sendMetrics(report: MetricsReport): void {
    for (const { plugin } of this.#plugins.values()) plugin.sendMetrics(report);
  }

  /** Restarts of every plugin so far, by name. */
  restartCounts(): { name: string; restarts: number }[] {
    return [...this.#plugins.values()].map(({ plugin }) => ({ name: plugin.config.name, restarts: plugin.restarts }));
  }

  /** Starts every plugin; one that cannot start is reported and retried, never fatal (see ManagedPlugin.start). */
  async start(configs: readonly PluginConfig[]): Promise<void> {
    const change = await this.prepare(configs, false);
    change.commit();
  }

  /**
   * Starts instances for added and changed plugins; nothing switches until commit(). Strict (a
   * reload): if one cannot start, what was started is stopped and the error rethrown.
   */
  async prepare(configs: readonly PluginConfig[], strict = true): Promise<PluginChange> {
    const fresh: [string, Entry][] = [];
    for (const config of configs) {
      const fingerprint = await pluginFingerprint(config, this.adminAddress);
      if (this.#plugins.get(config.name)?.fingerprint === fingerprint) continue;
      fresh.push([config.name, { plugin: await this.#create(config), fingerprint }]);
    }
    const results = await Promise.allSettled(fresh.map(([, e]) => e.plugin.start(strict)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const stopFresh = async (): Promise<void> => void (await Promise.all(fresh.map(([, e]) => e.plugin.stop())));
    if (failure !== undefined) {
      await stopFresh();
      throw failure.reason;
    }
    const removed = [...this.#plugins.keys()].filter((name) => !configs.some((c) => c.name === name));
    return {
      started: fresh.map(([name]) => name),
      removed,
      commit: () => this.#commit(fresh, removed),
      rollback: stopFresh,
    };
  }

  endpoints(): PluginEndpoint[] {
    return [...this.#plugins.values()].flatMap((e) => e.plugin.endpoint() ?? []);
  }

  status(): PluginStatus[] {
    return [...this.#plugins.values()].map(({ plugin: p }) => ({
      name: p.config.name,
      pid: p.pid ?? null,
      state: p.state,
      restarts: p.restarts,
      lastExit: p.lastExit ?? null,
      socket: p.socketPath ?? null,
    }));
  }

  /** Asks every plugin that serves `reopenLogs` to reopen its files (logrotate); returns their names. */
  reopenLogs(): string[] {
    return [...this.#plugins.values()].filter((e) => e.plugin.reopenLogs()).map((e) => e.plugin.config.name);
  }

  async restart(name: string): Promise<PluginStatus> {
    const entry = this.#plugins.get(name);
    if (entry === undefined) {
      const known = [...this.#plugins.keys()].map((n) => `"${n}"`).join(', ') || 'none';
      throw new SupervisorError(SUPERVISOR_ERROR_CODES.pluginUnknown, `no plugin named "${name}" (configured: ${known})`);
    }
    await entry.plugin.restart();
    const status = this.status().find((s) => s.name === name);
    if (status === undefined) throw new Error('unreachable: the plugin was just restarted');
    return status;
  }

  async stop(): Promise<void> {
    for (const timer of this.#retireTimers) clearTimeout(timer);
    this.#retireTimers.clear();
    const all = [...[...this.#plugins.values()].map((e) => e.plugin), ...this.#retiring];
    this.#retiring.clear();
    await Promise.all(all.map((plugin) => plugin.stop()));
    this.#plugins.clear();
    if (this.#runtimeDir !== undefined) await rm(this.#runtimeDir, { recursive: true, force: true });
    this.#runtimeDir = undefined;
  }

  #commit(fresh: readonly [string, Entry][], removed: readonly string[]): void {
    const retired: Entry[] = [];
    for (const [name, entry] of fresh) {
      const old = this.#plugins.get(name);
      if (old !== undefined) retired.push(old);
      this.#plugins.set(name, entry);
    }
    for (const name of removed) {
      const old = this.#plugins.get(name);
      if (old !== undefined) retired.push(old);
      this.#plugins.delete(name);
    }
    this.#changed();
    if (retired.length === 0) return;
    // Workers finish calls already sent to the old instance (each ends within its timeout), then move.
    const grace = Math.max(...retired.map((e) => e.plugin.config.timeout)) + SWITCH_GRACE_MS;
    for (const { plugin } of retired) this.#retiring.add(plugin);
    const timer = setTimeout(() => {
      this.#retireTimers.delete(timer);
      for (const { plugin } of retired) {
        this.logger.info({ plugin: plugin.config.name, pid: plugin.pid }, 'stopping the replaced plugin instance');
        void plugin.stop().finally(() => this.#retiring.delete(plugin));
      }
    }, grace);
    this.#retireTimers.add(timer);
  }

  async #create(config: PluginConfig): Promise<ManagedPlugin> {
    if (this.#runtimeDir === undefined) {
      const stale = await removeStaleRuntimeDirs(os.tmpdir());
      if (stale.length > 0) this.logger.info({ removed: stale }, 'removed the plugin socket directories of supervisors that no longer run');
      // 0700: only this user can reach the sockets; the per-launch secret guards the rest.
      this.#runtimeDir = await mkdtemp(path.join(os.tmpdir(), `mosn-${process.pid}-`));
      await chmod(this.#runtimeDir, 0o700);
    }
    return new ManagedPlugin(config, {
      runtimeDir: this.#runtimeDir,
      nextLaunchNumber: () => ++this.#launches,
      logger: this.logger,
      onChange: () => this.#changed(),
      ...(this.hostRequests === undefined ? {} : { hostRequests: this.hostRequests }),
      adminAddress: () => this.adminAddress,
    });
  }

  #changed(): void {
    this.onEndpoints(this.endpoints());
  }
}
