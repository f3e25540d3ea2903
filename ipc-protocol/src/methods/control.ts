/**
 * The control socket's methods: `mosnctl` calls them, the supervisor serves them.
 * Each is declared once here and imported by both sides, so a name or a type cannot drift.
 */
import { ParameterStructures, RequestType, RequestType0 } from 'vscode-jsonrpc/node';

export type WorkerState = 'starting' | 'ready' | 'draining' | 'exited';

export interface WorkerStatus {
  readonly id: number;
  readonly pid: number;
  readonly generation: number;
  readonly state: WorkerState;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly restarts: number;
  readonly connectionsActive: number;
  readonly connectionsTotal: number;
  readonly requestsTotal: number;
  /** Access log records the worker dropped (queue full, logging plugin away or not acknowledging). */
  readonly accessLogDropped: number;
  /** Between the supervisor's last two samples (every metrics flush interval); 0 before two. */
  readonly requestsPerSecond: number;
}

export interface SupervisorStatus {
  readonly pid: number;
  readonly version: string;
  readonly configPath: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly generation: number;
  /** The supervisor's lifecycle stage, as the supervisor names it. */
  readonly state: string;
  readonly reloads: { readonly ok: number; readonly failed: number };
  /**
   * Served since the supervisor started, over every worker that ever ran (the live ones and the
   * ones that exited), so that it never goes backwards across reloads and restarts.
   */
  readonly totals: { readonly requests: number; readonly connections: number; readonly accessLogDropped: number };
}

export interface ListenerStatus {
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

export interface PluginStatus {
  readonly name: string;
  readonly pid: number | null;
  /** `starting`, `running`, `backoff` (waiting to restart), `failed` (crash loop: restart by hand), `stopped`. */
  readonly state: string;
  readonly restarts: number;
  readonly lastExit: string | null;
  readonly socket: string | null;
}

export interface StatusResult {
  readonly supervisor: SupervisorStatus;
  readonly workers: WorkerStatus[];
  readonly listeners: ListenerStatus[];
  readonly plugins: PluginStatus[];
}

export interface StopParams {
  /** true: drain workers and plugins within their timeouts; false: stop them at once. */
  readonly graceful: boolean;
}

/** The supervisor answers, then stops; the caller waits for the supervisor's pid to be gone. */
export interface StopResult {
  readonly accepted: true;
}

/** `control/status`: a snapshot of the supervisor, its workers and its listeners. */
export const ControlStatus = new RequestType0<StatusResult, void>('control/status');

/** `control/stop`: stop the supervisor and everything it started. */
export const ControlStop = new RequestType<StopParams, StopResult, void>('control/stop', ParameterStructures.byName);

export interface ReloadParams {
  /** Config file to load; default: the file the supervisor was started with (re-read from disk). */
  readonly configPath?: string;
}

export interface ReloadResult {
  readonly generation: number;
  /** Pids of the new generation, all ready. */
  readonly pids: number[];
  /** Pids of the old generation, now draining. */
  readonly draining: number[];
  readonly durationMs: number;
  readonly listenersAdded: string[];
  readonly listenersRemoved: string[];
  /** Plugins started by this reload (added, or changed config or executable); the old instances stop after workers moved. */
  readonly pluginsStarted: string[];
  readonly pluginsRemoved: string[];
}

/**
 * Data of the `ResponseError` a failed reload answers with. Nothing changed: the old generation
 * keeps serving.
 */
export interface ReloadErrorData {
  /** The stable error code (`MOSN_ERR_CONFIG_INVALID`, `MOSN_ERR_WORKER_START`, `MOSN_ERR_RELOAD_IN_PROGRESS`, …). */
  readonly code: string;
  /** Last lines of the failing worker's output, when a worker failed. */
  readonly workerLog: string[];
}

/** `control/reload`: start a new generation from the config on disk, then drain the old one. */
export const ControlReload = new RequestType<ReloadParams, ReloadResult, ReloadErrorData>('control/reload', ParameterStructures.byName);

/** `control/pluginList`: every configured plugin and its state. */
export const ControlPluginList = new RequestType0<PluginStatus[], void>('control/pluginList');

export interface PluginRestartParams {
  readonly name: string;
}

/** `control/pluginRestart`: replace a plugin's process and reset its crash-loop breaker. */
export const ControlPluginRestart = new RequestType<PluginRestartParams, PluginStatus, { code: string }>(
  'control/pluginRestart',
  ParameterStructures.byName,
);

export interface ReopenLogsResult {
  /** The plugins asked to reopen their files (those serving the `reopenLogs` hook). */
  readonly plugins: string[];
}

/** `control/reopenLogs` (`mosnctl logs reopen`, or SIGUSR1): logging plugins reopen their files. */
export const ControlReopenLogs = new RequestType0<ReopenLogsResult, void>('control/reopenLogs');
