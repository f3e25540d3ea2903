// The master process: validates the config, owns the listening sockets, runs generations of
// workers, serves the control socket. It never touches user traffic.
//
// Reload (transactional; the old generation is untouched until the new one is fully ready):
//
//   load + validate ──► bind new addresses ──► fork generation N+1 ──► all ready? ──no──► kill N+1,
//        │ invalid: nothing changes                                      │                close what
//        ▼                                                               yes              was bound,
//      error                                                             ▼                error
//                                                  N+1 serves; N drains in the background;
//                                                  after N exits, sockets nobody uses are closed
import path from 'node:path';
import type { Logger } from 'pino';
import { loadConfig, type ListenerConfig, type MosnConfig } from '@mosn/config';
import type { HostState, ReloadResult, StatusResult } from '@mosn/ipc-protocol';
import { HostReporter } from './metrics/host-reporter.js';
import { redactConfig } from './metrics/redact.js';
import type { PluginEndpoint, WorkerCounters } from '@mosn/worker';
import { ControlServer } from './control/control-server.js';
import { controlSocketPath } from './control/socket-path.js';
import { SUPERVISOR_ERROR_CODES, SupervisorError } from './errors.js';
import { Generation } from './generation/generation.js';
import type { RawOutput } from './generation/output-forwarder.js';
import type { WorkerProcess } from './generation/worker-process.js';
import { ListenerSockets, socketKey, type BoundListener } from './listener/listener-sockets.js';
import { removePidFile, writePidFile } from './pid-file.js';
import { PluginHost } from './plugin-host/plugin-host.js';
import type { Stage } from './stages.js';
import { VERSION } from './version.js';
import { workerEntry } from './worker-entry.js';

/** Generations allowed to drain at once; beyond it the oldest is killed (nginx keeps them unbounded and leaks). */
const MAX_DRAINING_GENERATIONS = 2;

export interface SupervisorOptions {
  configPath: string;
  /** Overrides `workers.count` from the config (mosnctl start --workers N); kept across reloads. */
  workers?: number | undefined;
  logger: Logger;
  /** Where worker output goes (the supervisor's own stdout, line by line). */
  output: RawOutput;
}

export class Supervisor {
  stage: Stage = 'loading-config';
  readonly startedAt = Date.now();
  readonly #logger: Logger;
  readonly #listeners = new ListenerSockets();
  readonly #draining = new Set<Generation>();
  /** What exited workers served, so totals never go backwards. */
  readonly #retired: WorkerCounters = { connectionsActive: 0, connectionsTotal: 0, requestsTotal: 0, accessLogDropped: 0 };
  readonly #reloads = { ok: 0, failed: 0 };
  readonly #plugins: PluginHost;
  #configPath: string;
  #config: MosnConfig | undefined;
  #control: ControlServer | undefined;
  #current: Generation | undefined;
  #generationCounter = 0;
  readonly #hostReporter = new HostReporter();
  #reportTimer: NodeJS.Timeout | undefined;
  #stopping: Promise<void> | undefined;
  /** The reload in progress, if any: a stop waits for it so that nothing it starts is left behind. */
  #reloading: Promise<unknown> | undefined;
  #resolveStopped!: () => void;
  /** Resolves once the supervisor has fully stopped (workers gone, sockets closed). */
  readonly stopped = new Promise<void>((resolve) => (this.#resolveStopped = resolve));

  constructor(private readonly options: SupervisorOptions) {
    this.#logger = options.logger.child({ component: 'supervisor' });
    this.#configPath = path.resolve(options.configPath);
    this.#plugins = new PluginHost(options.logger, (endpoints) => this.#broadcastPlugins(endpoints), {
      setLogLevel: (level) => this.setLogLevel(level),
    });
  }

  get config(): MosnConfig | undefined {
    return this.#config;
  }

