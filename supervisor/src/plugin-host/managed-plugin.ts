// One configured plugin over its whole life: launches, heartbeats, restarts.
//
//   starting ──ok──► running ──exit / hang──► backoff ──timer──► starting
//      │                                        │
//      └──fail──► backoff      5 crashes in 60 s └──► failed (until `mosnctl plugin restart`)
//
// A crash is seen at once (process exit); a hang by heartbeats that go unanswered (≤ 3 s).
import type { Logger } from 'pino';
import type { PluginConfig } from '@mosn/config';
import { PLUGIN_RPC_ERROR_CODES, PluginHeartbeat, PluginMetrics, PluginReopenLogs, ResponseError, type MetricsReport } from '@mosn/ipc-protocol';
import type { PluginEndpoint } from '@mosn/worker';
import { Backoff } from '../generation/backoff.js';
import { CrashBreaker } from './crash-breaker.js';
import { describePluginExit, launchPlugin, type HostRequestHandlers, type PluginLaunch } from './plugin-launch.js';

const HEARTBEAT_INTERVAL_MS = 1000;
const HEARTBEAT_TIMEOUT_MS = 1000;
/** Two missed heartbeats in a row: hang detected within about three seconds. */
const MISSED_HEARTBEATS_TO_KILL = 2;
const SHUTDOWN_GRACE_MS = 3000;
/** The SDK's exit code for "my config is invalid": restarting cannot help (sysexits' EX_CONFIG). */
const EXIT_CONFIG_INVALID = 78;

export type PluginState = 'starting' | 'running' | 'backoff' | 'failed' | 'stopped';

export interface ManagedPluginOptions {
  runtimeDir: string;
  /** Launch numbers are unique across the host, so that an old and a new instance never share a socket path. */
  nextLaunchNumber: () => number;
  logger: Logger;
  /** Called whenever the plugin's endpoint appears (running) or goes away. */
  onChange: () => void;
  hostRequests?: HostRequestHandlers;
  /** MOSN's admin.address at the time of each launch. */
  adminAddress?: () => string | undefined;
}

export class ManagedPlugin {
  state: PluginState = 'starting';
  restarts = 0;
  lastExit: string | undefined;
  readonly #logger: Logger;
  readonly #backoff = new Backoff(100, 30_000);
  readonly #breaker = new CrashBreaker();
  #launch: PluginLaunch | undefined;
  #timer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #launchEpoch = 0;

  constructor(
    readonly config: PluginConfig,
    private readonly options: ManagedPluginOptions,
  ) {
    this.#logger = options.logger.child({ component: 'plugin', plugin: config.name });
  }

  get pid(): number | undefined {
    return this.#launch?.pid;
  }

  get socketPath(): string | undefined {
    return this.#launch?.socketPath;
  }

  /** What workers need to call it; undefined while it is not running. */
  endpoint(): PluginEndpoint | undefined {
    const launch = this.#launch;
    if (this.state !== 'running' || launch === undefined) return undefined;
    return { name: this.config.name, socketPath: launch.socketPath, secret: launch.secret, timeoutMs: this.config.timeout };
  }

  /**
   * Strict (a reload): rejects, leaving nothing running, if the plugin cannot start. Tolerant (the
   * proxy's own start): a plugin that cannot start never keeps the proxy from starting; it is
   * reported, retried with backoff (or left `failed` when its config is invalid), and the filters
   * that use it apply their failure mode meanwhile.
   */
  async start(strict: boolean): Promise<void> {
    try {
      await this.#launchOnce();
    } catch (err) {
      if (strict) throw err;
      const message = (err as Error).message;
      this.#logger.error({ err: message }, 'plugin failed to start; the filters that use it apply their failure mode until it runs');
      if (isConfigInvalid(err)) {
        this.state = 'failed';
        this.lastExit = `${message} (not restarting: fix its config and reload)`;
        return;
      }
      this.#scheduleRestart(message);
    }
  }

