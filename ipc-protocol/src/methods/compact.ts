/**
 * Compact wire forms of the per-request messages: positional arrays instead of maps. A msgpack
 * map of 17 keys costs its reader one keyed store per key, and its writer one key string each; an
 * array costs neither (measured: an access log record decodes 7× faster as a row, a request check
 * 3× faster as a tuple). Still plain msgpack, so any msgpack library reads them.
 *
 * A plugin lists the forms it reads in its initialize result (`wire`); a worker uses a form only
 * when the plugin listed it, and sends the map forms otherwise. Layouts are fixed per version
 * (`log-rows/1`): a change gets a new name.
 */
import type { AccessLogRecord } from './access-log.js';
import type { BatchCall } from './batch.js';
import type { CheckRequestParams } from './plugin.js';
import type { RateLimitDescriptorStatus, RateLimitParams, RateLimitResult, RateLimitUnit } from './rate-limit.js';

export const WIRE_FEATURES = Object.freeze({
  /** `LogRecordsParams.rows` instead of `records`. */
  logRows: 'log-rows/1',
  /** `checkRequest` and `rateLimit` batch calls as tuples; `rateLimit` results as tuples too. */
  callTuples: 'call-tuples/1',
} as const);

export type WireFeature = (typeof WIRE_FEATURES)[keyof typeof WIRE_FEATURES];

/** Header fields as one flat list: name, value, name, value… (lower-case names). */
export type HeaderPairs = readonly string[];

/**
 * An access log record as a row: AccessLogRecord's fields in this order, headers as pairs (or
 * null when the formats name none).
 */
export type AccessLogRow = readonly [
  log: number,
  startTime: number,
  requestReceivedDuration: number,
  responseReceivedDuration: number,
  duration: number,
  bytesReceived: number,
  bytesSent: number,
  protocol: string,
  responseCode: number,
  responseFlag: string,
  method: string,
  path: string,
  requestId: string,
  upstreamHost: string,
  upstreamLocalAddress: string,
  downstreamLocalAddress: string,
  downstreamRemoteAddress: string,
  requestHeaders: HeaderPairs | null,
  responseHeaders: HeaderPairs | null,
];

const ROW_LENGTH = 19;

export function accessLogRowOf(r: AccessLogRecord): AccessLogRow {
  return [
    r.log, r.startTime, r.requestReceivedDuration, r.responseReceivedDuration, r.duration, r.bytesReceived, r.bytesSent,
    r.protocol, r.responseCode, r.responseFlag, r.method, r.path, r.requestId, r.upstreamHost, r.upstreamLocalAddress,
    r.downstreamLocalAddress, r.downstreamRemoteAddress,
    r.requestHeaders === undefined ? null : pairsOf(r.requestHeaders),
    r.responseHeaders === undefined ? null : pairsOf(r.responseHeaders),
  ];
}

/** The record a row stands for; undefined when `row` is not a row (the reader counts it invalid). */
export function accessLogRecordOf(row: unknown): AccessLogRecord | undefined {
  if (!Array.isArray(row) || row.length !== ROW_LENGTH) return undefined;
  const requestHeaders = row[17] as unknown;
  const responseHeaders = row[18] as unknown;
  // One object literal: every record gets the same shape, so the formatter's reads stay monomorphic.
  return {
    log: row[0] as number,
    startTime: row[1] as number,
    requestReceivedDuration: row[2] as number,
    responseReceivedDuration: row[3] as number,
    duration: row[4] as number,
    bytesReceived: row[5] as number,
    bytesSent: row[6] as number,
    protocol: row[7] as string,
    responseCode: row[8] as number,
    responseFlag: row[9] as string,
    method: row[10] as string,
    path: row[11] as string,
    requestId: row[12] as string,
    upstreamHost: row[13] as string,
    upstreamLocalAddress: row[14] as string,
    downstreamLocalAddress: row[15] as string,
    downstreamRemoteAddress: row[16] as string,
    requestHeaders: Array.isArray(requestHeaders) ? objectOf(requestHeaders) : undefined,
    responseHeaders: Array.isArray(responseHeaders) ? objectOf(responseHeaders) : undefined,
  };
}

/** `checkRequest` as a tuple; `route` parts are null when the request matched no route. */
export type CheckRequestTuple = readonly [
  hook: 'checkRequest',
  method: string,
  path: string,
  authority: string,
  headers: HeaderPairs,
  remoteAddress: string,
  virtualHost: string | null,
  cluster: string | null,
];

/** `rateLimit` as a tuple; each descriptor's entries as pairs: key, value, key, value… */
export type RateLimitTuple = readonly [hook: 'rateLimit', domain: string, hitsAddend: number, descriptors: readonly HeaderPairs[]];

export type CompactCall = CheckRequestTuple | RateLimitTuple;