  /** Runs the start-up stages; on failure undoes what was done and rethrows (nothing is left running). */
  async start(): Promise<void> {
    try {
      this.stage = 'loading-config';
      const config = await loadConfig(this.#configPath);
      this.#config = config;
      this.options.logger.level = config.log_level;

      this.stage = 'opening-control-socket';
      this.#control = await ControlServer.open(controlSocketPath(config), this, this.options.logger);

      this.stage = 'binding-listeners';
      const { bound } = await this.#listeners.bindAll(config.listeners);

      this.stage = 'starting-plugins';
      this.#plugins.adminAddress = config.admin_address;
      await this.#plugins.start(config.plugins);

      this.stage = 'starting-workers';
      const generation = this.#newGeneration(config, bound);
      await generation.start();
      this.#current = generation;

      if (config.pid !== undefined) await writePidFile(config.pid, process.pid);
      this.stage = 'running';
      this.#startReporting(config);
      this.#logger.info({ workers: generation.pids, listeners: describeListeners(bound) }, 'mosn started');
    } catch (err) {
      await this.#current?.stop();
      await this.#plugins.stop();
      await this.#teardown();
      throw err;
    }
  }

  /**
   * Replaces the serving generation with one built from the config on disk (and the worker code on
   * disk). Throws, with nothing changed, when the config is invalid or a new worker fails to start.
   */
  reload(configPath?: string): Promise<ReloadResult> {
    const reloading = this.#reload(configPath);
    this.#reloading = reloading.catch(() => undefined);
    return reloading;
  }

  async #reload(configPath?: string): Promise<ReloadResult> {
    if (this.stage !== 'running') {
      const why = this.stage === 'reloading' ? 'another reload is in progress' : `the supervisor is ${this.stage}`;
      throw new SupervisorError(SUPERVISOR_ERROR_CODES.reloadRefused, `reload refused: ${why}`);
    }
    this.stage = 'reloading';
    const started = Date.now();
    const file = configPath === undefined ? this.#configPath : path.resolve(configPath);
    this.#logger.info({ config: file }, 'reload started');
    let added: string[] = [];
    try {
      const config = await loadConfig(file);
      const sockets = await this.#listeners.bindAll(config.listeners);
      added = sockets.added;
      this.#plugins.adminAddress = config.admin_address;
      const plugins = await this.#plugins.prepare(config.plugins);
      const generation = this.#newGeneration(config, sockets.bound);
      try {
        await generation.start();
      } catch (err) {
        await plugins.rollback();
        throw err;
      }
      const old = this.#current;
      this.#current = generation;
      const draining = old === undefined ? [] : this.#drainInBackground(old);
      // After the swap, so that the switch to new plugin instances reaches the new workers and
      // the draining ones alike.
      plugins.commit();
      this.#config = config;
      this.#configPath = file;
      this.options.logger.level = config.log_level;
      // The new config may turn metrics on or off, or change their flush interval.
      clearInterval(this.#reportTimer);
      this.#reportTimer = undefined;
      this.#startReporting(config);
      const removed = listenersMissingFrom(old?.config.listeners ?? [], config.listeners);
      this.#reloads.ok += 1;
      const result: ReloadResult = {
        generation: generation.number,
        pids: generation.pids,
        draining,
        durationMs: Date.now() - started,
        listenersAdded: listenersMissingFrom(config.listeners, old?.config.listeners ?? []),
        listenersRemoved: removed,
        pluginsStarted: plugins.started,
        pluginsRemoved: plugins.removed,
      };
      this.#logger.info(result, 'reload done');
      return result;
    } catch (err) {
      this.#listeners.closeKeys(added);
      this.#reloads.failed += 1;
      this.#logger.error({ err }, 'reload failed; the serving generation is unchanged');
      throw err;
    } finally {
      if (this.stage === 'reloading') this.stage = 'running';
    }
  }

  /** Graceful: drain workers up to workers.drain_timeout. Fast: close everything now. Idempotent. */
  stop(graceful: boolean): Promise<void> {
    this.#stopping ??= this.#stop(graceful);
    return this.#stopping;
  }

  async status(): Promise<StatusResult> {
    const generations = [...this.#draining, ...(this.#current === undefined ? [] : [this.#current])];
    const workers = (await Promise.all(generations.map((g) => g.status()))).flat();
    const live = generations.flatMap((g) => g.workers()).filter((w) => w.state !== 'exited');
    return {
      supervisor: {
        pid: process.pid,
        version: VERSION,
        configPath: this.#configPath,
        startedAt: this.startedAt,
        generation: this.#current?.number ?? 0,
        state: this.stage,
        reloads: { ...this.#reloads },
        totals: {
          requests: this.#retired.requestsTotal + sum(live, (w) => w.lastCounters.requestsTotal),
          connections: this.#retired.connectionsTotal + sum(live, (w) => w.lastCounters.connectionsTotal),
          accessLogDropped: this.#retired.accessLogDropped + sum(live, (w) => w.lastCounters.accessLogDropped ?? 0),
        },
      },
      workers,
      listeners: (this.#current?.listeners ?? []).map((l) => ({ name: l.name, address: l.address, port: l.port })),
      plugins: this.#plugins.status(),
    };
  }

  pluginStatus(): ReturnType<PluginHost['status']> {
    return this.#plugins.status();
  }

  /** `host/setLogLevel` from a management plugin: the supervisor's and every worker's loggers. */
  setLogLevel(level: string): { previous: string; level: string } {
    const previous = this.options.logger.level;
    this.options.logger.level = level;
    this.#logger.level = level;
    for (const generation of [...this.#draining, ...(this.#current === undefined ? [] : [this.#current])]) {
      for (const worker of generation.workers()) worker.setLogLevel(level);
      // A worker that this generation starts later (a restart after a crash) starts at this level
      // too; the next reload takes the level from the config file again.
      generation.config.log_level = level as MosnConfig['log_level'];
    }
    this.#logger.info({ previous, level }, 'log level changed');
    return { previous, level };
  }

  /** Every flush interval: sample the workers (requests/s, metrics), then report to management plugins. */
  #startReporting(config: MosnConfig): void {
    if (!config.metrics.enabled) return;
    let busy = false;
    this.#reportTimer = setInterval(() => {
      if (busy || this.stage === 'stopping' || this.stage === 'stopped') return;
      busy = true;
      void this.#report()
        .catch((err: unknown) => this.#logger.warn({ err }, 'metrics report failed'))
        .finally(() => (busy = false));
    }, config.metrics.flush_interval);
    this.#reportTimer.unref();
  }

  async #report(): Promise<void> {
    const generations = [...this.#draining, ...(this.#current === undefined ? [] : [this.#current])];
    await Promise.all(generations.map((g) => g.sample()));
    const status = await this.status();
    const current = this.#current;
    const ready = this.stage === 'running' && current !== undefined && current.workers().every((w) => w.state === 'ready');
    const state: HostState = {
      supervisor: status.supervisor,
      workers: status.workers,
      listeners: status.listeners,
      plugins: status.plugins,
      ready,
      config: redactConfig(this.#config),
      logLevel: this.options.logger.level,
    };
    const report = await this.#hostReporter.report(
      {
        generation: current?.number ?? 0,
        reloads: { ...this.#reloads },
        workerRestarts: generations.reduce((n, g) => n + g.restarts, 0),
        pluginRestarts: this.#plugins.restartCounts(),
      },
      state,
      this.#config?.metrics.flush_interval,
    );
    this.#plugins.sendMetrics(report);
  }

  /** SIGUSR1 and `mosnctl logs reopen`: the logging plugins reopen their files. */
  reopenLogs(): string[] {
    const plugins = this.#plugins.reopenLogs();
    this.#logger.info({ plugins }, plugins.length === 0 ? 'reopen logs: no running plugin serves reopenLogs' : 'reopen logs: asked the logging plugins');
    return plugins;
  }

  pluginRestart(name: string): ReturnType<PluginHost['restart']> {
    return this.#plugins.restart(name);
  }

  #broadcastPlugins(endpoints: PluginEndpoint[]): void {
    for (const generation of [...this.#draining, ...(this.#current === undefined ? [] : [this.#current])]) {
      for (const worker of generation.workers()) worker.updatePlugins(endpoints);
    }
  }

  #newGeneration(config: MosnConfig, listeners: BoundListener[]): Generation {
    this.#generationCounter += 1;
    return new Generation({
      number: this.#generationCounter,
      config,
      workerCount: this.options.workers ?? config.workers.count,
      entry: workerEntry(),
      listeners,
      logger: this.options.logger,
      output: this.options.output,
      readyTimeoutMs: config.workers.ready_timeout,
      plugins: () => this.#plugins.endpoints(),
      onWorkerExit: (worker) => this.#retire(worker),
    });
  }

  #retire(worker: WorkerProcess): void {
    void this.#hostReporter.retire(worker.lastMetrics);
    this.#retired.requestsTotal += worker.lastCounters.requestsTotal;
    this.#retired.connectionsTotal += worker.lastCounters.connectionsTotal;
    this.#retired.accessLogDropped += worker.lastCounters.accessLogDropped ?? 0;
  }

  /** Drains `old` without waiting; returns its pids. Keeps at most MAX_DRAINING_GENERATIONS. */
  #drainInBackground(old: Generation): number[] {
    const pids = old.pids;
    this.#draining.add(old);
    const deadline = Date.now() + old.config.workers.drain_timeout;
    void old.drain(deadline).then(() => {
      this.#draining.delete(old);
      this.#closeUnusedSockets();
      this.#logger.info({ generation: old.number, pids }, 'old generation drained');
    });
    while (this.#draining.size > MAX_DRAINING_GENERATIONS) {
      const oldest = [...this.#draining][0];
      if (oldest === undefined) break;
      this.#draining.delete(oldest);
      this.#logger.warn({ generation: oldest.number, pids: oldest.pids }, 'too many generations draining; killing the oldest');
      void oldest.kill().then(() => this.#closeUnusedSockets());
    }
    return pids;
  }

  #closeUnusedSockets(): void {
    if (this.stage === 'stopping' || this.stage === 'stopped') return;
    const inUse = [...this.#draining, ...(this.#current === undefined ? [] : [this.#current])].map((g) => g.config.listeners);
    const closed = this.#listeners.closeUnused(inUse);
    if (closed.length > 0) this.#logger.info({ closed }, 'closed listening sockets no longer configured');
  }


  async #stop(graceful: boolean): Promise<void> {
    await this.#reloading;
    this.stage = 'stopping';
    clearInterval(this.#reportTimer);
    const drainMs = this.#config?.workers.drain_timeout ?? 30_000;
    this.#logger.info({ graceful, drainMs: graceful ? drainMs : 0 }, 'mosn stopping');
    const generations = [...this.#draining, ...(this.#current === undefined ? [] : [this.#current])];
    await Promise.all(generations.map((g) => (graceful ? g.drain(Date.now() + drainMs) : g.stop())));
    // Plugins last: draining workers may still call them.
    await this.#plugins.stop();
    await this.#teardown();
    this.#logger.info('mosn stopped');
  }

  async #teardown(): Promise<void> {
    this.#listeners.closeAll();
    await this.#control?.close();
    this.#control = undefined;
    if (this.#config?.pid !== undefined) await removePidFile(this.#config.pid, process.pid);
    this.stage = 'stopped';
    this.#resolveStopped();
  }
}

/** Names of the listeners of `these` whose address `others` does not have. */
function listenersMissingFrom(these: readonly ListenerConfig[], others: readonly ListenerConfig[]): string[] {
  return these.filter((l) => !hasAddress(others, l)).map((l) => l.name);
}

function hasAddress(listeners: readonly ListenerConfig[], listener: ListenerConfig): boolean {
  const key = socketKey(listener);
  return listeners.some((l) => socketKey(l) === key);
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((n, item) => n + value(item), 0);
}

function describeListeners(bound: readonly BoundListener[]): string[] {
  return bound.map((l) => `${l.name} ${l.address} (port ${l.port})`);
}