  /** Operator's restart: resets the breaker and the backoff, replaces a running instance. */
  async restart(): Promise<void> {
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    this.#breaker.reset();
    this.#backoff.reset();
    const old = this.#launch;
    this.#launch = undefined;
    this.state = 'starting';
    this.options.onChange();
    if (old !== undefined) await old.shutdown(SHUTDOWN_GRACE_MS);
    try {
      await this.#launchOnce();
    } catch (err) {
      this.#scheduleRestart((err as Error).message);
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    const launch = this.#launch;
    this.#launch = undefined;
    if (launch !== undefined) {
      const exit = await launch.shutdown(SHUTDOWN_GRACE_MS);
      this.#logger.info({ exit: describePluginExit(exit) }, 'plugin stopped');
    }
  }

  async #launchOnce(): Promise<void> {
    this.state = 'starting';
    const epoch = ++this.#launchEpoch;
    const launch = await launchPlugin(this.config, {
      runtimeDir: this.options.runtimeDir,
      launchNumber: this.options.nextLaunchNumber(),
      logger: this.#logger,
      ...(this.options.hostRequests === undefined ? {} : { hostRequests: this.options.hostRequests }),
      adminAddress: this.options.adminAddress?.(),
    });
    // stop() ran, or another launch (a restart racing a backoff timer) started, while this one was in flight.
    if ((this.state as PluginState) === 'stopped' || epoch !== this.#launchEpoch) {
      await launch.shutdown(SHUTDOWN_GRACE_MS);
      return;
    }
    this.#launch = launch;
    this.#startedAt = Date.now();
    this.state = 'running';
    this.#logger.info({ pid: launch.pid, version: launch.pluginVersion, socket: launch.socketPath }, 'plugin running');
    this.#watch(launch);
    this.options.onChange();
  }

  /** Sends a metrics report to the running instance if it serves `metrics`; true if sent. */
  sendMetrics(report: MetricsReport): boolean {
    const launch = this.#launch;
    if (launch === undefined || !launch.hooks.includes('metrics')) return false;
    Promise.resolve()
      .then(() => launch.connection.sendNotification(PluginMetrics, report))
      .catch(() => undefined);
    return true;
  }

  /** Asks the running instance to reopen its log files, if it serves that hook; true if asked. */
  reopenLogs(): boolean {
    const launch = this.#launch;
    if (launch === undefined || !launch.hooks.includes('reopenLogs')) return false;
    // A closed connection throws synchronously: the plugin is restarting, and opens fresh files anyway.
    Promise.resolve()
      .then(() => launch.connection.sendNotification(PluginReopenLogs))
      .catch(() => undefined);
    return true;
  }

  #watch(launch: PluginLaunch): void {
    let missed = 0;
    let inFlight = false;
    let hung = false;
    clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), HEARTBEAT_TIMEOUT_MS)));
      // sendRequest throws synchronously on a closed connection: inside the chain it is a missed beat.
      const beat = Promise.resolve().then(() => launch.connection.sendRequest(PluginHeartbeat, {}));
      void Promise.race([beat, late])
        .then(
          (answer) => (answer === 'late' ? 1 : 0),
          () => 1,
        )
        .then((miss) => {
          clearTimeout(timer);
          inFlight = false;
          missed = miss === 0 ? 0 : missed + 1;
          if (missed >= MISSED_HEARTBEATS_TO_KILL && this.#launch === launch) {
            this.#logger.error({ pid: launch.pid, missed }, 'plugin does not answer heartbeats; killing it');
            hung = true;
            launch.kill();
          }
        });
    }, HEARTBEAT_INTERVAL_MS);
    this.#heartbeat.unref();

    void launch.exited.then((exit) => {
      if (this.#launch !== launch) return;
      clearInterval(this.#heartbeat);
      this.#launch = undefined;
      const reason = hung ? `hung: ${MISSED_HEARTBEATS_TO_KILL} heartbeats unanswered, killed` : describePluginExit(exit);
      this.#logger.error({ pid: launch.pid, reason }, 'plugin exited');
      this.options.onChange();
      if (exit.code === EXIT_CONFIG_INVALID) {
        this.state = 'failed';
        this.lastExit = `${reason} (its config is invalid; not restarting)`;
        return;
      }
      this.#scheduleRestart(reason);
    });
  }

  #scheduleRestart(reason: string): void {
    if (this.state === 'stopped') return;
    this.lastExit = reason;
    if (this.#breaker.record()) {
      this.state = 'failed';
      this.#logger.error({ crashes: this.#breaker.recent }, 'plugin crash loop: not restarting until `mosnctl plugin restart`');
      return;
    }
    this.state = 'backoff';
    const delay = this.#backoff.next(Date.now() - this.#startedAt);
    this.#timer = setTimeout(() => {
      this.restarts += 1;
      this.#launchOnce().catch((err: unknown) => {
        this.#logger.error({ err: (err as Error).message }, 'plugin restart failed');
        this.#scheduleRestart((err as Error).message);
      });
    }, delay);
  }
}

/** The plugin answered initialize with "invalid config": starting it again cannot help. */
function isConfigInvalid(err: unknown): boolean {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof ResponseError && cause.code === PLUGIN_RPC_ERROR_CODES.invalidConfig;
}
