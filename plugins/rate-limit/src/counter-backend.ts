/**
 * Where the counters live. A backend adds `hits` to each counter of one request and returns
 * the counts after the addition, in order; the rate limiter turns them into statuses. The
 * memory backend answers synchronously (no await on the hot path); Redis with a promise.
 */
import type { RateLimitUnitName } from './config.js';

export interface Counter {
  /** The descriptor's key (domain + entries), without the window: see `counter-key.ts`. */
  readonly key: string;
  readonly unit: RateLimitUnitName;
  readonly unitMs: number;
  readonly windowStartMs: number;
}

export interface CounterBackend {
  readonly kind: 'memory' | 'redis';
  /** Adds `hits` to every counter (atomically per counter) and returns the counts after it. */
  increment(counters: readonly Counter[], hits: number, nowMs: number): readonly number[] | Promise<readonly number[]>;
  /** Releases connections and memory; no call follows. */
  close(): Promise<void>;
}
