/**
 * The proxy's log level: read from the supervisor's state, changed through the SDK's host API
 * (`host/setLogLevel`: the supervisor applies it to itself and every worker). One level for the
 * whole proxy, so MOSN's `log_path` (one logger file) is accepted and the answer says it applies to
 * every logger.
 */
import type { IncomingMessage } from 'node:http';
import type { HostApi } from '@mosn/plugin-sdk';
import { MANAGEMENT_ERROR_CODES, ManagementError, messageOf } from '../errors.js';
import type { AdminContext } from './endpoints.js';
import { readBody } from './http-io.js';

type Level = Parameters<HostApi['setLogLevel']>[0];

export const LEVELS: readonly Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const HOST_TIMEOUT_MS = 5_000;

/** The level this plugin last set, until a supervisor report newer than the change says otherwise. */
export class LogLevelMemo {
  level: string | undefined;
  at = 0;
}

export function getLogLevel(context: AdminContext): { level: string } {
  const host = context.store.host;
  const memo = context.logLevel;
  if (memo.level !== undefined && (host === undefined || host.receivedAt <= memo.at)) return { level: memo.level };
  if (host === undefined) throw new ManagementError(MANAGEMENT_ERROR_CODES.noHostState, 'no state from the supervisor yet (it reports every flush interval); try again in a moment');
  return { level: host.state.logLevel };
}

export async function updateLogLevel(context: AdminContext, req: IncomingMessage): Promise<{ previous: string; level: string; applies_to: string }> {
  const level = parseLevelBody(await readBody(req));
  let result: { previous: string; level: string };
  try {
    result = await withTimeout(context.host.setLogLevel(level), HOST_TIMEOUT_MS);
  } catch (error) {
    if (error instanceof ManagementError) throw error;
    const code = (error as { code?: unknown; data?: { code?: unknown } } | null)?.code;
    if (code === 'MOSN_ERR_PLUGIN_NOT_INITIALIZED') {
      throw new ManagementError(MANAGEMENT_ERROR_CODES.hostUnavailable, `cannot set the log level: the supervisor is not connected (${messageOf(error)})`, { cause: error });
    }
    throw new ManagementError(MANAGEMENT_ERROR_CODES.hostFailed, `the supervisor did not set the log level to ${level}: ${messageOf(error)}`, { cause: error });
  }
  context.logLevel.level = result.level;
  context.logLevel.at = context.store.now();
  context.logger.info({ previous: result.previous, level: result.level }, `log level of the proxy set to ${result.level} (was ${result.previous}) through the admin API`);
  return { previous: result.previous, level: result.level, applies_to: 'the supervisor and every worker' };
}

/** `{"level":"debug"}` or MOSN's `{"log_level":"DEBUG","log_path":"…"}`; levels in any case. */
export function parseLevelBody(body: string): Level {
  const expected = `expected a JSON body {"level": one of ${LEVELS.join(', ')}} (or MOSN's {"log_level": "DEBUG"})`;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new ManagementError(MANAGEMENT_ERROR_CODES.badRequest, `${expected}, found ${body.trim() === '' ? 'an empty body' : 'a body that is not JSON'}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ManagementError(MANAGEMENT_ERROR_CODES.badRequest, `${expected}, found ${JSON.stringify(value)}`);
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => k !== 'level' && k !== 'log_level' && k !== 'log_path');
  if (unknown.length > 0) throw new ManagementError(MANAGEMENT_ERROR_CODES.badRequest, `${expected}, found unknown field(s) ${unknown.join(', ')}`);
  if (fields.level !== undefined && fields.log_level !== undefined) throw new ManagementError(MANAGEMENT_ERROR_CODES.badRequest, `${expected}, found both "level" and "log_level"`);
  const raw = fields.level ?? fields.log_level;
  const level = typeof raw === 'string' ? raw.toLowerCase() : undefined;
  if (level === undefined || !(LEVELS as readonly string[]).includes(level)) throw new ManagementError(MANAGEMENT_ERROR_CODES.badRequest, `${expected}, found ${JSON.stringify(raw) ?? 'no level'}`);
  return level as Level;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ManagementError(MANAGEMENT_ERROR_CODES.hostUnavailable, `cannot set the log level: the supervisor did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
