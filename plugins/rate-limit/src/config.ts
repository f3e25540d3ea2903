/**
 * The rate limit plugin's `config` (under `plugins[].config` in the proxy config), as a zod
 * schema. The limits are written as Envoy's ratelimit service writes them (snake_case, a tree
 * of `descriptors` per `domain`), so a service's existing YAML carries over; several domains
 * live in one config here (`domains: [...]`) where Envoy's service reads one file per domain.
 *
 * Envoy keys this plugin does not implement yet (`shadow_mode`, `detailed_metric`,
 * `unlimited`, `replaces`, `value: "prefix*"`, units beyond a day) are errors that say so,
 * never silently ignored.
 */
import { duration, z } from '@mosn/plugin-sdk';

export const RATE_LIMIT_UNIT_NAMES = Object.freeze(['second', 'minute', 'hour', 'day'] as const);
export type RateLimitUnitName = (typeof RATE_LIMIT_UNIT_NAMES)[number];

export const DEFAULT_KEY_PREFIX = 'mosn:ratelimit:';

const nonEmpty = z.string().min(1, 'expected a non-empty string');

function unsupported(what: string): z.ZodOptional<z.ZodNever> {
  return z.never({ error: `${what} is not supported yet; remove it` }).optional();
}

function positiveDuration(text: string) {
  return duration()
    .refine((ms) => ms > 0, 'expected a duration above 0 such as "15ms"')
    .prefault(text);
}

// Envoy's service upper-cases the unit before looking it up; accept either spelling.
const unit = z.string().transform((text, ctx): RateLimitUnitName => {
  const name = text.toLowerCase();
  if ((RATE_LIMIT_UNIT_NAMES as readonly string[]).includes(name)) return name as RateLimitUnitName;
  const later = ['week', 'month', 'year'].includes(name) ? ` ("${name}" is not supported yet)` : '';
  ctx.addIssue({ code: 'custom', message: `expected one of ${RATE_LIMIT_UNIT_NAMES.join(', ')}${later}, found ${JSON.stringify(text)}` });
  return z.NEVER;
});

const rateLimit = z.strictObject({
  unit,
  requests_per_unit: z
    .number({ error: (issue) => `expected a whole number of requests, found ${JSON.stringify(issue.input)}` })
    .int('expected a whole number of requests')
    .min(0, 'expected 0 or more requests per unit')
    .max(Number.MAX_SAFE_INTEGER),
  /** Shown as the limit's name in statuses (and so in headers and logs). */
  name: nonEmpty.optional(),
  unlimited: unsupported('"unlimited" (leave "rate_limit" out of the descriptor for no limit)'),
  replaces: unsupported('"replaces"'),
});

const value = z
  .string()
  .min(1, 'expected a non-empty value; leave "value" out to match any value of the key')
  .refine((v) => !v.endsWith('*'), {
    error: 'prefix wildcards ("value*") are not supported yet; leave "value" out to match any value of the key',
  });

export interface DescriptorConfig {
  key: string;
  value?: string | undefined;
  rate_limit?: z.output<typeof rateLimit> | undefined;
  descriptors?: DescriptorConfig[] | undefined;
  shadow_mode?: undefined;
  detailed_metric?: undefined;
}

/** A descriptor as written in the config. */
export interface DescriptorConfigInput {
  key: string;
  value?: string | undefined;
  rate_limit?: z.input<typeof rateLimit> | undefined;
  descriptors?: DescriptorConfigInput[] | undefined;
}

const descriptor: z.ZodType<DescriptorConfig, DescriptorConfigInput> = z.lazy(() =>
  z.strictObject({
    key: nonEmpty,
    /** Absent: matches any value of `key`, and each distinct value gets its own counter. */
    value: value.optional(),
    rate_limit: rateLimit.optional(),
    descriptors: descriptorList.optional(),
    shadow_mode: unsupported('"shadow_mode"'),
    detailed_metric: unsupported('"detailed_metric"'),
  }),
);

