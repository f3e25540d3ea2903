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
 * - `request_headers` / `response_headers`: only when the row carries headers (a JSON log has no
 *   format to name them, so today they never appear; the layout keeps their place).
 *
 * Written by hand rather than with `JSON.stringify(object)`: no intermediate object per record,
 * and the key order is fixed by this code.
 */
import type { AccessLogRow } from '@mosn/ipc-protocol';
import { durationDigits } from './log-values.js';
import type { RowRenderer } from './log-line.js';

function str(value: string): string {
  return typeof value === 'string' && value !== '' ? JSON.stringify(value) : 'null';
}

/** A duration as a JSON number of milliseconds, or null when the step did not happen. */
function ms(value: number): string {
  return durationDigits(value) ?? 'null';
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

/** Header pairs as a JSON object; '' when the row carries none (null). */
function headers(pairs: readonly string[] | null): string {
  if (pairs === null) return '';
  let out = '{';
  for (let i = 0; i < pairs.length; i += 2) out += `${i === 0 ? '' : ','}${JSON.stringify(pairs[i])}:${JSON.stringify(pairs[i + 1])}`;
  return out + '}';
}

/** A JSON lines renderer, with its own per-second time cache (like a compiled text format). */
export function createJsonLine(): RowRenderer {
  const time = createIsoTimeFormatter();
  return (r) => formatJson(r, time);
}

function formatJson(r: AccessLogRow, time: (epochMs: number) => string): string {
  const requestHeaders = headers(r[17]);
  const responseHeaders = headers(r[18]);
  return (
    `{"start_time":${time(r[1])}` +
    `,"request_received_duration":${ms(r[2])}` +
    `,"response_received_duration":${ms(r[3])}` +
    `,"duration":${ms(r[4])}` +
    `,"bytes_sent":${count(r[6])}` +
    `,"bytes_received":${count(r[5])}` +
    `,"protocol":${str(r[7])}` +
    `,"response_code":${r[8] > 0 ? count(r[8]) : 'null'}` +
    `,"response_flag":${str(r[9])}` +
    `,"upstream_local_address":${str(r[14])}` +
    `,"downstream_local_address":${str(r[15])}` +
    `,"downstream_remote_address":${str(r[16])}` +
    `,"upstream_host":${str(r[13])}` +
    `,"request_method":${str(r[10])}` +
    `,"request_path":${str(r[11])}` +
    `,"request_id":${str(r[12])}` +
    (requestHeaders === '' ? '' : `,"request_headers":${requestHeaders}`) +
    (responseHeaders === '' ? '' : `,"response_headers":${responseHeaders}`) +
    '}'
  );
}
