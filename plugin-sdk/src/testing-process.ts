/**
 * `launchTestPlugin`: the plugin's real executable, started the way the supervisor starts it
 * (launch environment, 0700 runtime directory, handshake line, `initialize` as host with the
 * config), for a plugin's end-to-end test. Hooks are called over the socket; `close()` sends
 * `shutdown` then `exit` and waits for the process to end.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  PLUGIN_ENV,
  PLUGIN_MAGIC_COOKIE,
  PLUGIN_PROTOCOL_VERSION,
  HostSetLogLevel,
  PluginBatch,
  PluginCall,
  PluginCheckRequest,
  PluginExit,
  PluginHeartbeat,
  PluginInitialize,
  PluginInitialized,
  PluginLogRecords,
  PluginLogRecordsAck,
  PluginMetrics,
  PluginRateLimit,
  PluginReopenLogs,
  PluginShutdown,
  connectUnix,
  createIpcConnection,
  parseHandshake,
} from '@mosn/ipc-protocol';
import type { BatchCall, BatchResult, CompactCall, HeartbeatResult, LogRecordsAckParams, PluginInitializeResult } from '@mosn/ipc-protocol';
import { PLUGIN_SDK_ERROR_CODES, PluginSdkError } from './errors.js';
import { toCallParams, toCheckRequestParams, toLogByteBatch, toLogLineBatch, toLogRecordsParams, toRateLimitParams } from './test-requests.js';
import type { TestCallRequest, TestCheckRequest, TestLogLineBatch, TestLogRecordBatch, TestRateLimitRequest } from './test-requests.js';
import type { CallResult, CheckRequestResult, MetricsReport, RateLimitResult } from './types.js';

export interface LaunchTestPluginOptions {
  /** Arguments after the script. */
  readonly args?: readonly string[];
  /** The plugin's `config`, sent in `initialize` as the supervisor would. */
  readonly config?: unknown;
  /** The configured name (`MOSN_PLUGIN_NAME`); default `plugin`. */
  readonly name?: string;
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** Handshake, initialize and exit deadlines. Default 10 000 ms. */
  readonly timeoutMs?: number;
}

export interface LaunchedTestPlugin {
  readonly pid: number;
  readonly socketPath: string;
  readonly pluginVersion: string;
  readonly initializeResult: PluginInitializeResult;
  /** stderr lines, parsed when they are JSON (pino), else `{ text }`. */
  readonly logs: readonly Record<string, unknown>[];
  checkRequest(request?: TestCheckRequest): Promise<CheckRequestResult>;
  call(request?: TestCallRequest): Promise<CallResult>;
  rateLimit(request?: TestRateLimitRequest): Promise<RateLimitResult>;
  /** Sends the batch as a notification, as a worker does (resolves once written, not handled). */
  logRecords(batch: TestLogRecordBatch): Promise<void>;
  /** Sends a batch of lines, as a worker does to a plugin with a `logLines` hook (resolves once written). */
  logLines(batch: TestLogLineBatch): Promise<void>;
  /** The same as bytes, as a worker sends them to a plugin with a `logBytes` hook (resolves once written). */
  logBytes(batch: TestLogLineBatch): Promise<void>;
  /** The plugin's acknowledgements of log batches (`seq`, and whether the hook succeeded), as they arrived. */
  readonly acks: readonly LogRecordsAckParams[];
  /** Sends `plugin/reopenLogs` as the host does. */
  reopenLogs(): Promise<void>;
  /** Sends a metrics report (a notification: resolves once sent, not handled). */
  metrics(report: MetricsReport): Promise<void>;
  /** `host/setLogLevel` requests the plugin made to this test host (answered with success). */
  readonly hostCalls: readonly { method: string; params: unknown }[];
  heartbeat(): Promise<HeartbeatResult>;
  /** `plugin/batch` as a worker sends it: several hook calls in one message, one outcome each. */
  batch(calls: readonly (BatchCall | CompactCall)[]): Promise<BatchResult>;
  /** Any notification, its params as given: to test how the plugin takes a malformed one. */
  notify(method: string, params: object): Promise<void>;
  /** `shutdown`, then `exit`; resolves with the exit code. Kills the process if it does not exit in time. Idempotent. */
  close(): Promise<number | null>;
}

const silent = { error: () => {}, warn: () => {} };

/**
 * Starts `node script` as a plugin and initializes it. Rejects (after killing the process) when
 * it prints no handshake line in time, or when `initialize` fails — e.g. with the RPC error of an
 * invalid config.
 */
