/**
 * One client connection to the plugin (the supervisor's, or one worker's):
 *
 *   accepted ──plugin/initialize──► secret ok? ──no──► unauthorized, connection closed
 *                                     │ yes
 *                                     ▼
 *                role host:   validate config once + setup ──invalid──► error answered, process exits
 *                role worker: needs the host to have initialized first
 *                                     │
 *                                     ▼
 *                initialized: heartbeat, checkRequest, call; host only: shutdown, exit
 *
 * Anything but `plugin/initialize` before that succeeds is answered with `notInitialized`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import {
  MAX_BATCH_CALLS,
  PLUGIN_PROTOCOL_VERSION,
  PLUGIN_RPC_ERROR_CODES,
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
  RPC_ERROR_CODES,
  ResponseError,
  WIRE_FEATURES,
  accessLogRecordOf,
  compactRateLimitResult,
  createIpcConnection,
  expandCall,
} from '@mosn/ipc-protocol';
import type {
  AccessLogRecord,
  BatchOutcome,
  BatchParams,
  BatchResult,
  LogRecordsParams,
  MessageConnection,
  RateLimitResult,
  PluginErrorData,
  PluginInitializeParams,
  PluginInitializeResult,
  PluginRole,
} from '@mosn/ipc-protocol';
import { PLUGIN_SDK_ERROR_CODES, PluginConfigError, PluginSdkError, messageOf } from './errors.js';
import type { PluginSdkErrorCode } from './errors.js';
import type { PluginRuntime } from './plugin-runtime.js';
import type { HostLink } from './host-api.js';
import { ThrottledLog } from './throttled-log.js';
import type { LogByteBatch, LogLineBatch, PluginLogger } from './types.js';

/** What a session needs from the plugin server around it. */
export interface SessionHost {
  readonly logger: PluginLogger;
  readonly secret: string;
  readonly pluginName: string;
  readonly pluginVersion: string;
  readonly runtime: PluginRuntime | undefined;
  readonly shuttingDown: boolean;
  /** Validates the config and runs setup, once for the process; later calls get the same runtime. */
  initializeRuntime(config: unknown): Promise<PluginRuntime>;
  /** The host's config was refused or setup failed: exit with `code` once the answer is written. */
  failInitialize(code: number, connection: MessageConnection, socket: Socket): void;
  shutdown(reason: string): Promise<void>;
  exit(reason: string): void;
  hostDisconnected(): void;
  /** Where host API requests go once a host has initialized. */
  readonly hostLink: HostLink;
}

// Exit codes after a failed host initialize: 78 (EX_CONFIG) tells the supervisor that restarting
// with the same config is pointless; a setup failure may be transient, so plain 1.
export const EXIT_CONFIG_INVALID = 78;
export const EXIT_SETUP_FAILED = 1;

