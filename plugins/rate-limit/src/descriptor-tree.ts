/**
 * The configured limits, compiled once into a tree per domain, and the lookup Envoy's ratelimit
 * service does for each descriptor of a request:
 *
 *   domain "edge"
 *   ├─ remote_address (any value) ─────────── 100/minute   (each address its own counter)
 *   └─ path = /login ──────────────────────── no limit here
 *      └─ remote_address (any value) ──────── 5/minute
 *
 * Walk the descriptor's entries from the top: at each level the node with the same key and value
 * wins over the node with the same key and no value (the wildcard). The limit is the `rate_limit`
 * of the node reached by the LAST entry. Running out of tree before the last entry, or an entry
 * that matches nothing, means no limit: the descriptor is `OK` and nothing is counted.
 */
import type { RateLimitDescriptor, RateLimitDescriptorStatus } from '@mosn/plugin-sdk';
import type { DescriptorConfig, DomainConfig, RateLimitUnitName } from './config.js';
import { UNIT_MS } from './window.js';

/** A limit as it goes on the wire in a status (`limit`), built once. */
export type WireLimit = NonNullable<RateLimitDescriptorStatus['limit']>;

export interface Limit {
  readonly requestsPerUnit: number;
  readonly unit: RateLimitUnitName;
  readonly unitMs: number;
  readonly wire: WireLimit;
}

interface Node {
  readonly limit: Limit | undefined;
  readonly children: Level | undefined;
}

interface Level {
  /** key → value → node */
  readonly exact: Map<string, Map<string, Node>>;
  /** key → node without a value */
  readonly wildcard: Map<string, Node>;
}

export class DescriptorTree {
  readonly #domains: ReadonlyMap<string, Level>;
  /** How many nodes carry a limit, for the startup log line. */
  readonly limitCount: number;

  private constructor(domains: ReadonlyMap<string, Level>, limitCount: number) {
    this.#domains = domains;
    this.limitCount = limitCount;
  }

  /** The config was validated (no duplicate domains or siblings), so this cannot fail. */
  static compile(domains: readonly DomainConfig[]): DescriptorTree {
    let limitCount = 0;
    const level = (descriptors: readonly DescriptorConfig[]): Level => {
      const result: Level = { exact: new Map(), wildcard: new Map() };
      for (const d of descriptors) {
        const limit = d.rate_limit === undefined ? undefined : compileLimit(d.rate_limit);
        if (limit !== undefined) limitCount++;
        const children = d.descriptors === undefined || d.descriptors.length === 0 ? undefined : level(d.descriptors);
        const node: Node = { limit, children };
        if (d.value === undefined) {
          result.wildcard.set(d.key, node);
        } else {
          let values = result.exact.get(d.key);
          if (values === undefined) result.exact.set(d.key, (values = new Map()));
          values.set(d.value, node);
        }
      }
      return result;
    };
    const compiled = new Map<string, Level>();
    for (const d of domains) compiled.set(d.domain, level(d.descriptors));
    return new DescriptorTree(compiled, limitCount);
  }

  hasDomain(domain: string): boolean {
    return this.#domains.has(domain);
  }

  get domains(): readonly string[] {
    return [...this.#domains.keys()];
  }

  /** The limit that applies to the descriptor's entries, or undefined for none. */
  match(domain: string, entries: RateLimitDescriptor['entries']): Limit | undefined {
    let level = this.#domains.get(domain);
    const last = entries.length - 1;
    for (let i = 0; i <= last && level !== undefined; i++) {
      const entry = entries[i] as RateLimitDescriptor['entries'][number];
      const node = level.exact.get(entry.key)?.get(entry.value) ?? level.wildcard.get(entry.key);
      if (node === undefined) return undefined;
      if (i === last) return node.limit;
      level = node.children;
    }
    return undefined;
  }
}

function compileLimit(config: NonNullable<DescriptorConfig['rate_limit']>): Limit {
  const wire: WireLimit = Object.freeze({
    requestsPerUnit: config.requests_per_unit,
    unit: config.unit,
    ...(config.name === undefined ? {} : { name: config.name }),
  });
  return { requestsPerUnit: config.requests_per_unit, unit: config.unit, unitMs: UNIT_MS[config.unit], wire };
}
