/**
 * What a plugin author writes: the whole vocabulary of hooks fits here.
 *
 *   serve({ name, version, config?, setup?, hooks: { checkRequest?, call? }, shutdown? })
 *
 * `config` is a zod schema, validated once when the supervisor initializes the plugin; `setup`
 * runs once after that and returns the plugin's state; every hook gets `{ config, state, logger }`.
 */
import type {
  AccessLogBytes,
  AccessLogLines,
  AccessLogRecord,
  AccessLogTarget,
  CallParams,
  CallResult,
  CheckRequestAllow,
  CheckRequestDeny,
  CheckRequestParams,
  CheckRequestResult,
  LogRecordsParams,
  MetricJson,
  MetricsReport,
  PluginHookName,
  RateLimitDescriptor,
  RateLimitDescriptorStatus,
  RateLimitParams,
  RateLimitResult,
} from '@mosn/ipc-protocol';
import type { Logger } from 'pino';
import type { HostApi } from './host-api.js';
import type { z } from 'zod';

export type { HostApi } from './host-api.js';
export type {
  AccessLogBytes,
  AccessLogLines,
  AccessLogRecord,
  AccessLogTarget,
  MetricJson,
  MetricsReport,
  CallResult,
  CheckRequestAllow,
  CheckRequestDeny,
  CheckRequestResult,
  PluginHookName,
  RateLimitDescriptor,
  RateLimitDescriptorStatus,
  RateLimitResult,
};

/** The request a `checkRequest` hook sees; header names are lower-case. */
export type CheckRequest = CheckRequestParams;
/** The request a `call` hook sees (MOSN's `Call{header, body}`). */
export type CallRequest = CallParams;
/** What a `rateLimit` hook sees: Envoy RLS's domain, descriptors and hits addend. */
export type RateLimitRequest = RateLimitParams;
/** A batch of access log records from one worker, as a `logRecords` hook sees it. */
export type LogRecordBatch = LogRecordsParams;

/**
 * A batch of access log lines from one worker, as a `logLines` hook sees it: what a records
 * batch says of itself (`workerId`, `pid`, `seq`, `dropped`, `logs`), and per file with records
 * in this batch its lines, formatted by the worker, each ending with "\n".
 */
export type LogLineBatch = Pick<LogRecordsParams, 'workerId' | 'pid' | 'seq' | 'dropped' | 'logs'> & { readonly lines: readonly AccessLogLines[] };

/**
 * The same batch as a `logBytes` hook sees it: per file, the lines as the bytes they were sent in
 * (a view into the message, nothing decoded), each line ending with a newline byte.
 */
export type LogByteBatch = Pick<LogRecordsParams, 'workerId' | 'pid' | 'seq' | 'dropped' | 'logs'> & { readonly bytes: readonly AccessLogBytes[] };

export type PluginLogger = Logger;

/** Any zod schema; its output type is the config the hooks see. */
export type ConfigSchema = z.ZodType;

export interface SetupContext<Config> {
  readonly config: Config;
  readonly logger: PluginLogger;
  /** The plugin's name in the proxy config (or its own name when not launched by mosnctl). */
  readonly name: string;
  /** Admin actions on the proxy (over the supervisor's connection). */
  readonly host: HostApi;
}

export interface HookContext<Config, State> extends SetupContext<Config> {
  /** What `setup` returned (undefined without `setup`). */
  readonly state: State;
}

type Awaitable<T> = T | Promise<T>;

export interface PluginHooks<Config, State> {
  /** Allow a request (optionally adding headers upstream) or deny it with a status. */
  checkRequest?(request: CheckRequest, context: HookContext<Config, State>): Awaitable<CheckRequestResult>;
  /** The generic call: anything that is not a request check. */
  call?(request: CallRequest, context: HookContext<Config, State>): Awaitable<CallResult>;
  /** Count a request against the limits matching its descriptors (Envoy RLS semantics). */
  rateLimit?(request: RateLimitRequest, context: HookContext<Config, State>): Awaitable<RateLimitResult>;
  /**
   * A batch of access log records (a notification: nobody waits for it). Batches of one worker
   * arrive in order and the hook is called in that order; keep the order by queueing
   * synchronously before any await. A returned promise is waited for at shutdown.
   */
  logRecords?(batch: LogRecordBatch, context: HookContext<Config, State>): Awaitable<void>;
  /**
   * The same batches, formatted: the worker renders each record with its log's `log_format` (or
   * as JSON lines), so the hook only writes text. Cheaper for both processes than records; a
   * plugin with this hook gets lines only (its `logRecords`, if any, is not called). Same order
   * and shutdown rules as `logRecords`.
   */
  logLines?(batch: LogLineBatch, context: HookContext<Config, State>): Awaitable<void>;
  /**
   * The same lines as bytes, for a plugin that writes them as they are: nothing is decoded in the
   * plugin nor encoded in the worker, the cheapest form for both. A plugin with this hook gets
   * bytes only (not `logLines` nor `logRecords`). Same order and shutdown rules as `logRecords`.
   * Each `bytes` may be a view of the connection's receive buffer: valid until the hook returns,
   * or until the promise it returns settles. Copy it (`Buffer.from`) to keep it longer.
   */
  logBytes?(batch: LogByteBatch, context: HookContext<Config, State>): Awaitable<void>;
  /** Reopen log files (the operator rotated them: SIGUSR1 to the supervisor, `mosnctl logs reopen`). */
  reopenLogs?(context: HookContext<Config, State>): Awaitable<void>;
  /** A metrics report from a worker or the host (a notification, every flush interval). */
  metrics?(report: MetricsReport, context: HookContext<Config, State>): Awaitable<void>;
}

export interface PluginDefinition<Schema extends ConfigSchema = z.ZodUnknown, State = undefined> {
  /** The plugin's own name, e.g. `header-check`. */
  readonly name: string;
  /** The plugin's version, printed in the handshake line: 1–64 of [0-9A-Za-z.+_~-], e.g. `1.0.0`. */
  readonly version: string;
  /** zod schema of the plugin's `config` in the proxy config. Default: anything (`z.unknown()`). */
  readonly config?: Schema;
  /** Runs once, after the config is validated; its result is `state` in every hook. */
  setup?(context: SetupContext<z.output<Schema>>): Awaitable<State | void>;
  readonly hooks: PluginHooks<z.output<Schema>, State>;
  /** Runs once on shutdown, after in-flight calls finished (or the bound passed). */
  shutdown?(context: HookContext<z.output<Schema>, State>): Awaitable<void>;
  /** Bound on waiting for in-flight calls, and separately on `shutdown`. Default 5000 ms. */
  readonly shutdownTimeoutMs?: number;
}
