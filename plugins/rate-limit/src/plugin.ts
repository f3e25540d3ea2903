/**
 * The rate limit plugin's definition, written with @mosn/plugin-sdk only, as any third-party
 * plugin would be. `main.ts` serves it; tests run it in-process with `@mosn/plugin-sdk/testing`
 * (`createRateLimitPlugin({ now })` lets them drive the clock).
 */
import type { PluginDefinition, PluginLogger } from '@mosn/plugin-sdk';
import { rateLimitConfigSchema } from './config.js';
import type { RateLimitConfig } from './config.js';
import type { CounterBackend } from './counter-backend.js';
import { DescriptorTree } from './descriptor-tree.js';
import { MemoryBackend } from './memory-backend.js';
import { RateLimiter } from './rate-limiter.js';
import { RedisBackend } from './redis-backend.js';

export const RATE_LIMIT_PLUGIN_VERSION = '0.1.0';

export interface RateLimitState {
  readonly limiter: RateLimiter;
  readonly backend: CounterBackend;
}

export interface RateLimitPluginOptions {
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

export type RateLimitPluginDefinition = PluginDefinition<typeof rateLimitConfigSchema, RateLimitState>;

export function createRateLimitPlugin(options: RateLimitPluginOptions = {}): RateLimitPluginDefinition {
  return {
    name: 'rate-limit',
    version: RATE_LIMIT_PLUGIN_VERSION,
    config: rateLimitConfigSchema,
    setup({ config, logger }) {
      const tree = DescriptorTree.compile(config.domains);
      const backend = createBackend(config, logger);
      logger.info({ backend: backend.kind, domains: tree.domains, limits: tree.limitCount }, `rate limits loaded: ${tree.limitCount} limit(s) in ${tree.domains.length} domain(s), ${backend.kind} counters`);
      return { limiter: new RateLimiter({ tree, backend, logger, ...(options.now === undefined ? {} : { now: options.now }) }), backend };
    },
    hooks: {
      rateLimit(request, { state }) {
        return state.limiter.shouldRateLimit(request);
      },
    },
    shutdown({ state }) {
      return state.backend.close();
    },
  };
}

/** The plugin as `main.ts` serves it. */
export const rateLimitPlugin: RateLimitPluginDefinition = createRateLimitPlugin();

function createBackend(config: RateLimitConfig, logger: PluginLogger): CounterBackend {
  if (config.backend === 'memory' || config.redis === undefined) return new MemoryBackend(config.max_counters);
  const backend = new RedisBackend({ config: config.redis, logger: logger.child({ component: 'redis' }) });
  backend.start();
  return backend;
}
