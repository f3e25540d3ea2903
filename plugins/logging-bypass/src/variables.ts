/**
 * The `%variable%` names a MOSN `log_format` may use, and how each is rendered in a text line.
 * The proxy's config loader accepts exactly this set (plus `%REQ.<header>%` / `%RESP.<header>%`),
 * so keep the two in step.
 *
 * Renderings (a missing value is always `-`):
 * - `start_time`: local time as MOSN prints it, `2006/01/02 15:04:05.000`.
 * - durations: milliseconds as a decimal number, at most 3 fraction digits (`0.25`, `12`);
 *   `-` when the step did not happen (the record says -1).
 * - byte counts and `response_code`: decimal integers; `response_code` 0 (nothing sent) is `-`.
 * - strings (method, path, addresses, headers, …): as received; `"`, `\` and control characters
 *   are written as `\xHH` (nginx's escaping) so that one record is always one line.
 */
import type { AccessLogRecord } from '@mosn/plugin-sdk';

/** Every `%variable%` of a MOSN access log format, besides `%REQ.<header>%` and `%RESP.<header>%`. */
export const ACCESS_LOG_VARIABLES = Object.freeze([
  'start_time',
  'request_received_duration',
  'response_received_duration',
  'duration',
  'bytes_sent',
  'bytes_received',
  'protocol',
  'response_code',
  'response_flag',
  'upstream_local_address',
  'downstream_local_address',
  'downstream_remote_address',
  'upstream_host',
  'request_method',
  'request_path',
  'request_id',
] as const);

export type AccessLogVariable = (typeof ACCESS_LOG_VARIABLES)[number];

/** Prefixes of header variables: `%REQ.x-request-id%`, `%RESP.content-type%`. */
export const ACCESS_LOG_HEADER_PREFIXES = Object.freeze({ request: 'REQ.', response: 'RESP.' } as const);

export const MISSING = '-';

const UNSAFE = /["\\\u0000-\u001f\u007f]/;
const UNSAFE_ALL = /["\\\u0000-\u001f\u007f]/g;

function hexEscape(char: string): string {
  return `\\x${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}

/** A string value for a text line: `-` when empty, unsafe characters as `\xHH`. */
export function textValue(value: string | undefined): string {
  if (typeof value !== 'string' || value === '') return MISSING;
  return UNSAFE.test(value) ? value.replace(UNSAFE_ALL, hexEscape) : value;
}

/** Milliseconds rounded to microseconds; undefined when the step did not happen (negative). */
export function durationMs(value: number): number | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  return Math.round(value * 1000) / 1000;
}

export function durationText(value: number): string {
  const ms = durationMs(value);
  return ms === undefined ? MISSING : String(ms);
}

export function countText(value: number): string {
  return Number.isFinite(value) && value >= 0 ? String(Math.trunc(value)) : MISSING;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n);
}

/**
 * `2006/01/02 15:04:05.000` in local time. Records of one batch mostly start within the same
 * second, so the date part is computed once per second (one Date per second instead of per record).
 */
export function createStartTimeFormatter(): (epochMs: number) => string {
  let second = Number.NaN;
  let prefix = '';
  return (epochMs) => {
    if (!Number.isFinite(epochMs) || epochMs <= 0) return MISSING;
    const ms = Math.floor(epochMs);
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      const d = new Date(s * 1000);
      prefix = `${d.getFullYear()}/${pad2(d.getMonth() + 1)}/${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.`;
      second = s;
    }
    return prefix + pad3(ms - s * 1000);
  };
}

type Render = (record: AccessLogRecord) => string;

/** The text renderer of each variable; `startTime` is shared by one compiled format. */
export function variableRenderer(name: AccessLogVariable, startTime: (epochMs: number) => string): Render {
  switch (name) {
    case 'start_time':
      return (r) => startTime(r.startTime);
    case 'request_received_duration':
      return (r) => durationText(r.requestReceivedDuration);
    case 'response_received_duration':
      return (r) => durationText(r.responseReceivedDuration);
    case 'duration':
      return (r) => durationText(r.duration);
    case 'bytes_sent':
      return (r) => countText(r.bytesSent);
    case 'bytes_received':
      return (r) => countText(r.bytesReceived);
    case 'protocol':
      return (r) => textValue(r.protocol);
    case 'response_code':
      return (r) => (r.responseCode > 0 ? countText(r.responseCode) : MISSING);
    case 'response_flag':
      return (r) => textValue(r.responseFlag);
    case 'upstream_local_address':
      return (r) => textValue(r.upstreamLocalAddress);
    case 'downstream_local_address':
      return (r) => textValue(r.downstreamLocalAddress);
    case 'downstream_remote_address':
      return (r) => textValue(r.downstreamRemoteAddress);
    case 'upstream_host':
      return (r) => textValue(r.upstreamHost);
    case 'request_method':
      return (r) => textValue(r.method);
    case 'request_path':
      return (r) => textValue(r.path);
    case 'request_id':
      return (r) => textValue(r.requestId);
  }
}

export function isAccessLogVariable(name: string): name is AccessLogVariable {
  return (ACCESS_LOG_VARIABLES as readonly string[]).includes(name);
}