export function openSession(socket: Socket, host: SessionHost): void {
  const { logger } = host;
  const connection = createIpcConnection(socket, { logger });
  let role: PluginRole | undefined;
  let initializing = false;

  const initialized = (method: string): PluginRuntime => {
    const runtime = host.runtime;
    if (role === undefined || runtime === undefined) {
      throw rpcError(
        RPC_ERROR_CODES.notInitialized,
        PLUGIN_SDK_ERROR_CODES.notInitialized,
        `${method}: expected a successful plugin/initialize on this connection first, found none`,
      );
    }
    return runtime;
  };
  const hostOnly = (method: string): void => {
    initialized(method);
    if (role !== 'host') {
      throw rpcError(RPC_ERROR_CODES.unauthorized, PLUGIN_SDK_ERROR_CODES.unauthorized, `${method}: expected the host (supervisor), found a ${role}`);
    }
  };
  const closeAfterReply = (): void => {
    // The reply is queued in the writer once the handler's promise settles (a microtask);
    // dispose() on the next turn writes it, then closes the socket.
    setImmediate(() => connection.dispose());
  };

  connection.onRequest(PluginInitialize, async (params): Promise<PluginInitializeResult> => {
    const p = (params ?? {}) as Partial<PluginInitializeParams>;
    if (!secretMatches(p.secret, host.secret)) {
      logger.warn({ code: PLUGIN_SDK_ERROR_CODES.unauthorized, role: p.role }, 'plugin/initialize refused: wrong or missing secret; closing the connection');
      closeAfterReply();
      throw rpcError(
        RPC_ERROR_CODES.unauthorized,
        PLUGIN_SDK_ERROR_CODES.unauthorized,
        `plugin/initialize: expected the per-launch secret, found ${typeof p.secret === 'string' ? 'a wrong one' : 'none'}`,
      );
    }
    if (role !== undefined || initializing) {
      throw rpcError(RPC_ERROR_CODES.failed, PLUGIN_SDK_ERROR_CODES.notInitialized, 'plugin/initialize: expected one initialize per connection, found a second');
    }
    if (p.protocolVersion !== PLUGIN_PROTOCOL_VERSION) {
      throw rpcError(
        PLUGIN_RPC_ERROR_CODES.protocolVersion,
        PLUGIN_SDK_ERROR_CODES.protocolVersion,
        `plugin/initialize: expected protocol version ${PLUGIN_PROTOCOL_VERSION}, found ${String(p.protocolVersion)}`,
      );
    }
    if (host.shuttingDown) {
      throw rpcError(RPC_ERROR_CODES.shuttingDown, PLUGIN_SDK_ERROR_CODES.shuttingDown, `plugin/initialize: expected a running plugin, found ${host.pluginName} shutting down`);
    }
    if (p.role === 'host') {
      initializing = true;
      try {
        await host.initializeRuntime(p.config);
      } catch (error) {
        if (error instanceof PluginConfigError) {
          logger.error({ code: error.code, issues: error.issues }, error.message);
          host.failInitialize(EXIT_CONFIG_INVALID, connection, socket);
          throw new ResponseError<PluginErrorData>(PLUGIN_RPC_ERROR_CODES.invalidConfig, error.message, { code: error.code, issues: error.issues });
        }
        logger.error({ err: error, code: codeOf(error) }, messageOf(error));
        host.failInitialize(EXIT_SETUP_FAILED, connection, socket);
        throw toResponseError(error);
      } finally {
        initializing = false;
      }
    } else if (p.role === 'worker') {
      if (host.runtime === undefined) {
        throw rpcError(
          RPC_ERROR_CODES.notInitialized,
          PLUGIN_SDK_ERROR_CODES.notInitialized,
          `plugin/initialize: expected the host to initialize plugin ${host.pluginName} before any worker, found a worker first`,
        );
      }
    } else {
      throw rpcError(RPC_ERROR_CODES.failed, PLUGIN_SDK_ERROR_CODES.notInitialized, `plugin/initialize: expected role "host" or "worker", found ${JSON.stringify(p.role)}`);
    }
    role = p.role;
    if (role === 'host') host.hostLink.attach(connection);
    const runtime = host.runtime as PluginRuntime;
    logger.debug({ role, workerId: p.workerId }, 'client initialized');
    return { pluginVersion: host.pluginVersion, name: runtime.definition.name, hooks: [...runtime.hooks], wire: SDK_WIRE_FEATURES };
  });

  connection.onNotification(PluginInitialized, () => {});

  connection.onRequest(PluginHeartbeat, () => {
    initialized(PluginHeartbeat.method);
    return { uptimeMs: Math.round(process.uptime() * 1000) };
  });

  connection.onRequest(PluginCheckRequest, (params) =>
    initialized(PluginCheckRequest.method).checkRequest(params).catch(rejectAs(logger, PluginCheckRequest.method)),
  );

  connection.onRequest(PluginCall, (params) => initialized(PluginCall.method).call(params).catch(rejectAs(logger, PluginCall.method)));

  const onBatch = (params: BatchParams): BatchResult | Promise<BatchResult> => {
    const runtime = initialized(PluginBatch.method);
    const calls: unknown = params?.calls;
    if (!Array.isArray(calls) || calls.length > MAX_BATCH_CALLS) {
      throw rpcError(
        RPC_ERROR_CODES.failed,
        PLUGIN_SDK_ERROR_CODES.hookFailed,
        `${PluginBatch.method}: expected "calls" to be an array of at most ${MAX_BATCH_CALLS}, found ${Array.isArray(calls) ? `${calls.length} calls` : typeof calls}`,
      );
    }
    // Every hook starts in the order given (so a hook that queues keeps that order), then all run.
    // When every hook answered synchronously the batch is answered without a promise.
    const outcomes = calls.map((call: unknown) => runBatched(runtime, call, logger));
    for (const outcome of outcomes) if (outcome instanceof Promise) return Promise.all(outcomes).then((all) => ({ outcomes: all }));
    return { outcomes: outcomes as BatchOutcome[] };
  };
  // Below vscode-jsonrpc's queue: answered in the turn the batch is read (see ipc-protocol's direct-requests.ts).
  connection.onDirectRequest(PluginBatch, onBatch);

  connection.onRequest(PluginRateLimit, (params) =>
    initialized(PluginRateLimit.method).rateLimit(params).catch(rejectAs(logger, PluginRateLimit.method)),
  );

  // Notifications: nobody waits for an answer, so a failure is logged here and goes no further.
  // A batch is handled as soon as it is read, below vscode-jsonrpc's queue: its writes are queued
  // synchronously either way, and a large message skips a turn through that queue.
  connection.onDirectNotification(PluginLogRecords, (params) => {
    if (role === undefined || host.runtime === undefined) {
      logger.warn({ code: PLUGIN_SDK_ERROR_CODES.notInitialized }, 'plugin/logRecords ignored: expected a successful plugin/initialize on this connection first');
      return;
    }
    // Acknowledged once handled, so that the worker knows which batches a crash could have lost.
    const seq = (params as { seq?: unknown } | null)?.seq;
    // Returned: the batch's bytes are a view of the connection's receive buffer, kept until the hook is done.
    return logBatchHandled(host.runtime, params).then(
      () => void connection.sendNotification(PluginLogRecordsAck, { seq: seq as number, written: true }).catch(() => undefined),
      (error: unknown) => {
        logAs(logger, PluginLogRecords.method)(error);
        void connection.sendNotification(PluginLogRecordsAck, { seq: seq as number, written: false }).catch(() => undefined);
      },
    );
  });

  connection.onNotification(PluginMetrics, (params) => {
    if (role === undefined || host.runtime === undefined) {
      logger.warn({ code: PLUGIN_SDK_ERROR_CODES.notInitialized }, 'plugin/metrics ignored: expected a successful plugin/initialize on this connection first');
      return;
    }
    host.runtime.metrics(params).catch(logAs(logger, PluginMetrics.method));
  });

  // Direct too: on one connection, a reopen falls exactly between the batches sent before and after it.
  connection.onDirectNotification(PluginReopenLogs, () => {
    if (role !== 'host' || host.runtime === undefined) {
      logger.warn({ role }, 'plugin/reopenLogs ignored: only the initialized host may ask the plugin to reopen its logs');
      return;
    }
    host.runtime.reopenLogs().catch(logAs(logger, PluginReopenLogs.method));
  });

  connection.onRequest(PluginShutdown, async () => {
    hostOnly(PluginShutdown.method);
    await host.shutdown('plugin/shutdown');
    return {};
  });

  connection.onNotification(PluginExit, () => {
    if (role !== 'host') {
      logger.warn({ role }, 'plugin/exit ignored: only the initialized host may ask the plugin to exit');
      return;
    }
    host.exit('plugin/exit');
  });

  // Methods nobody declared: still "initialize first" before initialize, as promised.
  connection.onRequest((method) => {
    initialized(method);
    throw rpcError(RPC_ERROR_CODES.failed, PLUGIN_SDK_ERROR_CODES.hookNotProvided, `${method}: expected a plugin/* method this SDK serves, found an unknown one`);
  });

  connection.onClose(() => {
    if (role === 'host') host.hostDisconnected();
  });
  connection.listen();
}

