/**
 * `plugin/rateLimit`: Envoy's rate limit service (RLS) semantics over the plugin protocol. The
 * worker builds descriptors per request from its `rate_limit` filter's actions; the plugin owns
 * the limits and the counters (one place that counts, for every worker — and, with a shared
 * backend, every machine).
 */
import { ParameterStructures, RequestType } from 'vscode-jsonrpc/node';
import type { PluginErrorData } from './plugin.js';

export const RATE_LIMIT_UNITS = Object.freeze(['second', 'minute', 'hour', 'day'] as const);
export type RateLimitUnit = (typeof RATE_LIMIT_UNITS)[number];

export type RateLimitCode = 'OK' | 'OVER_LIMIT';

/** One entry of a descriptor, e.g. `{ key: 'remote_address', value: '10.0.0.7' }`. */
export interface RateLimitEntry {
  readonly key: string;
  readonly value: string;
}

/** An ordered list of entries; matched against the plugin's descriptor tree (Envoy RLS). */
export interface RateLimitDescriptor {
  readonly entries: readonly RateLimitEntry[];
}

export interface RateLimitParams {
  readonly domain: string;
  readonly descriptors: readonly RateLimitDescriptor[];
  /** How many hits this request counts for (Envoy's `hits_addend`); 1 for a request. */
  readonly hitsAddend: number;
}

export interface RateLimitLimit {
  readonly requestsPerUnit: number;
  readonly unit: RateLimitUnit;
  /** Optional name of the limit, for headers and logs. */
  readonly name?: string;
}

/** The status of one descriptor, in the order of `RateLimitParams.descriptors`. */
export interface RateLimitDescriptorStatus {
  readonly code: RateLimitCode;
  /** The limit that applied; absent when no limit matched the descriptor. */
  readonly limit?: RateLimitLimit;
  /** Requests left in the current window after this one (0 when over the limit). */
  readonly limitRemaining: number;
  /** Milliseconds until the current window ends. */
  readonly durationUntilResetMs: number;
}

export interface RateLimitResult {
  /** `OVER_LIMIT` when any descriptor is over its limit. */
  readonly overallCode: RateLimitCode;
  readonly statuses: readonly RateLimitDescriptorStatus[];
}

/** `plugin/rateLimit`: count this request against the matching limits and say whether it is over. */
export const PluginRateLimit = new RequestType<RateLimitParams, RateLimitResult, PluginErrorData>(
  'plugin/rateLimit',
  ParameterStructures.byName,
);
