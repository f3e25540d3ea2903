/**
 * One rate limit call, as Envoy's ratelimit service answers `ShouldRateLimit`:
 *
 *   for each descriptor: the limit from the tree (or none → OK, nothing counted)
 *   one backend call adds hitsAddend to every limited descriptor's counter (over or not)
 *   each status: OVER_LIMIT when the count after the addition exceeds requests_per_unit,
 *                limitRemaining = what is left (0 when over), durationUntilResetMs = to the window's end
 *   overallCode: OVER_LIMIT when any descriptor is
 *
 * Like Envoy's service, a hit over the limit still counts, and a hitsAddend of 0 counts as 1
 * (in Envoy's protocol 0 means "not set").
 */
import type { PluginLogger, RateLimitDescriptorStatus, RateLimitRequest, RateLimitResult } from '@mosn/plugin-sdk';
import type { Counter, CounterBackend } from './counter-backend.js';
import { descriptorKey } from './counter-key.js';
import type { DescriptorTree, Limit } from './descriptor-tree.js';
import { RATE_LIMIT_ERROR_CODES, RateLimitError } from './errors.js';
import { windowStart } from './window.js';

const NO_LIMIT: RateLimitDescriptorStatus = Object.freeze({ code: 'OK', limitRemaining: 0, durationUntilResetMs: 0 });
/** Unknown domains are logged once each; past this many, no more are remembered. */
const MAX_UNKNOWN_DOMAINS_LOGGED = 100;

export interface RateLimiterOptions {
  readonly tree: DescriptorTree;
  readonly backend: CounterBackend;
  readonly logger: PluginLogger;
  /** Milliseconds since the epoch; `Date.now` unless a test drives the clock. */
  readonly now?: () => number;
}

export class RateLimiter {
  readonly #tree: DescriptorTree;
  readonly #backend: CounterBackend;
  readonly #logger: PluginLogger;
  readonly #now: () => number;
  readonly #unknownDomains = new Set<string>();

  constructor(options: RateLimiterOptions) {
    this.#tree = options.tree;
    this.#backend = options.backend;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /** Synchronous with the memory backend; a promise with Redis. Throws a `RateLimitError`. */
  shouldRateLimit(request: RateLimitRequest): RateLimitResult | Promise<RateLimitResult> {
    checkRequest(request);
    const { domain, descriptors } = request;
    if (!this.#tree.hasDomain(domain)) this.#unknownDomain(domain);
    const nowMs = this.#now();
    const limits: (Limit | undefined)[] = [];
    const counters: Counter[] = [];
    for (const descriptor of descriptors) {
      const limit = this.#tree.match(domain, descriptor.entries);
      limits.push(limit);
      if (limit !== undefined) {
        counters.push({ key: descriptorKey(domain, descriptor.entries), unit: limit.unit, unitMs: limit.unitMs, windowStartMs: windowStart(nowMs, limit.unitMs) });
      }
    }
    if (counters.length === 0) return { overallCode: 'OK', statuses: limits.map(() => NO_LIMIT) };
    const hits = Math.max(1, request.hitsAddend);
    const counts = this.#backend.increment(counters, hits, nowMs);
    return Array.isArray(counts)
      ? result(limits, counters, counts, nowMs)
      : (counts as Promise<readonly number[]>).then((c) => result(limits, counters, c, nowMs));
  }

  #unknownDomain(domain: string): void {
    if (this.#unknownDomains.has(domain) || this.#unknownDomains.size >= MAX_UNKNOWN_DOMAINS_LOGGED) return;
    this.#unknownDomains.add(domain);
    this.#logger.warn(
      { domain, domains: this.#tree.domains },
      `rate limit request for domain "${domain}", which the config does not have (configured: ${this.#tree.domains.join(', ')}); every descriptor of it is OK`,
    );
  }
}

function result(limits: readonly (Limit | undefined)[], counters: readonly Counter[], counts: readonly number[], nowMs: number): RateLimitResult {
  let over = false;
  let next = 0;
  const statuses = limits.map((limit): RateLimitDescriptorStatus => {
    if (limit === undefined) return NO_LIMIT;
    const counter = counters[next] as Counter;
    const count = counts[next++] as number;
    const durationUntilResetMs = counter.windowStartMs + counter.unitMs - nowMs;
    if (count > limit.requestsPerUnit) {
      over = true;
      return { code: 'OVER_LIMIT', limit: limit.wire, limitRemaining: 0, durationUntilResetMs };
    }
    return { code: 'OK', limit: limit.wire, limitRemaining: limit.requestsPerUnit - count, durationUntilResetMs };
  });
  return { overallCode: over ? 'OVER_LIMIT' : 'OK', statuses };
}

/** The worker sends well-formed requests; anything else is refused with what was wrong. */
function checkRequest(request: RateLimitRequest): void {
  const invalid = (problem: string): RateLimitError => new RateLimitError(RATE_LIMIT_ERROR_CODES.requestInvalid, `invalid rate limit request: ${problem}`);
  const r = request as Partial<Record<keyof RateLimitRequest, unknown>> | null;
  if (typeof r !== 'object' || r === null) throw invalid(`expected { domain, descriptors, hitsAddend }, found ${typeof r}`);
  if (typeof r.domain !== 'string') throw invalid(`domain: expected a string, found ${typeof r.domain}`);
  if (!Array.isArray(r.descriptors)) throw invalid(`descriptors: expected an array, found ${typeof r.descriptors}`);
  if (typeof r.hitsAddend !== 'number' || !Number.isSafeInteger(r.hitsAddend) || r.hitsAddend < 0) {
    throw invalid(`hitsAddend: expected a whole number of 0 or more, found ${String(r.hitsAddend)}`);
  }
  (r.descriptors as unknown[]).forEach((d, i) => {
    const entries = (d as { entries?: unknown } | null)?.entries;
    if (!Array.isArray(entries)) throw invalid(`descriptors[${i}].entries: expected an array of { key, value }, found ${typeof entries}`);
    entries.forEach((e: unknown, j) => {
      const entry = e as { key?: unknown; value?: unknown } | null;
      if (typeof entry?.key !== 'string' || typeof entry.value !== 'string') {
        throw invalid(`descriptors[${i}].entries[${j}]: expected { key: string, value: string }, found ${JSON.stringify(e) ?? String(e)}`);
      }
    });
  });
}