/** Compares digests so that neither the length nor the content leaks through timing. */
function secretMatches(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function rpcError(rpcCode: number, code: PluginSdkErrorCode, message: string): ResponseError<PluginErrorData> {
  return new ResponseError<PluginErrorData>(rpcCode, message, { code });
}

function codeOf(error: unknown): string | undefined {
  return error instanceof PluginSdkError ? error.code : undefined;
}

/** The RPC error for an SDK failure; anything else is the handler's failure. */
export function toResponseError(error: unknown): ResponseError<PluginErrorData> {
  if (!(error instanceof PluginSdkError)) return rpcError(RPC_ERROR_CODES.failed, PLUGIN_SDK_ERROR_CODES.hookFailed, messageOf(error));
  const causeCode = (error.cause as { code?: unknown } | null | undefined)?.code;
  if (error.code === PLUGIN_SDK_ERROR_CODES.hookFailed && typeof causeCode === 'string') {
    return new ResponseError<PluginErrorData>(RPC_ERROR_CODES.failed, error.message, { code: error.code, causeCode });
  }
  switch (error.code) {
    case PLUGIN_SDK_ERROR_CODES.hookNotProvided:
      return rpcError(PLUGIN_RPC_ERROR_CODES.hookNotProvided, error.code, error.message);
    case PLUGIN_SDK_ERROR_CODES.shuttingDown:
      return rpcError(RPC_ERROR_CODES.shuttingDown, error.code, error.message);
    default:
      return rpcError(RPC_ERROR_CODES.failed, error.code, error.message);
  }
}

/** The compact wire forms this SDK reads (see ipc-protocol's compact.ts). */
const SDK_WIRE_FEATURES = [WIRE_FEATURES.logRows, WIRE_FEATURES.callTuples];

/**
 * The batch as the hook sees it: records, whichever form they came in. A row that is not one
 * becomes null, so the plugin counts it as an invalid record rather than losing it silently.
 */
function withRecords(params: LogRecordsParams): LogRecordsParams {
  const rows: unknown = (params as { rows?: unknown } | null)?.rows;
  if (!Array.isArray(rows)) return params;
  const records = new Array<AccessLogRecord>(rows.length);
  for (let i = 0; i < rows.length; i++) records[i] = accessLogRecordOf(rows[i]) ?? (null as unknown as AccessLogRecord);
  return { workerId: params.workerId, pid: params.pid, seq: params.seq, dropped: params.dropped, logs: params.logs, records };
}

/** Runs the hook for the form the batch came in: bytes, lines or records. */
function logBatchHandled(runtime: PluginRuntime, params: LogRecordsParams): Promise<void> {
  const { bytes, lines } = (params ?? {}) as { bytes?: unknown; lines?: unknown };
  if (bytes !== undefined) {
    return Array.isArray(bytes) ? runtime.logBytes(byteBatch(params, bytes)) : Promise.reject(notAList('bytes', '{ log, records, bytes }', bytes));
  }
  if (lines !== undefined) {
    return Array.isArray(lines) ? runtime.logLines(lineBatch(params, lines)) : Promise.reject(notAList('lines', '{ log, records, text }', lines));
  }
  return runtime.logRecords(withRecords(params));
}

function notAList(field: string, entry: string, found: unknown): PluginSdkError {
  return new PluginSdkError(
    PLUGIN_SDK_ERROR_CODES.requestInvalid,
    `${PluginLogRecords.method}: expected "${field}" to be a list of ${entry}, found ${typeof found === 'object' ? JSON.stringify(found).slice(0, 80) : typeof found}`,
  );
}

/** The batch as a `logBytes` hook sees it (its entries are the plugin's to check). */
function byteBatch(params: LogRecordsParams, bytes: unknown[]): LogByteBatch {
  return { workerId: params.workerId, pid: params.pid, seq: params.seq, dropped: params.dropped, logs: params.logs, bytes: bytes as LogByteBatch['bytes'] };
}

/** The batch as a `logLines` hook sees it (its entries are the plugin's to check). */
function lineBatch(params: LogRecordsParams, lines: unknown[]): LogLineBatch {
  return { workerId: params.workerId, pid: params.pid, seq: params.seq, dropped: params.dropped, logs: params.logs, lines: lines as LogLineBatch['lines'] };
}

/** One call's outcome: at once when its hook answered synchronously, else a promise of it. */
function runBatched(runtime: PluginRuntime, wireCall: unknown, logger: PluginLogger): BatchOutcome | Promise<BatchOutcome> {
  // A tuple is answered in kind where the result has a compact form (rateLimit).
  const tuple = Array.isArray(wireCall);
  const call = expandCall(wireCall);
  const hook: unknown = (call as { hook?: unknown } | null)?.hook;
  const method = `plugin/${String(hook)}`;
  const failed = (error: unknown): BatchOutcome => {
    logHookError(logger, method, error);
    const e = toResponseError(error);
    return { error: { code: e.code, message: e.message, ...(e.data === undefined ? {} : { data: e.data }) } };
  };
  if (hook !== 'checkRequest' && hook !== 'rateLimit' && hook !== 'call') {
    return failed(new PluginSdkError(PLUGIN_SDK_ERROR_CODES.hookNotProvided, `${PluginBatch.method}: expected a hook of checkRequest, rateLimit, call; found ${JSON.stringify(hook)}`));
  }
  const compact = tuple && hook === 'rateLimit';
  let result: unknown;
  try {
    result = runtime.invoke(hook, call.params);
  } catch (error) {
    return failed(error);
  }
  if (result instanceof Promise) {
    return result.then((ok: unknown) => ({ ok: compact ? compactRateLimitResult(ok as RateLimitResult) : ok }), failed);
  }
  return { ok: compact ? compactRateLimitResult(result as RateLimitResult) : result };
}

function logAs(logger: PluginLogger, method: string): (error: unknown) => void {
  return (error) => logHookError(logger, method, error);
}

// Per method and error code: a backend that is down fails every call, and one line per request
// would flood the log. The first failure is logged at once, then at most one line per second.
const hookErrorLogs = new WeakMap<PluginLogger, ThrottledLog>();

/** A throwing hook is the author's bug or a backend failing: worth a line (rate-limited), not a crash. */
function logHookError(logger: PluginLogger, method: string, error: unknown): void {
  const code = codeOf(error);
  if (code === PLUGIN_SDK_ERROR_CODES.shuttingDown) return;
  const cause = error instanceof PluginSdkError && error.cause !== undefined ? error.cause : error;
  const causeCode = (cause as { code?: unknown } | null)?.code;
  let throttled = hookErrorLogs.get(logger);
  if (throttled === undefined) {
    throttled = new ThrottledLog(logger, { intervalMs: 1000 });
    hookErrorLogs.set(logger, throttled);
  }
  throttled.log('warn', `${method}|${code ?? ''}|${typeof causeCode === 'string' ? causeCode : ''}`, { err: cause, code, method }, messageOf(error));
}

function rejectAs(logger: PluginLogger, method: string): (error: unknown) => never {
  return (error) => {
    logHookError(logger, method, error);
    throw toResponseError(error);
  };
}
