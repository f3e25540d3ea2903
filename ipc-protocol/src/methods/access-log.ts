/**
 * `plugin/logRecords`: access log records, batched by each worker and sent as notifications (no
 * reply, never awaited), so that logging can never stall forwarding. A plugin with a `logBytes`
 * hook gets them as the bytes of the lines the worker formatted (`bytes`), one with a `logLines`
 * hook as their text (`lines`); either only writes them. Any other gets the records (`records`,
 * or `rows`) to do with as it likes. `plugin/reopenLogs` (from the host, on SIGUSR1 or `mosnctl
 * logs reopen`) makes it reopen its files for logrotate.
 */
import { NotificationType, NotificationType0, ParameterStructures } from 'vscode-jsonrpc/node';
import type { AccessLogRow } from './compact.js';

/** One of a listener's `access_logs` (MOSN: `log_path`, `log_format`). */
export interface AccessLogTarget {
  readonly path: string;
  /** MOSN `%variable%` format; absent means JSON lines. */
  readonly format?: string;
}

/**
 * What happened to one request. Durations are milliseconds (fractions allowed) from `startTime`;
 * -1 when the step never happened (e.g. no upstream response). Addresses are `host:port`, or ""
 * when there was none.
 */
export interface AccessLogRecord {
  /** Index into `LogRecordsParams.logs`. */
  readonly log: number;
  /** Epoch milliseconds when the request's first byte was read. */
  readonly startTime: number;
  readonly requestReceivedDuration: number;
  readonly responseReceivedDuration: number;
  readonly duration: number;
  readonly bytesReceived: number;
  readonly bytesSent: number;
  /** e.g. `HTTP/1.1`. */
  readonly protocol: string;
  /** The status sent downstream; 0 when none was sent. */
  readonly responseCode: number;
  /** Envoy/MOSN response flags, e.g. `UF` (upstream connect failure), `UT`, `NR`; "" when none. */
  readonly responseFlag: string;
  readonly method: string;
  readonly path: string;
  readonly requestId: string;
  readonly upstreamHost: string;
  readonly upstreamLocalAddress: string;
  readonly downstreamLocalAddress: string;
  readonly downstreamRemoteAddress: string;
  /** Only the request headers the formats name (`%REQ.name%`); lower-case names. */
  readonly requestHeaders?: Readonly<Record<string, string>> | undefined;
  /** Only the response headers the formats name (`%RESP.name%`); lower-case names. */
  readonly responseHeaders?: Readonly<Record<string, string>> | undefined;
}

export interface LogRecordsParams {
  readonly workerId: number;
  readonly pid: number;
  /** Batch number of this worker, from 1, without gaps: a gap means a lost batch. */
  readonly seq: number;
  /** Records this worker dropped so far (queue full, plugin away), cumulative. */
  readonly dropped: number;
  readonly logs: readonly AccessLogTarget[];
  /** In the order the requests finished on this worker. */
  readonly records: readonly AccessLogRecord[];
  /**
   * The same as rows (`log-rows/1`), sent instead of `records` (then empty) to a plugin that
   * reads them; the SDK turns them back into records before the hook sees the batch (a hook
   * never sees `rows`).
   */
  readonly rows?: readonly AccessLogRow[];
  /**
   * The same formatted, sent instead of `records` (then empty) to a plugin whose hooks include
   * `logLines`: one entry per log target with records in this batch, in the order of its first
   * record.
   */
  readonly lines?: readonly AccessLogLines[];
  /**
   * The same formatted lines as bytes (MessagePack `bin`), sent instead of `records` (then empty)
   * to a plugin whose hooks include `logBytes`: it reads them straight out of the frame and writes
   * them as they are, with nothing decoded or encoded on either side.
   */
  readonly bytes?: readonly AccessLogBytes[];
}

/** One log target's records of a batch, formatted with its `format` (or as JSON lines). */
export interface AccessLogLines {
  /** Index into `LogRecordsParams.logs`. */
  readonly log: number;
  /** How many records (lines) `text` holds. */
  readonly records: number;
  /** The lines, in order, each ending with "\n". */
  readonly text: string;
}

/** One log target's records of a batch as bytes: `AccessLogLines` with UTF-8 bytes for `text`. */
export interface AccessLogBytes {
  /** Index into `LogRecordsParams.logs`. */
  readonly log: number;
  /** How many records (lines) `bytes` holds, as the worker counted them when it formatted them. */
  readonly records: number;
  /** The lines, in order, each ending with a newline byte. */
  readonly bytes: Uint8Array;
}

/** `plugin/logRecords`: a batch of access log records (notification: never answered). */
export const PluginLogRecords = new NotificationType<LogRecordsParams>('plugin/logRecords', ParameterStructures.byName);

export interface LogRecordsAckParams {
  /** The batch (`LogRecordsParams.seq`) the plugin has handled. */
  readonly seq: number;
  /** false when the plugin could not write it (its hook failed): the worker counts it as dropped. */
  readonly written: boolean;
}

/**
 * `plugin/logRecordsAck`: plugin → worker, once a batch is handled (the SDK sends it when the
 * `logLines` or `logRecords` hook's promise settles). A worker counts the batches never acknowledged when a
 * plugin goes away as dropped — it cannot know whether they were written, and never sends them
 * twice — so "lost" is never more than "counted".
 */
export const PluginLogRecordsAck = new NotificationType<LogRecordsAckParams>('plugin/logRecordsAck', ParameterStructures.byName);

/** `plugin/reopenLogs` (host only): reopen every log file (after logrotate moved them). */
export const PluginReopenLogs = new NotificationType0('plugin/reopenLogs');
