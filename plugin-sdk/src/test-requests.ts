/**
 * Requests as tests write them (every field optional, headers in any case) turned into what
 * the worker sends: defaults filled in, header names lower-case, repeated values joined.
 */
import type {
  AccessLogRecord,
  AccessLogTarget,
  CallParams,
  CheckRequestParams,
  CheckRequestRoute,
  LogRecordsParams,
  RateLimitDescriptor,
  RateLimitParams,
} from '@mosn/ipc-protocol';
import type { LogByteBatch, LogLineBatch } from './types.js';

/** A request check with every field optional; names may be any case, values may repeat. */
export interface TestCheckRequest {
  readonly method?: string;
  readonly path?: string;
  readonly authority?: string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly remoteAddress?: string;
  readonly route?: CheckRequestRoute;
}

export interface TestCallRequest {
  readonly header?: Readonly<Record<string, string>>;
  /** A string is sent as its UTF-8 bytes. */
  readonly body?: Uint8Array | string;
}

export interface TestRateLimitRequest {
  readonly domain?: string;
  /** Descriptors as entry lists, or as objects of key → value (in insertion order). */
  readonly descriptors?: readonly (RateLimitDescriptor | Readonly<Record<string, string>>)[];
  readonly hitsAddend?: number;
}

/** A batch with records as partial objects: the fields a test leaves out get neutral defaults. */
export interface TestLogRecordBatch {
  readonly workerId?: number;
  readonly pid?: number;
  readonly seq?: number;
  readonly dropped?: number;
  readonly logs: readonly AccessLogTarget[];
  readonly records: readonly (Partial<AccessLogRecord> & { readonly log?: number })[];
}

/** A batch of lines for a `logLines` hook: per log, its lines without the newline (added here). */
export interface TestLogLineBatch {
  readonly workerId?: number;
  readonly pid?: number;
  readonly seq?: number;
  readonly dropped?: number;
  readonly logs: readonly AccessLogTarget[];
  readonly lines: readonly { readonly log?: number; readonly lines: readonly string[] }[];
}

/** Defaults: GET / on authority "localhost" from 127.0.0.1, no headers, no route. */
export function toCheckRequestParams(request: TestCheckRequest): CheckRequestParams {
  return {
    method: request.method ?? 'GET',
    path: request.path ?? '/',
    authority: request.authority ?? 'localhost',
    headers: normalizeHeaders(request.headers ?? {}),
    remoteAddress: request.remoteAddress ?? '127.0.0.1',
    ...(request.route === undefined ? {} : { route: request.route }),
  };
}

/** Defaults: no header, empty body. */
export function toCallParams(request: TestCallRequest): CallParams {
  return {
    header: { ...request.header },
    body: typeof request.body === 'string' ? Buffer.from(request.body) : (request.body ?? Buffer.alloc(0)),
  };
}

function normalizeHeaders(headers: Readonly<Record<string, string | readonly string[]>>): Record<string, string> {
  const normalized: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    const joined = typeof value === 'string' ? value : value.join(', ');
    const previous = normalized[key];
    normalized[key] = previous === undefined ? joined : `${previous}, ${joined}`;
  }
  return normalized;
}

/** Defaults: domain "default", no descriptors, 1 hit. */
export function toRateLimitParams(request: TestRateLimitRequest): RateLimitParams {
  return {
    domain: request.domain ?? 'default',
    descriptors: (request.descriptors ?? []).map((d) =>
      Array.isArray((d as RateLimitDescriptor).entries)
        ? (d as RateLimitDescriptor)
        : { entries: Object.entries(d as Record<string, string>).map(([key, value]) => ({ key, value })) },
    ),
    hitsAddend: request.hitsAddend ?? 1,
  };
}

const NEUTRAL_RECORD: AccessLogRecord = {
  log: 0,
  startTime: 0,
  requestReceivedDuration: 0,
  responseReceivedDuration: -1,
  duration: 0,
  bytesReceived: 0,
  bytesSent: 0,
  protocol: 'HTTP/1.1',
  responseCode: 200,
  responseFlag: '',
  method: 'GET',
  path: '/',
  requestId: '',
  upstreamHost: '',
  upstreamLocalAddress: '',
  downstreamLocalAddress: '127.0.0.1:8080',
  downstreamRemoteAddress: '127.0.0.1:40000',
};

/** What every batch says of itself. Defaults: worker 1, this process's pid, batch 1, nothing dropped. */
function batchOf(batch: TestLogRecordBatch | TestLogLineBatch): Omit<LogLineBatch, 'lines'> {
  return { workerId: batch.workerId ?? 1, pid: batch.pid ?? process.pid, seq: batch.seq ?? 1, dropped: batch.dropped ?? 0, logs: batch.logs };
}

/** Records filled in with neutral values. */
export function toLogRecordsParams(batch: TestLogRecordBatch): LogRecordsParams {
  return { ...batchOf(batch), records: batch.records.map((r) => ({ ...NEUTRAL_RECORD, ...r })) };
}

/** Each log's lines as one UTF-8 buffer, each line with its newline. */
export function toLogByteBatch(batch: TestLogLineBatch): LogByteBatch {
  return {
    ...batchOf(batch),
    bytes: batch.lines.map((l) => ({ log: l.log ?? 0, records: l.lines.length, bytes: Buffer.from(l.lines.map((line) => line + '\n').join('')) })),
  };
}

/** Each log's lines joined, each with its newline. */
export function toLogLineBatch(batch: TestLogLineBatch): LogLineBatch {
  return {
    ...batchOf(batch),
    lines: batch.lines.map((l) => ({ log: l.log ?? 0, records: l.lines.length, text: l.lines.map((line) => line + '\n').join('') })),
  };
}
