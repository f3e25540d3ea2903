// The per-listener `stream_filters` (our extension), dispatched on `type`:
//   auth, plugin      ask a plugin's request check (plugin.ts has the plugin list itself)
//   rate_limit        Envoy-style descriptors sent to a rate limit plugin
//   local_rate_limit  a token bucket in each worker
//   access_log        the listener's MOSN `access_logs`, batched to a logging plugin
// Failure modes that depend on the plugin list are settled later (settleFailureMode).

import { z } from 'zod';
import type { AccessLogConfig, FailureMode, PluginConfig, RateLimitActionConfig, StreamFilterConfig } from '../types.js';
import { MOSN_UNSUPPORTED_VALUES } from '../mosn-keys.js';
import { parseLogFormat } from '../access-log-format.js';
import { describe, duration, isRecord, mosnObject, nonEmptyString, oneOf } from './common.js';

export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;
export const RATE_LIMIT_FILTER_DEFAULTS = Object.freeze({ timeout: 20, status: 429, failure_status: 503 });
// A batch costs each side a wake-up and a message whatever its size: 1000 records a batch took
// the logging plugin from ~16 to ~6 CPU µs per record against 100 (bench/http mosn-log), and 4000
// from ~1.0 to ~0.5 against 1000 once it read into a reusable buffer (session 13). Beyond that,
// each batch still cost the worker ~2 ms of CPU (one worker at ~37k req/s, 18 alternating pairs:
// batches of 16 000 every 400 ms saved 0.40 ± 0.18 µs a request against 4000 every 100 ms), so a
// batch holds up to 16 000 records and waits up to 500 ms (Envoy's file access logs flush every
// 10 s by default, or when their buffer fills). The queue holds a batch in flight, one filling and
// room to spare.
export const ACCESS_LOG_FILTER_DEFAULTS = Object.freeze({ batch_size: 16_000, flush_interval: 500, queue_size: 40_000 });

export const failureMode = oneOf('failure mode', ['closed', 'open']);

type WithOptionalMode<F> = F extends { type: infer T; config: infer C extends { failure_mode: FailureMode } }
  ? { type: T; config: Omit<C, 'failure_mode'> & { failure_mode: FailureMode | undefined } }
  : F;

/** A stream filter as parsed; a failure mode left out is settled once the plugin list is known. */
export type ParsedStreamFilter = WithOptionalMode<StreamFilterConfig>;

const cache = mosnObject('filterCache', {
  header: nonEmptyString.transform((h) => h.toLowerCase()),
  ttl: duration(),
  max_entries: z.number().int().min(1).max(1_000_000).default(DEFAULT_CACHE_MAX_ENTRIES),
});

const status = z.number().int().min(200).max(599);

const checkFilter = (type: 'auth' | 'plugin') =>
  mosnObject('streamFilter', {
    type: z.literal(type),
    config: mosnObject('pluginFilter', {
      plugin: nonEmptyString,
      failure_mode: failureMode.optional(),
      failure_status: status.optional(),
      cache: cache.optional(),
    }),
  }).transform(
    (f): ParsedStreamFilter => ({
      type,
      config: {
        plugin: f.config.plugin,
        failure_mode: f.config.failure_mode,
        // auth says "forbidden" when it cannot decide; a generic check says "unavailable".
        failure_status: f.config.failure_status ?? (type === 'auth' ? 403 : 503),
        cache: f.config.cache === undefined ? undefined : { header: f.config.cache.header, ttl: f.config.cache.ttl, max_entries: f.config.cache.max_entries },
      },
    }),
  );

// Envoy's rate limit actions, one key each: `{ "remote_address": {} }`.
const ACTIONS = {
  remote_address: mosnObject('rateLimitAction', { remote_address: mosnObject('rateLimitActionBody', {}) }).transform(
    (): RateLimitActionConfig => ({ type: 'remote_address' }),
  ),
  destination_cluster: mosnObject('rateLimitAction', { destination_cluster: mosnObject('rateLimitActionBody', {}) }).transform(
    (): RateLimitActionConfig => ({ type: 'destination_cluster' }),
  ),
  generic_key: mosnObject('rateLimitAction', {
    generic_key: mosnObject('rateLimitActionBody', { descriptor_key: nonEmptyString.default('generic_key'), descriptor_value: nonEmptyString }),
  }).transform((a): RateLimitActionConfig => ({ type: 'generic_key', descriptor_key: a.generic_key.descriptor_key, descriptor_value: a.generic_key.descriptor_value })),
  request_headers: mosnObject('rateLimitAction', {
    request_headers: mosnObject('rateLimitActionBody', {
      header_name: nonEmptyString,
      descriptor_key: nonEmptyString,
      skip_if_absent: z.boolean().default(false),
    }),
  }).transform(
    (a): RateLimitActionConfig => ({
      type: 'request_headers',
      header_name: a.request_headers.header_name.toLowerCase(),
      descriptor_key: a.request_headers.descriptor_key,
      skip_if_absent: a.request_headers.skip_if_absent,
    }),
  ),
} as const;
const ACTION_KEYS = Object.keys(ACTIONS) as (keyof typeof ACTIONS)[];

// Dispatched on the one key, so that a problem is reported inside that action, in its words.
const rateLimitAction = z.unknown().transform((value, ctx): RateLimitActionConfig => {
  const keys = isRecord(value) ? Object.keys(value) : [];
  const key = keys[0] as keyof typeof ACTIONS;
  if (!isRecord(value) || keys.length !== 1 || !ACTION_KEYS.includes(key)) {
    const found = isRecord(value) ? (keys.length === 0 ? 'an empty object' : `keys ${keys.map((k) => JSON.stringify(k)).join(', ')}`) : describe(value);
    ctx.addIssue({ code: 'custom', message: `expected an object with exactly one of ${ACTION_KEYS.map((k) => JSON.stringify(k)).join(', ')}, found ${found}` });
    return z.NEVER;
  }
  const parsed = ACTIONS[key].safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: issue.message, path: issue.path } as never);
  return z.NEVER;
});

