/**
 * `@mosn/plugin-sdk/testing`: runs a plugin's hooks in-process, without sockets or a
 * supervisor, the way fastify's `inject` runs routes. Config validation, setup, result checks
 * and shutdown are the very code `serve` runs, so a test sees what the proxy would get; only
 * the wire is skipped.
 *
 *   const plugin = await createTestPlugin(definition, { config: { header: 'x-team' } });
 *   const result = await plugin.checkRequest({ path: '/api', headers: { 'X-Team': 'a' } });
 *   await plugin.close();
 *
 * `launchTestPlugin(script, { config })` does the same against the plugin's real executable.
 */
import type { PluginHookName } from '@mosn/ipc-protocol';
import type { z } from 'zod';
import { createPluginLogger } from './logger.js';
import { PluginRuntime } from './plugin-runtime.js';
import type { AnyPluginDefinition } from './definition.js';
import { toCallParams, toCheckRequestParams, toLogByteBatch, toLogLineBatch, toLogRecordsParams, toRateLimitParams } from './test-requests.js';
import type { TestCallRequest, TestCheckRequest, TestLogLineBatch, TestLogRecordBatch, TestRateLimitRequest } from './test-requests.js';
import type { CallResult, CheckRequestResult, ConfigSchema, HostApi, MetricsReport, PluginDefinition, PluginLogger, RateLimitResult } from './types.js';

export interface TestPluginOptions {
  /** The plugin's `config`, as it would appear in the proxy config. */
  readonly config?: unknown;
  /** The plugin's configured name; default the definition's name. */
  readonly name?: string;
  /** Level of the captured logs (`logs`); default `debug`. */
  readonly logLevel?: string;
  /** What the plugin's `host` API does here; by default each call is recorded in `hostCalls` and succeeds. */
  readonly host?: Partial<HostApi>;
}

/** A call the plugin made to its host API. */
export interface HostCall {
  readonly method: keyof HostApi;
  readonly params: unknown;
}

export interface TestPlugin<Config, State> {
  /** The validated config (the schema's output). */
  readonly config: Config;
  /** What `setup` returned. */
  readonly state: State;
  readonly hooks: readonly PluginHookName[];
  /** Log lines the plugin wrote, parsed (pino JSON). */
  readonly logs: readonly Record<string, unknown>[];
  /** Calls the plugin made to its host API (admin actions), in order. */
  readonly hostCalls: readonly HostCall[];
  /** Defaults: GET / on authority "localhost" from 127.0.0.1, no headers. */
  checkRequest(request?: TestCheckRequest): Promise<CheckRequestResult>;
  /** Defaults: no header, empty body. */
  call(request?: TestCallRequest): Promise<CallResult>;
  /** Defaults: domain "default", no descriptors, hitsAddend 1. */
  rateLimit(request?: TestRateLimitRequest): Promise<RateLimitResult>;
  /** Resolves when the hook has handled the batch (the proxy never waits; a test may). */
  logRecords(batch: TestLogRecordBatch): Promise<void>;
  /** The same for a `logLines` hook: each log's lines as a worker would have formatted them. */
  logLines(batch: TestLogLineBatch): Promise<void>;
  /** The same for a `logBytes` hook: the lines as the bytes a worker sends. */
  logBytes(batch: TestLogLineBatch): Promise<void>;
  reopenLogs(): Promise<void>;
  /** Delivers a metrics report as a worker or the host would; resolves when the hook handled it. */
  metrics(report: MetricsReport): Promise<void>;
  /** Runs the shutdown sequence (waits for calls in flight, then the author's `shutdown`). */
  close(): Promise<void>;
}

/**
 * Validates `options.config` and runs `setup`, as `plugin/initialize` from the host would.
 * Rejects with the same errors: `PluginConfigError` (`MOSN_ERR_PLUGIN_CONFIG_INVALID`) for an
 * invalid config, `MOSN_ERR_PLUGIN_DEFINITION_INVALID`, `MOSN_ERR_PLUGIN_SETUP_FAILED`. Hook
 * calls reject with `MOSN_ERR_PLUGIN_HOOK_FAILED` (the thrown error as `cause`),
 * `MOSN_ERR_PLUGIN_HOOK_RESULT_INVALID` or `MOSN_ERR_PLUGIN_HOOK_NOT_PROVIDED`.
 */
export async function createTestPlugin<Schema extends ConfigSchema = z.ZodUnknown, State = undefined>(
  definition: PluginDefinition<Schema, State>,
  options: TestPluginOptions = {},
): Promise<TestPlugin<z.output<Schema>, State>> {
  const logs: Record<string, unknown>[] = [];
  const name = options.name ?? (typeof definition?.name === 'string' ? definition.name : 'plugin');
  const logger: PluginLogger = createPluginLogger({
    name,
    level: options.logLevel ?? 'debug',
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const hostCalls: HostCall[] = [];
  let level = 'info';
  const host: HostApi = {
    setLogLevel:
      options.host?.setLogLevel ??
      (async (next) => {
        hostCalls.push({ method: 'setLogLevel', params: { level: next } });
        const previous = level;
        level = next;
        return { previous, level: next };
      }),
  };
  const runtime = await PluginRuntime.start(definition as unknown as AnyPluginDefinition, options.config, { logger, name, host });
  return {
    config: runtime.context.config as z.output<Schema>,
    state: runtime.context.state as State,
    hooks: runtime.hooks,
    logs,
    hostCalls,
    checkRequest: (request = {}) => runtime.checkRequest(toCheckRequestParams(request)),
    call: (request = {}) => runtime.call(toCallParams(request)),
    rateLimit: (request = {}) => runtime.rateLimit(toRateLimitParams(request)),
    logRecords: (batch) => runtime.logRecords(toLogRecordsParams(batch)),
    logLines: (batch) => runtime.logLines(toLogLineBatch(batch)),
    logBytes: (batch) => runtime.logBytes(toLogByteBatch(batch)),
    reopenLogs: () => runtime.reopenLogs(),
    metrics: (report) => runtime.metrics(report),
    close: () => runtime.shutdown(),
  };
}

export { launchTestPlugin } from './testing-process.js';
export { waitFor } from './wait-for.js';
export type { WaitOptions } from './wait-for.js';
export type { LaunchTestPluginOptions, LaunchedTestPlugin } from './testing-process.js';
export type { TestCallRequest, TestCheckRequest, TestLogLineBatch, TestLogRecordBatch, TestRateLimitRequest };