// Two siblings with the same key and value would be ambiguous: Envoy's service refuses them too.
const descriptorList = z.array(descriptor).superRefine((list, ctx) => {
  const seen = new Map<string, number>();
  list.forEach((d, index) => {
    const id = d.value === undefined ? `key "${d.key}" without a value` : `key "${d.key}" and value "${d.value}"`;
    const first = seen.get(id);
    if (first === undefined) {
      seen.set(id, index);
      return;
    }
    ctx.addIssue({ code: 'custom', path: [index], message: `expected one descriptor per key and value, found a second one with ${id} (first at index ${first})` });
  });
});

const domain = z.strictObject({
  domain: nonEmpty,
  descriptors: descriptorList,
});

const redisUrl = z.string().superRefine((text, ctx) => {
  const problem = checkRedisUrl(text);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const redis = z.strictObject({
  /** `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS. */
  url: redisUrl,
  /** Prepended to every counter key, so that the counters of several deployments can share a Redis. */
  key_prefix: z.string().default(DEFAULT_KEY_PREFIX),
  /** A hook call fails after this long without an answer. The worker's own call timeout must be longer. */
  command_timeout: positiveDuration('15ms'),
  /** A (re)connection attempt that takes longer is abandoned and retried. */
  connect_timeout: positiveDuration('1s'),
  /** Background reconnection: exponential backoff with jitter between these bounds. */
  reconnect: z
    .strictObject({ min_delay: positiveDuration('50ms'), max_delay: positiveDuration('2s') })
    .refine((r) => r.min_delay <= r.max_delay, { error: 'expected min_delay to be at most max_delay', path: ['max_delay'] })
    .prefault({}),
  /** Commands sent and not answered yet; beyond this a call fails at once instead of queueing. */
  max_pending: z.number().int('expected a whole number').min(1, 'expected at least 1').default(1000),
});

export const rateLimitConfigSchema = z
  .strictObject({
    /** `memory`: counters in this process (exact for every worker of one machine). `redis`: shared by every proxy using the Redis. */
    backend: z.enum(['memory', 'redis'], { error: (issue) => `expected "memory" or "redis", found ${JSON.stringify(issue.input)}` }).default('memory'),
    redis: redis.optional(),
    /** memory backend: distinct counters held at most (a wildcard on a client-chosen value must not grow the heap without end). */
    max_counters: z.number().int('expected a whole number').min(1, 'expected at least 1').default(100_000),
    domains: z.array(domain).min(1, 'expected at least one domain with its descriptors'),
  })
  .superRefine((c, ctx) => {
    if (c.backend === 'redis' && c.redis === undefined) {
      ctx.addIssue({ code: 'custom', path: ['redis'], message: 'expected "redis" settings (at least "url") with backend "redis", found none' });
    }
    if (c.backend === 'memory' && c.redis !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['backend'], message: 'expected backend "redis" when "redis" settings are given, found "memory"' });
    }
    const seen = new Map<string, number>();
    c.domains.forEach((d, index) => {
      const first = seen.get(d.domain);
      if (first === undefined) seen.set(d.domain, index);
      else ctx.addIssue({ code: 'custom', path: ['domains', index, 'domain'], message: `expected each domain once, found "${d.domain}" again (first at index ${first})` });
    });
  });

export type RateLimitConfigInput = z.input<typeof rateLimitConfigSchema>;
export type RateLimitConfig = z.output<typeof rateLimitConfigSchema>;
export type RedisConfig = z.output<typeof redis>;
export type DomainConfig = z.output<typeof domain>;

/** undefined when `text` is a usable Redis URL; else what is wrong (without echoing a password). */
function checkRedisUrl(text: string): string | undefined {
  const expected = 'expected a URL such as "redis://127.0.0.1:6379/0" (or "rediss://" for TLS)';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${expected}, found ${JSON.stringify(redactUrl(text))}`;
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return `${expected}, found the scheme "${url.protocol.slice(0, -1)}"`;
  if (url.hostname === '') return `${expected}, found no host`;
  if (!/^\/?(\d+)?$/.test(url.pathname)) return `${expected}: the path is a database number, found ${JSON.stringify(url.pathname)}`;
  return undefined;
}

/** The URL without its user and password, for messages and logs. */
export function redactUrl(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//***@');
}