const rateLimitFilter = mosnObject('streamFilter', {
  type: z.literal('rate_limit'),
  config: mosnObject('rateLimitFilter', {
    plugin: nonEmptyString,
    domain: nonEmptyString,
    rate_limits: z.array(mosnObject('rateLimit', { actions: z.array(rateLimitAction).min(1) })).min(1),
    failure_mode: failureMode.optional(),
    timeout: duration().default(RATE_LIMIT_FILTER_DEFAULTS.timeout),
    status: status.default(RATE_LIMIT_FILTER_DEFAULTS.status),
    failure_status: status.default(RATE_LIMIT_FILTER_DEFAULTS.failure_status),
  }),
}).transform(
  (f): ParsedStreamFilter => ({
    type: 'rate_limit',
    config: {
      plugin: f.config.plugin,
      domain: f.config.domain,
      rate_limits: f.config.rate_limits.map((r) => ({ actions: r.actions })),
      failure_mode: f.config.failure_mode,
      timeout: f.config.timeout,
      status: f.config.status,
      failure_status: f.config.failure_status,
    },
  }),
);

const localRateLimitFilter = mosnObject('streamFilter', {
  type: z.literal('local_rate_limit'),
  config: mosnObject('localRateLimitFilter', {
    max_tokens: z.number().int().min(1).max(1_000_000_000),
    tokens_per_fill: z.number().int().min(1).max(1_000_000_000).optional(),
    fill_interval: duration(),
    status: status.default(429),
  })
    .superRefine(
      (c, ctx) => {
        if (typeof c['fill_interval'] === 'number' && c['fill_interval'] < 1) {
          ctx.addIssue({ code: 'custom', path: ['fill_interval'], message: 'expected a fill_interval of at least 1ms, found 0' });
        }
      },
      { when: (payload) => isRecord(payload.value) },
    ),
}).transform(
  (f): ParsedStreamFilter => ({
    type: 'local_rate_limit',
    config: {
      max_tokens: f.config.max_tokens,
      // Envoy's default: the bucket refills completely each interval.
      tokens_per_fill: f.config.tokens_per_fill ?? f.config.max_tokens,
      fill_interval: f.config.fill_interval,
      status: f.config.status,
    },
  }),
);

const accessLogFilter = mosnObject('streamFilter', {
  type: z.literal('access_log'),
  config: mosnObject('accessLogFilter', {
    plugin: nonEmptyString,
    batch_size: z.number().int().min(1).max(100_000).default(ACCESS_LOG_FILTER_DEFAULTS.batch_size),
    flush_interval: duration().default(ACCESS_LOG_FILTER_DEFAULTS.flush_interval),
    queue_size: z.number().int().min(1).max(10_000_000).default(ACCESS_LOG_FILTER_DEFAULTS.queue_size),
  }),
}).transform(
  (f): ParsedStreamFilter => ({
    type: 'access_log',
    config: { plugin: f.config.plugin, batch_size: f.config.batch_size, flush_interval: f.config.flush_interval, queue_size: f.config.queue_size },
  }),
);

const STREAM_FILTER_TYPES = ['auth', 'plugin', 'rate_limit', 'local_rate_limit', 'access_log'] as const;

const byType = {
  auth: checkFilter('auth'),
  plugin: checkFilter('plugin'),
  rate_limit: rateLimitFilter,
  local_rate_limit: localRateLimitFilter,
  access_log: accessLogFilter,
} as const;

export const streamFilterSchema = z.unknown().transform((value, ctx): ParsedStreamFilter => {
  if (!isRecord(value)) {
    ctx.addIssue({ code: 'custom', message: `expected an object, found ${describe(value)}` });
    return z.NEVER;
  }
  const type = oneOf('stream filter type', STREAM_FILTER_TYPES, MOSN_UNSUPPORTED_VALUES.streamFilterType).safeParse(value['type']);
  if (!type.success) {
    for (const issue of type.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: ['type'] });
    return z.NEVER;
  }
  const parsed = byType[type.data].safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: issue.message, path: issue.path } as never);
  return z.NEVER;
});

/** Filter's own mode, else its plugin's, else the type's default (auth fails closed; a generic check and a rate limit open). */
export function settleFailureMode(filter: ParsedStreamFilter, plugins: readonly PluginConfig[]): StreamFilterConfig {
  if (filter.type === 'local_rate_limit' || filter.type === 'access_log') return filter;
  const plugin = plugins.find((p) => p.name === filter.config.plugin);
  const mode = filter.config.failure_mode ?? plugin?.failure_mode ?? (filter.type === 'auth' ? 'closed' : 'open');
  return { ...filter, config: { ...filter.config, failure_mode: mode } } as unknown as StreamFilterConfig;
}

/** A listener's MOSN `access_logs` entry; the format is checked here, at load. */
export const accessLogSchema = mosnObject('accessLog', {
  log_path: nonEmptyString,
  log_format: nonEmptyString.optional(),
}).transform((a, ctx): AccessLogConfig => {
  let headers = { requestHeaders: [] as string[], responseHeaders: [] as string[] };
  if (a.log_format !== undefined) {
    try {
      headers = parseLogFormat(a.log_format);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['log_format'], message: (error as Error).message });
      return z.NEVER;
    }
  }
  return { log_path: a.log_path, log_format: a.log_format, request_headers: headers.requestHeaders, response_headers: headers.responseHeaders };
});
