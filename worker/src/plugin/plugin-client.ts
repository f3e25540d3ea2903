// A worker's connection to one plugin. Calls fail fast with a typed error when the plugin is not
// there (never queued behind a dead socket); the supervisor tells us when it is back, and where.
//
//   endpoint ──► connect ──► plugin/initialize {role: worker, secret} ──► ready ──► calls
//        ▲                                                                  │ socket closes
//        └─────────────── update(endpoint) from the supervisor ◄────────────┘ (pending calls fail)
//
// Hook calls made in one event-loop turn go out as one `plugin/batch` message at the end of the
// turn (setImmediate), at most MAX_BATCH_CALLS each; one timeout covers the batch. It is a direct
// request (ipc-protocol's direct-requests.ts): settled as soon as its answer is read.
import type { Logger } from 'pino';
import type {
  BatchCall,
  BatchError,
  BatchHookResults,
  CompactCall,
  CheckRequestResult,
  LogRecordsAckParams,
  IpcConnection,
  LogRecordsParams,
  MetricsReport,
  RateLimitParams,
  RateLimitResult,
} from '@mosn/ipc-protocol';
import { MosnWorkerError } from '../errors.js';
import { withTimeout } from './with-timeout.js';
import type { PluginEndpoint } from '../process/supervisor-channel.js';
import { PluginRequest } from './plugin-request.js';

/** How a plugin reads access logs (see `PluginClient.logForm`). */
export type LogForm = 'bytes' | 'lines' | 'rows' | 'records';

interface QueuedCall {
  /** A request check goes as the PluginRequest, which has both wire forms at hand. */
  readonly call: BatchCall | PluginRequest;
  /** performance.now() when the call was made (for the latency histogram). */
  readonly at: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

// Same value as ipc-protocol's MAX_BATCH_CALLS, which is loaded lazily (see loadIpc).
const MAX_BATCH = 256;

/** Bytes a plugin may leave unread on our socket before notifications count as "plugin slow". */
const NOTIFY_BACKLOG_BYTES = 4 * 1024 * 1024;

/** Told when the plugin acknowledges a log batch, and when a connection with batches in flight ends. */
export interface LogRecordsListener {
  acked(ack: LogRecordsAckParams): void;
  /** The connection that carried batches is gone (or replaced): unacknowledged ones will never be. */
  connectionLost(): void;
}

export class PluginClient {
  #endpoint: PluginEndpoint | undefined;
  #queue: QueuedCall[] = [];
  #socketBacklog: (() => number) | undefined;
  /** The hooks the plugin listed in its initialize result (empty until connected). */
  #hooks: readonly string[] = [];
  /** Whether the connected plugin reads the compact forms (its initialize result's `wire`). */
  #logRows = false;
  /** Whether it has a `logLines` hook: then the worker formats the lines. */
  #logLines = false;
  /** Whether it has a `logBytes` hook: the worker formats the lines and sends their bytes. */
  #logBytes = false;
  #callTuples = false;
  #logListener: LogRecordsListener | undefined;
  /** Counted for metrics (read when collected). */
  readonly counters = { calls: 0, errors: 0, timeouts: 0 };
  /** Set by the worker's metrics when they are on. */
  duration: { observe(seconds: number): void } | undefined;
  #connection: IpcConnection | undefined;
  #connecting: Promise<IpcConnection> | undefined;
  /** Bumped on every endpoint change, so a late connect for an old endpoint is thrown away. */
  #epoch = 0;

  constructor(
    readonly name: string,
    private readonly workerId: number,
    private readonly logger: Logger,
  ) {}

