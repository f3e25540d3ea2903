/**
 * What a hook may return, checked before it goes on the wire: a typo such as `headersToadd`, a
 * status of 42 or a header value with a line break is the author's bug, and is reported to them
 * (as `MOSN_ERR_PLUGIN_HOOK_RESULT_INVALID`) instead of reaching the proxy.
 *
 * Hand-written rather than zod: these run once per proxied request, and a zod parse of a check
 * result cost more than the rest of the plugin's side of the call.
 */
import type { CallResult, CheckRequestResult, RateLimitResult } from '@mosn/ipc-protocol';
import { RATE_LIMIT_UNITS } from '@mosn/ipc-protocol';

export type ResultCheck<T> = (value: unknown) => { ok: true; value: T } | { ok: false; problem: string };

// RFC 9110 token for names; values without CR, LF or NUL so that nothing can split a header.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[^\r\n\0]*$/;

type Problems = string[];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], at: string, problems: Problems): void {
  for (const key in value) {
    if (!allowed.includes(key)) problems.push(`${at}: unknown key "${key}"; expected ${allowed.join(', ')}`);
  }
}

function checkHeaders(value: unknown, at: string, problems: Problems, optional: boolean): void {
  if (value === undefined && optional) return;
  if (!isObject(value)) {
    problems.push(`${at}: expected an object of header name → value, found ${show(value)}`);
    return;
  }
  for (const name in value) {
    const v = value[name];
    if (!HEADER_NAME.test(name)) problems.push(`${at}.${name}: expected an HTTP header name (a token)`);
    if (typeof v !== 'string') problems.push(`${at}.${name}: expected a string, found ${show(v)}`);
    else if (!HEADER_VALUE.test(v)) problems.push(`${at}.${name}: expected a header value without CR, LF or NUL`);
  }
}

function checkInt(value: unknown, at: string, min: number, max: number, problems: Problems): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.push(`${at}: expected an integer from ${min} to ${max}, found ${show(value)}`);
  }
}

function result<T>(value: unknown, problems: Problems): { ok: true; value: T } | { ok: false; problem: string } {
  return problems.length === 0 ? { ok: true, value: value as T } : { ok: false, problem: problems.map((p) => `✖ ${p}`).join('\n') };
}

export const checkCheckRequestResult: ResultCheck<CheckRequestResult> = (value) => {
  const problems: Problems = [];
  if (!isObject(value)) return result(value, [`expected { action: "allow" | "deny", … }, found ${show(value)}`]);
  if (value['action'] === 'allow') {
    onlyKeys(value, ['action', 'headersToAdd'], 'result', problems);
    checkHeaders(value['headersToAdd'], 'headersToAdd', problems, true);
  } else if (value['action'] === 'deny') {
    onlyKeys(value, ['action', 'status', 'body', 'headers'], 'result', problems);
    checkInt(value['status'], 'status', 200, 599, problems);
    if (value['body'] !== undefined && typeof value['body'] !== 'string') problems.push(`body: expected a string, found ${show(value['body'])}`);
    checkHeaders(value['headers'], 'headers', problems, true);
  } else {
    problems.push(`action: expected "allow" or "deny", found ${show(value['action'])}`);
  }
  return result(value, problems);
};

export const checkCallResult: ResultCheck<CallResult> = (value) => {
  const problems: Problems = [];
  if (!isObject(value)) return result(value, [`expected { status, header, body }, found ${show(value)}`]);
  onlyKeys(value, ['status', 'header', 'body'], 'result', problems);
  if (typeof value['status'] !== 'number' || !Number.isInteger(value['status'])) problems.push(`status: expected an integer, found ${show(value['status'])}`);
  checkHeaders(value['header'], 'header', problems, false);
  if (!(value['body'] instanceof Uint8Array)) problems.push(`body: expected a Uint8Array (e.g. a Buffer), found ${show(value['body'])}`);
  return result(value, problems);
};

const CODES: readonly unknown[] = ['OK', 'OVER_LIMIT'];
const UNITS: readonly unknown[] = RATE_LIMIT_UNITS;

export const checkRateLimitResult: ResultCheck<RateLimitResult> = (value) => {
  const problems: Problems = [];
  if (!isObject(value)) return result(value, [`expected { overallCode, statuses }, found ${show(value)}`]);
  onlyKeys(value, ['overallCode', 'statuses'], 'result', problems);
  if (!CODES.includes(value['overallCode'])) problems.push(`overallCode: expected "OK" or "OVER_LIMIT", found ${show(value['overallCode'])}`);
  const statuses = value['statuses'];
  if (!Array.isArray(statuses)) {
    problems.push(`statuses: expected an array (one status per descriptor), found ${show(statuses)}`);
    return result(value, problems);
  }
  statuses.forEach((status: unknown, i) => {
    const at = `statuses[${i}]`;
    if (!isObject(status)) {
      problems.push(`${at}: expected { code, limitRemaining, durationUntilResetMs, limit? }, found ${show(status)}`);
      return;
    }
    onlyKeys(status, ['code', 'limit', 'limitRemaining', 'durationUntilResetMs'], at, problems);
    if (!CODES.includes(status['code'])) problems.push(`${at}.code: expected "OK" or "OVER_LIMIT", found ${show(status['code'])}`);
    checkInt(status['limitRemaining'], `${at}.limitRemaining`, 0, Number.MAX_SAFE_INTEGER, problems);
    checkInt(status['durationUntilResetMs'], `${at}.durationUntilResetMs`, 0, Number.MAX_SAFE_INTEGER, problems);
    const limit = status['limit'];
    if (limit === undefined) return;
    if (!isObject(limit)) {
      problems.push(`${at}.limit: expected { requestsPerUnit, unit, name? }, found ${show(limit)}`);
      return;
    }
    onlyKeys(limit, ['requestsPerUnit', 'unit', 'name'], `${at}.limit`, problems);
    checkInt(limit['requestsPerUnit'], `${at}.limit.requestsPerUnit`, 0, Number.MAX_SAFE_INTEGER, problems);
    if (!UNITS.includes(limit['unit'])) problems.push(`${at}.limit.unit: expected one of ${RATE_LIMIT_UNITS.join(', ')}, found ${show(limit['unit'])}`);
    if (limit['name'] !== undefined && typeof limit['name'] !== 'string') problems.push(`${at}.limit.name: expected a string, found ${show(limit['name'])}`);
  });
  return result(value, problems);
};

/** Notification hooks (logRecords, logLines, reopenLogs, metrics) return nothing that goes on the wire. */
export const checkNothing: ResultCheck<void> = () => ({ ok: true, value: undefined });
