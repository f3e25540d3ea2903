// One listener's access logs: at the end of each exchange, one row per configured log, built from
// what the connection noted along the way (cheap fields only; the batcher formats the rows into
// lines when their batch leaves, for a plugin that reads lines).
import type { AccessLogConfig } from '@mosn/config';
import type { AccessLogRow } from '@mosn/ipc-protocol';
import type { AccessLogBatcher } from './access-log-batcher.js';

/** What an HttpConnection notes about the exchange in progress, when its listener logs. */
export interface ExchangeNotes {
  startTime: number;
  /** performance.now() at the start; durations are relative to it. */
  t0: number;
  requestDoneAt: number;
  responseHeadAt: number;
  bytesReadAtStart: number;
  bytesWrittenAtStart: number;
  upstreamHost: string;
  responseFlag: string;
  /** The request id sent upstream (the client's, or the one generated); "" before that. */
  requestId: string;
}

/** Reads of the exchange the recorder needs; HttpConnection provides them. */
export interface ExchangeView {
  readonly notes: ExchangeNotes;
  readonly method: string;
  readonly path: string;
  readonly minor: number;
  readonly requestId: string;
  readonly status: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  readonly downstreamLocal: string;
  readonly downstreamRemote: string;
  requestHeader(lname: string): string | undefined;
  responseHeader(lname: string): string | undefined;
}

// A queued record must not hold a client's 60 KB path or header for as long as the plugin is away:
// the queue is bounded in records, so each record is bounded in size.
const MAX_PATH_CHARS = 4096;
const MAX_HEADER_CHARS = 1024;

/**
 * The value, clipped, as a string of its own. A path or header value is a slice of its request's
 * (or response's) head, and V8 keeps a slice of 13 characters or more as a view of the whole head
 * string: 10 000 queued rows would keep 10 000 heads (cookies included) alive while the plugin is
 * away. Prefixed, the slice is first copied into a string of its own, which is all the row keeps.
 */
function clip(value: string, max: number): string {
  const clipped = value.length > max ? value.slice(0, max) : value;
  return clipped.length < 13 ? clipped : (' ' + clipped).slice(1);
}

interface LogPlan {
  readonly target: number;
  readonly requestHeaders: readonly string[];
  readonly responseHeaders: readonly string[];
}

export class AccessLogRecorder {
  readonly #plans: LogPlan[];

  /**
   * @param requestIds makes the id of a request that never went upstream (a local reply: 429, 404,
   *   a direct response) and came without one: as with Envoy and nginx, every line has a request id.
   */
  constructor(
    logs: readonly AccessLogConfig[],
    private readonly batcher: AccessLogBatcher,
    private readonly requestIds: { next(): string },
  ) {
    this.#plans = logs.map((log) => ({
      target: batcher.target(log.log_path, log.log_format),
      requestHeaders: log.request_headers,
      responseHeaders: log.response_headers,
    }));
  }

  record(x: ExchangeView, now: number): void {
    const n = x.notes;
    // One id for the exchange, in every log: the one sent upstream, else the client's, else a new
    // one. Only the client's is a slice of its head (clipped to a string of its own); one the
    // proxy generated is already its own.
    const fromClient = n.requestId === '' || n.requestId === x.requestId;
    const requestId = !fromClient ? n.requestId : x.requestId !== '' ? clip(x.requestId, MAX_HEADER_CHARS) : this.requestIds.next();
    for (const plan of this.#plans) {
      // A row (ipc-protocol's `log-rows/1` layout), not a record object: cheap to build and to
      // keep queued; the batcher formats it into a line, or sends it as it is (or as a record).
      const row: AccessLogRow = [
        plan.target,
        n.startTime,
        n.requestDoneAt < 0 ? -1 : n.requestDoneAt - n.t0,
        n.responseHeadAt < 0 ? -1 : n.responseHeadAt - n.t0,
        now - n.t0,
        x.bytesRead - n.bytesReadAtStart,
        x.bytesWritten - n.bytesWrittenAtStart,
        x.minor === 0 ? 'HTTP/1.0' : 'HTTP/1.1',
        x.status,
        n.responseFlag,
        x.method,
        clip(x.path, MAX_PATH_CHARS),
        requestId,
        n.upstreamHost,
        '',
        x.downstreamLocal,
        x.downstreamRemote,
        plan.requestHeaders.length === 0 ? null : pick(plan.requestHeaders, (h) => x.requestHeader(h)),
        plan.responseHeaders.length === 0 ? null : pick(plan.responseHeaders, (h) => x.responseHeader(h)),
      ];
      this.batcher.push(row);
    }
  }
}

/** The named headers present, as pairs (name, value, …), each value clipped. */
function pick(names: readonly string[], get: (lname: string) => string | undefined): string[] {
  const out: string[] = [];
  for (const name of names) {
    const value = get(name);
    if (value !== undefined) out.push(name, clip(value, MAX_HEADER_CHARS));
  }
  return out;
}

export function newNotes(): ExchangeNotes {
  return { startTime: 0, t0: 0, requestDoneAt: -1, responseHeadAt: -1, bytesReadAtStart: 0, bytesWrittenAtStart: 0, upstreamHost: '', responseFlag: '', requestId: '' };
}