export async function launchTestPlugin(script: string, options: LaunchTestPluginOptions = {}): Promise<LaunchedTestPlugin> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const dir = await mkdtemp(join(tmpdir(), 'mosn-plugin-test-'));
  await chmod(dir, 0o700);
  const name = options.name ?? 'plugin';
  const secret = randomBytes(24).toString('base64url');
  const child = spawn(process.execPath, [script, ...(options.args ?? [])], {
    env: {
      ...process.env,
      ...options.env,
      [PLUGIN_ENV.magicCookie]: PLUGIN_MAGIC_COOKIE,
      [PLUGIN_ENV.protocolVersions]: String(PLUGIN_PROTOCOL_VERSION),
      [PLUGIN_ENV.socket]: join(dir, `${name}.sock`),
      [PLUGIN_ENV.secret]: secret,
      [PLUGIN_ENV.name]: name,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const logs: Record<string, unknown>[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => logs.push(parseLine(line)));
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const line = await deadline(
      new Promise<string>((resolve, reject) => {
        const lines = createInterface({ input: child.stdout });
        lines.once('line', resolve);
        lines.once('close', () =>
          reject(
            new PluginSdkError(
              PLUGIN_SDK_ERROR_CODES.start,
              `expected a handshake line from ${script}, found stdout closed; stderr: ${JSON.stringify(logs.slice(-5))}`,
            ),
          ),
        );
      }),
      timeoutMs,
      () => `expected a handshake line from ${script} within ${timeoutMs} ms, found none; stderr: ${JSON.stringify(logs.slice(-5))}`,
    );
    const handshake = parseHandshake(line);
    const socket = await connectUnix(handshake.socketPath, { timeoutMs });
    const connection = createIpcConnection(socket, { logger: silent });
    // This test connection is the plugin's host: answer its admin requests as the supervisor would.
    const hostCalls: { method: string; params: unknown }[] = [];
    let level = 'info';
    connection.onRequest(HostSetLogLevel, (params) => {
      hostCalls.push({ method: 'setLogLevel', params });
      const previous = level;
      level = params.level;
      return { previous, level };
    });
    const acks: LogRecordsAckParams[] = [];
    connection.onNotification(PluginLogRecordsAck, (ack) => void acks.push(ack));
    connection.listen();
    const initializeResult = await deadline(
      connection.sendRequest(PluginInitialize, { protocolVersion: PLUGIN_PROTOCOL_VERSION, secret, role: 'host', config: options.config }),
      timeoutMs,
      () => `expected ${script} to answer initialize within ${timeoutMs} ms`,
    );
    await connection.sendNotification(PluginInitialized);

    let closing: Promise<number | null> | undefined;
    const close = async (): Promise<number | null> => {
      try {
        await deadline(connection.sendRequest(PluginShutdown), timeoutMs, () => 'shutdown');
        await connection.sendNotification(PluginExit);
        return await deadline(exited, timeoutMs, () => 'exit');
      } catch {
        // It hung or died: make sure nothing outlives the test.
        return null;
      } finally {
        connection.dispose();
        await kill();
      }
    };
    return {
      pid: child.pid as number,
      socketPath: handshake.socketPath,
      pluginVersion: handshake.pluginVersion,
      initializeResult,
      logs,
      checkRequest: (request = {}) => connection.sendRequest(PluginCheckRequest, toCheckRequestParams(request)),
      call: (request = {}) => connection.sendRequest(PluginCall, toCallParams(request)),
      rateLimit: (request = {}) => connection.sendRequest(PluginRateLimit, toRateLimitParams(request)),
      logRecords: (batch) => connection.sendNotification(PluginLogRecords, toLogRecordsParams(batch)),
      logLines: (batch) => connection.sendNotification(PluginLogRecords, { ...toLogLineBatch(batch), records: [] }),
      logBytes: (batch) => connection.sendNotification(PluginLogRecords, { ...toLogByteBatch(batch), records: [] }),
      acks,
      reopenLogs: () => connection.sendNotification(PluginReopenLogs),
      metrics: (report) => connection.sendNotification(PluginMetrics, report),
      hostCalls,
      heartbeat: () => connection.sendRequest(PluginHeartbeat, {}),
      batch: (calls) => connection.sendRequest(PluginBatch, { calls }),
      notify: (method, params) => connection.sendNotification(method, params),
      close: () => (closing ??= close()),
    };
  } catch (error) {
    await kill();
    throw error;
  }
}

function parseLine(line: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
  } catch {
    // not JSON: keep the text
  }
  return { text: line };
}

function deadline<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PluginSdkError(PLUGIN_SDK_ERROR_CODES.start, what())), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
