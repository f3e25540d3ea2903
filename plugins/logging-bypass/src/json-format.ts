/**
 * JSON lines, for an access log without `log_format`: one object per record, always the same
 * keys in the same order (the `%variable%` names), so that `jq` and log shippers can rely on them.
 *
 *   {"start_time":"2024-05-01T09:30:00.123Z","request_received_duration":0.5,…,"request_id":null}
 *
 * - `start_time`: ISO 8601 in UTC with milliseconds (text formats use local time, as MOSN does).
 * - durations: milliseconds as numbers (at most 3 fraction digits); counts and `response_code`
 *   as integers.
 * - a missing value is `null`: a duration that did not happen, an empty string, `response_code` 0.
 * - `request_headers` / `response_headers`: only when the record carries headers (formats that
 *   name them), as objects of lower-case name → value.
 *
 * Written by hand rather than with `JSON.stringify(object)`: no intermediate object per record,
 * and the key order is fixed by this code, not by the order the fields arrived in.
 */
import type { AccessLogRecord } from '@mosn/plugin-sdk';
import { durationMs } from './variables.js';

function str(value: string | undefined): string {
  return typeof value === 'string' && value !== '' ? JSON.stringify(value) : 'null';
}

function num(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? 'null' : String(value);
}

function count(value: number): string {
  return Number.isFinite(value) && value >= 0 ? String(Math.trunc(value)) : 'null';
}

/** `"2024-05-01T09:30:00.123Z"`; the part up to the second is computed once per second. */
function createIsoTimeFormatter(): (epochMs: number) => string {
  let second = Number.NaN;
  let prefix = '';
  return (epochMs) => {
    if (!Number.isFinite(epochMs) || epochMs <= 0) return 'null';
    const ms = Math.floor(epochMs);
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      prefix = `"${new Date(s * 1000).toISOString().slice(0, 20)}`; // "2024-05-01T09:30:00.
      second = s;
    }
    const frac = ms - s * 1000;
    return `${prefix}${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}Z"`;
  };
}

function headers(value: Readonly<Record<string, string>> | undefined): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : '';
}

/**
 * A JSON lines renderer: one record as one JSON object (without the newline). Each renderer has
 * its own per-second time cache, like a compiled text format.
 */
export function createJsonLineFormatter(): (record: AccessLogRecord) => string {
  const time = createIsoTimeFormatter();
  return (r) => formatJson(r, time);
}

function formatJson(r: AccessLogRecord, time: (epochMs: number) => string): string {
  const requestHeaders = headers(r.requestHeaders);
  const responseHeaders = headers(r.responseHeaders);
  return (
    `{"start_time":${time(r.startTime)}` +
    `,"request_received_duration":${num(durationMs(r.requestReceivedDuration))}` +
    `,"response_received_duration":${num(durationMs(r.responseReceivedDuration))}` +
    `,"duration":${num(durationMs(r.duration))}` +
    `,"bytes_sent":${count(r.bytesSent)}` +
    `,"bytes_received":${count(r.bytesReceived)}` +
    `,"protocol":${str(r.protocol)}` +
    `,"response_code":${r.responseCode > 0 ? count(r.responseCode) : 'null'}` +
    `,"response_flag":${str(r.responseFlag)}` +
    `,"upstream_local_address":${str(r.upstreamLocalAddress)}` +
    `,"downstream_local_address":${str(r.downstreamLocalAddress)}` +
    `,"downstream_remote_address":${str(r.downstreamRemoteAddress)}` +
    `,"upstream_host":${str(r.upstreamHost)}` +
    `,"request_method":${str(r.method)}` +
    `,"request_path":${str(r.path)}` +
    `,"request_id":${str(r.requestId)}` +
    (requestHeaders === '' ? '' : `,"request_headers":${requestHeaders}`) +
    (responseHeaders === '' ? '' : `,"response_headers":${responseHeaders}`) +
    '}'
  );
}