  /** A new endpoint (plugin restarted or moved), or undefined (plugin down): drop the old connection. */
  update(endpoint: PluginEndpoint | undefined): void {
    if (endpoint?.socketPath === this.#endpoint?.socketPath && endpoint?.secret === this.#endpoint?.secret) return;
    this.#epoch += 1;
    const previous = this.#endpoint;
    const old = this.#connection;
    this.#endpoint = endpoint;
    this.#connection = undefined;
    this.#socketBacklog = undefined;
    if (old !== undefined) {
      this.#logListener?.connectionLost();
      // Gone: fail what is pending at once. Replaced (a reload): calls already sent finish on the
      // old instance, which the supervisor stops only after this grace.
      if (endpoint === undefined || previous === undefined) old.dispose();
      else setTimeout(() => old.dispose(), previous.timeoutMs + 100).unref();
    }
    this.#connecting = undefined;
    if (endpoint !== undefined) void this.#connect().catch(() => undefined);
  }

  get available(): boolean {
    return this.#endpoint !== undefined;
  }

  checkRequest(request: PluginRequest): Promise<CheckRequestResult> {
    return this.#enqueue(request) as Promise<BatchHookResults['checkRequest']>;
  }

  rateLimit(params: RateLimitParams): Promise<RateLimitResult> {
    return this.#enqueue({ hook: 'rateLimit', params }) as Promise<BatchHookResults['rateLimit']>;
  }

  /** Where log acknowledgements go (one access-log batcher per plugin and worker). */
  onLogRecords(listener: LogRecordsListener): void {
    this.#logListener = listener;
  }

  /**
   * How the plugin reads access logs, when a batch can go now: connected, keeping up (its socket
   * backlog is small) — `bytes` for a plugin with a `logBytes` hook, `lines` for one with a
   * `logLines` hook (the worker formats either way), `rows` or `records` for any other, as its
   * initialize result said. undefined otherwise: the caller
   * keeps the batch, or drops and counts it. Starts a connect when there is none. Never waits:
   * logging must not stall forwarding.
   */
  logForm(): LogForm | undefined {
    if (this.#connection === undefined) {
      if (this.#endpoint !== undefined && this.#connecting === undefined) void this.#connect().catch(() => undefined);
      return undefined;
    }
    if ((this.#socketBacklog?.() ?? 0) > NOTIFY_BACKLOG_BYTES) return undefined;
    return this.#logBytes ? 'bytes' : this.#logLines ? 'lines' : this.#logRows ? 'rows' : 'records';
  }

  /**
   * Sends a batch of access logs as a notification, right after `logForm()` said one can go:
   * with `bytes` or `lines` as they are, with `rows` as rows or as records (the form the plugin
   * reads). The message is encoded before this returns, so the caller may reuse its buffers then.
   * `notSent` is told when it could not go: too large to encode, or the connection went first.
   */
  sendLogRecords(params: LogRecordsParams, notSent: (error: unknown) => void): void {
    const connection = this.#connection;
    if (connection === undefined) return notSent(unavailable(this.name, 'not connected'));
    const method = logRecordsMethod as NonNullable<typeof logRecordsMethod>;
    const batch = params.bytes !== undefined || params.lines !== undefined || this.#logRows ? params : asRecords(params);
    // Every form of a batch is large: packed into a reusable block, sized from the estimate.
    connection.sendDirectNotification(method, batch, batchBytes(batch)).catch(notSent);
  }

  /**
   * Sends a metrics report if the plugin serves `metrics` and is connected and keeping up; starts
   * a connect when there is none (the next report goes then). Never waits.
   */
  sendMetrics(report: MetricsReport): boolean {
    const connection = this.#connection;
    if (connection === undefined) {
      if (this.#endpoint !== undefined && this.#connecting === undefined) void this.#connect().catch(() => undefined);
      return false;
    }
    if (!this.#hooks.includes('metrics') || (this.#socketBacklog?.() ?? 0) > NOTIFY_BACKLOG_BYTES) return false;
    void connection.sendNotification(metricsMethod as NonNullable<typeof metricsMethod>, report).catch(() => undefined);
    return true;
  }

  #enqueue(call: BatchCall | PluginRequest): Promise<unknown> {
    if (this.#endpoint === undefined) {
      this.counters.calls += 1;
      this.counters.errors += 1;
      return Promise.reject(unavailable(this.name, 'it is not running'));
    }
    return new Promise((resolve, reject) => {
      this.counters.calls += 1;
      const queued = this.#queue.push({ call, at: performance.now(), resolve, reject });
      if (queued === 1) setImmediate(this.#flush);
      else if (queued >= MAX_BATCH) this.#flush();
    });
  }

  readonly #flush = (): void => {
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    void this.#send(batch);
  };

  async #send(batch: readonly QueuedCall[]): Promise<void> {
    try {
      const { connection, endpoint } = await this.#ready();
      // Set by #open, which loaded the RPC module before any connection could exist.
      const method = batchMethod as NonNullable<typeof batchMethod>;
      const api = ipcApi as NonNullable<typeof ipcApi>;
      const tuples = this.#callTuples;
      const calls = batch.map((q) => wireCall(q.call, tuples, api));
      const { outcomes } = await withTimeout(connection.sendDirectRequest(method, { calls }), endpoint.timeoutMs, `plugin "${this.name}"`);
      const now = performance.now();
      for (let i = 0; i < batch.length; i++) {
        const queued = batch[i] as QueuedCall;
        const outcome = outcomes[i];
        this.duration?.observe((now - queued.at) / 1000);
        if (outcome !== undefined && 'ok' in outcome) {
          // A rate limit asked as a tuple is answered as one (a map is taken as it is).
          const tuple = tuples && hookOf(queued.call) === 'rateLimit' && Array.isArray(outcome.ok);
          const ok = tuple ? api.expandRateLimitResult(outcome.ok) : outcome.ok;
          if (!tuple || ok !== undefined) {
            queued.resolve(ok);
            continue;
          }
          this.counters.errors += 1;
          queued.reject(callFailed(this.name, hookOf(queued.call), { code: -31000, message: 'expected a rate limit result tuple, found a malformed one' }));
        } else {
          this.counters.errors += 1;
          queued.reject(callFailed(this.name, hookOf(queued.call), outcome?.error));
        }
      }
    } catch (err) {
      if ((err as { code?: unknown }).code === 'MOSN_ERR_PLUGIN_TIMEOUT') this.counters.timeouts += batch.length;
      else this.counters.errors += batch.length;
      for (const queued of batch) queued.reject(err);
    }
  }

  /**
   * A connection to the current endpoint. If the endpoint changes while we connect (a new worker
   * connects to the instance it was started with, and a reload then switches it to a new one),
   * the call follows the change instead of failing.
   */
  async #ready(): Promise<{ connection: IpcConnection; endpoint: PluginEndpoint }> {
    for (let attempt = 0; ; attempt++) {
      const endpoint = this.#endpoint;
      if (endpoint === undefined) throw unavailable(this.name, 'it is not running');
      if (this.#connection !== undefined) return { connection: this.#connection, endpoint };
      try {
        return { connection: await this.#connect(), endpoint };
      } catch (err) {
        if (attempt > 0 || this.#endpoint === endpoint || this.#endpoint === undefined) throw err;
      }
    }
  }

  close(): void {
    this.update(undefined);
  }

  #connect(): Promise<IpcConnection> {
    if (this.#connecting !== undefined) return this.#connecting;
    const connecting: Promise<IpcConnection> = this.#open(this.#epoch).finally(() => {
      // Only our own: update() may already have started a connect to a newer endpoint.
      if (this.#connecting === connecting) this.#connecting = undefined;
    });
    this.#connecting = connecting;
    return connecting;
  }

  async #open(epoch: number): Promise<IpcConnection> {
    const endpoint = this.#endpoint;
    if (endpoint === undefined) throw unavailable(this.name, 'it is not running');
    const ipcModule = await loadIpc();
    const { PLUGIN_PROTOCOL_VERSION, PluginBatch, PluginInitialize, PluginInitialized, PluginLogRecords, PluginLogRecordsAck, connectUnix, createIpcConnection } = ipcModule;
    batchMethod = PluginBatch;
    ipcApi = ipcModule;
    logRecordsMethod = PluginLogRecords;
    metricsMethod = ipcModule.PluginMetrics;
    let socket;
    try {
      socket = await connectUnix(endpoint.socketPath, { timeoutMs: endpoint.timeoutMs * 5 });
    } catch (err) {
      throw unavailable(this.name, `cannot connect to ${endpoint.socketPath}: ${(err as Error).message}`, err);
    }
    const connection = createIpcConnection(socket, { logger: this.logger });
    connection.onClose(() => {
      if (this.#connection !== connection) return;
      this.#connection = undefined;
      this.#socketBacklog = undefined;
      this.#logListener?.connectionLost();
    });
    connection.onNotification(PluginLogRecordsAck, (ack) => this.#logListener?.acked(ack));
    connection.listen();
    let initialized;
    try {
      initialized = await withTimeout(
        connection.sendRequest(PluginInitialize, { protocolVersion: PLUGIN_PROTOCOL_VERSION, secret: endpoint.secret, role: 'worker', workerId: this.workerId }),
        endpoint.timeoutMs * 5,
        `plugin "${this.name}"`,
      );
      await connection.sendNotification(PluginInitialized);
    } catch (err) {
      connection.dispose();
      throw unavailable(this.name, `initialize failed: ${(err as Error).message}`, err);
    }
    if (epoch !== this.#epoch) {
      connection.dispose();
      throw unavailable(this.name, 'it was replaced while connecting');
    }
    this.#connection = connection;
    this.#socketBacklog = () => socket.writableLength;
    this.#hooks = Array.isArray(initialized.hooks) ? initialized.hooks : [];
    const wire: readonly unknown[] = Array.isArray(initialized.wire) ? initialized.wire : [];
    this.#logRows = wire.includes(ipcModule.WIRE_FEATURES.logRows);
    this.#logLines = this.#hooks.includes('logLines');
    this.#logBytes = this.#hooks.includes('logBytes');
    this.#callTuples = wire.includes(ipcModule.WIRE_FEATURES.callTuples);
    return connection;
  }
}

/**
 * The RPC stack (vscode-jsonrpc, msgpackr) is loaded on first use: a worker without plugins keeps
 * a smaller heap, and with it cheaper garbage collection on the data path (measured on tcp_proxy).
 */
let ipc: Promise<typeof import('@mosn/ipc-protocol')> | undefined;
let ipcApi: typeof import('@mosn/ipc-protocol') | undefined;
let batchMethod: (typeof import('@mosn/ipc-protocol'))['PluginBatch'] | undefined;
let logRecordsMethod: (typeof import('@mosn/ipc-protocol'))['PluginLogRecords'] | undefined;
let metricsMethod: (typeof import('@mosn/ipc-protocol'))['PluginMetrics'] | undefined;
function loadIpc(): Promise<typeof import('@mosn/ipc-protocol')> {
  ipc ??= import('@mosn/ipc-protocol');
  return ipc;
}

/**
 * A batch in the map form, for a plugin that does not read rows. Header maps are left out when
 * there are none (msgpack has no "undefined": msgpackr would write an extension value that other
 * readers do not know).
 */
function asRecords(params: LogRecordsParams): LogRecordsParams {
  const rows = params.rows;
  if (rows === undefined) return params;
  const api = ipcApi as NonNullable<typeof ipcApi>;
  const records = rows.map((row) => {
    const { requestHeaders, responseHeaders, ...record } = api.accessLogRecordOf(row) as NonNullable<ReturnType<typeof api.accessLogRecordOf>>;
    return {
      ...record,
      ...(requestHeaders === undefined ? {} : { requestHeaders }),
      ...(responseHeaders === undefined ? {} : { responseHeaders }),
    };
  });
  return { workerId: params.workerId, pid: params.pid, seq: params.seq, dropped: params.dropped, logs: params.logs, records };
}

/** About how large a batch of formatted lines packs: its bytes, or its text at up to 3 bytes a character. */
/** A row or record packs to about this many bytes (~11 values and addresses; headers add more). */
const PACKED_RECORD_BYTES = 256;

/**
 * About how large a batch packs: its bytes, its text at up to 3 bytes a character, or its rows or
 * records at a typical size each. A short estimate costs only the block: msgpackr then allocates.
 */
function batchBytes(params: LogRecordsParams): number {
  let n = 0;
  for (const file of params.bytes ?? []) n += file.bytes.length;
  for (const file of params.lines ?? []) n += file.text.length * 3;
  n += ((params.rows?.length ?? 0) + params.records.length) * PACKED_RECORD_BYTES;
  return n;
}

function hookOf(call: BatchCall | PluginRequest): BatchCall['hook'] {
  return call instanceof PluginRequest ? 'checkRequest' : call.hook;
}

/** A call as it goes on the wire: compact when the plugin reads tuples, else the map form. */
function wireCall(call: BatchCall | PluginRequest, tuples: boolean, api: typeof import('@mosn/ipc-protocol')): BatchCall | CompactCall {
  if (call instanceof PluginRequest) return tuples ? call.toTuple() : { hook: 'checkRequest', params: call.toParams() };
  return tuples ? api.compactCall(call) : call;
}

function unavailable(name: string, why: string, cause?: unknown): MosnWorkerError {
  return new MosnWorkerError('MOSN_ERR_PLUGIN_UNAVAILABLE', `plugin "${name}" is unavailable: ${why}`, { cause });
}

function callFailed(name: string, hook: string, error: BatchError | undefined): MosnWorkerError {
  const why = error === undefined ? 'no outcome for the call in its answer' : error.message;
  return new MosnWorkerError('MOSN_ERR_PLUGIN_CALL_FAILED', `plugin "${name}" failed ${hook}: ${why}`);
}

