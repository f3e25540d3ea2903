// One listener's access logs: at the end of each exchange, what the connection noted along the way
// is captured (exchange-capture.ts); the batcher turns a chunk of captures into rows, one per
// configured log, and formats them into lines for a plugin that reads lines.
import { parseLogFormat } from '@mosn/config';
import type { AccessLogConfig } from '@mosn/config';
import type { AccessLogBatcher } from './access-log-batcher.js';
import type { CaptureSource, RowPlan } from './exchange-capture.js';

/** What an HttpConnection notes about the exchange in progress, when its listener logs. */
export interface ExchangeNotes {
  /** performance.now() at the start; durations are relative to it, and the start time is made from it. */
  t0: number;
  requestDoneAt: number;
  responseHeadAt: number;
  bytesReadAtStart: number;
  bytesWrittenAtStart: number;
  upstreamHost: string;
  responseFlag: string;
  /** The request id the proxy generated and sent upstream, when `requestIdMade`. */
  requestId: string;
  /**
   * Whether the proxy generated `requestId` (the client sent none). A flag, so that recording the
   * exchange need not read either id's characters, long out of the caches by then.
   */
  requestIdMade: boolean;
  /**
   * The request headers the listener's logs print (pairs, clipped), picked when the request
   * started, while its head was still in the caches; null when the logs print none.
   */
  requestPairs: readonly string[] | null;
  /**
   * Whether a log prints when the request was read or the response head came (a text format with
   * `%request_received_duration%` or `%response_received_duration%`, or a JSON log): else those
   * two clock reads are not made, and the row says -1 (not timed).
   */
  readonly timesSteps: boolean;
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
  readonly responseHeader: (lname: string) => string | undefined;
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

export class AccessLogRecorder implements CaptureSource {
  readonly plans: readonly RowPlan[];
  readonly requestHeaders: readonly string[];
  readonly responseHeaders: readonly string[];
  /** See ExchangeNotes.timesSteps. */
  readonly timesSteps: boolean;

  /**
   * @param requestIds makes the id of a request that never went upstream (a local reply: 429, 404,
   *   a direct response) and came without one: as with Envoy and nginx, every line has a request id.
   */
  constructor(
    logs: readonly AccessLogConfig[],
    private readonly batcher: AccessLogBatcher,
    private readonly requestIds: { next(): string },
  ) {
    this.plans = logs.map((log) => ({
      target: batcher.target(log.log_path, log.log_format),
      requestHeaders: log.request_headers,
      responseHeaders: log.response_headers,
    }));
    // Picked once per exchange for all the logs; each log's row keeps its own names.
    this.requestHeaders = [...new Set(logs.flatMap((log) => log.request_headers))];
    this.responseHeaders = [...new Set(logs.flatMap((log) => log.response_headers))];
    this.timesSteps = logs.some((log) => printsStepTimes(log.log_format));
  }

  /** The request headers the logs print, for ExchangeNotes.requestPairs; `header` looks one up by lower-case name. */
  requestPairs(header: (lname: string) => string | undefined): string[] | null {
    return this.requestHeaders.length === 0 ? null : pick(this.requestHeaders, header);
  }

  record(x: ExchangeView, now: number): void {
    const n = x.notes;
    // One id for the exchange, in every log: the one the proxy generated and sent upstream, else
    // the client's, else a new one (made now, so that ids keep the order of their requests). Only
    // the client's is a slice of its head (clipped to a string of its own).
    const requestId = n.requestIdMade ? n.requestId : x.requestId !== '' ? clip(x.requestId, MAX_HEADER_CHARS) : this.requestIds.next();
    this.batcher.capture(
      this,
      x,
      now,
      clip(x.path, MAX_PATH_CHARS),
      requestId,
      n.requestPairs,
      this.responseHeaders.length === 0 ? null : pick(this.responseHeaders, x.responseHeader),
    );
  }
}

/** The named headers present, as pairs (name, value, …), each value clipped. */
function pick(names: readonly string[], header: (lname: string) => string | undefined): string[] {
  const out: string[] = [];
  for (const name of names) {
    const value = header(name);
    if (value !== undefined) out.push(name, clip(value, MAX_HEADER_CHARS));
  }
  return out;
}

/** True for a JSON log (no format: every value is printed) and for a format with either step's duration. */
function printsStepTimes(format: string | undefined): boolean {
  if (format === undefined || format === '') return true;
  return parseLogFormat(format).tokens.some((t) => t.kind === 'variable' && (t.name === 'request_received_duration' || t.name === 'response_received_duration'));
}

export function newNotes(timesSteps = true): ExchangeNotes {
  return { t0: 0, requestDoneAt: -1, responseHeadAt: -1, bytesReadAtStart: 0, bytesWrittenAtStart: 0, upstreamHost: '', responseFlag: '', requestId: '', requestIdMade: false, requestPairs: null, timesSteps };
}