/** A batch call in its compact form when it has one (`call` keeps its map form). */
export function compactCall(call: BatchCall): BatchCall | CompactCall {
  switch (call.hook) {
    case 'checkRequest': {
      const p = call.params;
      return ['checkRequest', p.method, p.path, p.authority, pairsOf(p.headers), p.remoteAddress, p.route?.virtualHost ?? null, p.route?.cluster ?? null];
    }
    case 'rateLimit': {
      const p = call.params;
      const descriptors: string[][] = [];
      for (const d of p.descriptors) {
        const pairs: string[] = [];
        for (const e of d.entries) pairs.push(e.key, e.value);
        descriptors.push(pairs);
      }
      return ['rateLimit', p.domain, p.hitsAddend, descriptors];
    }
    default:
      return call;
  }
}

/**
 * The map form of a batch call, whichever form it came in; a tuple that is not well formed comes
 * back as `{hook, params: undefined}` so that the hook's own checks report it.
 */
export function expandCall(call: unknown): BatchCall {
  if (!Array.isArray(call)) return call as BatchCall;
  const c = call as unknown[];
  if (c[0] === 'checkRequest' && c.length === 8 && typeof c[1] === 'string' && typeof c[2] === 'string' && Array.isArray(c[4])) {
    const params: CheckRequestParams = {
      method: c[1],
      path: c[2],
      authority: typeof c[3] === 'string' ? c[3] : '',
      headers: objectOf(c[4] as unknown[]),
      remoteAddress: typeof c[5] === 'string' ? c[5] : '',
      ...(typeof c[6] === 'string' ? { route: typeof c[7] === 'string' ? { virtualHost: c[6], cluster: c[7] } : { virtualHost: c[6] } } : {}),
    };
    return { hook: 'checkRequest', params };
  }
  if (c[0] === 'rateLimit' && c.length === 4 && typeof c[1] === 'string' && Array.isArray(c[3])) {
    const descriptors = (c[3] as unknown[]).map((pairs) => {
      const entries: { key: string; value: string }[] = [];
      if (Array.isArray(pairs)) for (let i = 0; i + 1 < pairs.length; i += 2) entries.push({ key: String(pairs[i]), value: String(pairs[i + 1]) });
      return { entries };
    });
    const params: RateLimitParams = { domain: c[1], descriptors, hitsAddend: typeof c[2] === 'number' ? c[2] : 1 };
    return { hook: 'rateLimit', params };
  }
  return { hook: (typeof c[0] === 'string' ? c[0] : String(c[0])) as BatchCall['hook'], params: undefined as never };
}

/** A status as a tuple: code, requestsPerUnit, unit, name, limitRemaining, durationUntilResetMs (limit parts null when none matched). */
export type RateLimitStatusTuple = readonly [string, number | null, string | null, string | null, number, number];

/** `rateLimit`'s result as a tuple: overallCode, then one status tuple per descriptor. */
export type RateLimitResultTuple = readonly [string, ...RateLimitStatusTuple[]];

export function compactRateLimitResult(r: RateLimitResult): RateLimitResultTuple {
  const out: [string, ...RateLimitStatusTuple[]] = [r.overallCode];
  for (const s of r.statuses) out.push([s.code, s.limit?.requestsPerUnit ?? null, s.limit?.unit ?? null, s.limit?.name ?? null, s.limitRemaining, s.durationUntilResetMs]);
  return out;
}

/** The result a tuple stands for (the SDK validated it before it was compacted). */
export function expandRateLimitResult(t: unknown): RateLimitResult | undefined {
  if (!Array.isArray(t) || typeof t[0] !== 'string') return undefined;
  const statuses: RateLimitDescriptorStatus[] = [];
  for (let i = 1; i < t.length; i++) {
    const s = t[i] as unknown[];
    if (!Array.isArray(s) || s.length !== 6) return undefined;
    const code = s[0] as RateLimitDescriptorStatus['code'];
    const rest = { limitRemaining: s[4] as number, durationUntilResetMs: s[5] as number };
    if (typeof s[1] === 'number' && typeof s[2] === 'string') {
      const limit = typeof s[3] === 'string' ? { requestsPerUnit: s[1], unit: s[2] as RateLimitUnit, name: s[3] } : { requestsPerUnit: s[1], unit: s[2] as RateLimitUnit };
      statuses.push({ code, limit, ...rest });
    } else statuses.push({ code, ...rest });
  }
  return { overallCode: t[0] as RateLimitResult['overallCode'], statuses };
}

export function pairsOf(headers: Readonly<Record<string, string>>): string[] {
  const pairs: string[] = [];
  for (const name in headers) pairs.push(name, headers[name] as string);
  return pairs;
}

/** Pairs back into an object; a repeated name keeps the last value; non-strings are skipped. */
function objectOf(pairs: readonly unknown[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const name = pairs[i];
    const value = pairs[i + 1];
    if (typeof name === 'string' && typeof value === 'string' && name !== '__proto__') out[name] = value;
  }
  return out;
}
