// Picks the virtual host for a request's authority, with Envoy's precedence:
//   1. exact domain              www.example.com
//   2. suffix wildcard, longest  *.example.com, *-api.example.com
//   3. prefix wildcard, longest  www.example.*, api-*
//   4. "*"
// The authority is compared lower-cased, with its port stripped. When some domain names a port
// ("example.com:8443", as Envoy allows), the full "host:port" is also tried, first, in each tier.
// A wildcard never matches an empty part: "*.example.com" does not match "example.com".
// Domains are indexed at compile time (maps per wildcard length), so a lookup costs a few map
// probes and no regular expression, whatever the number of domains.

export interface VirtualHostMatcher<T> {
  find(authority: string | undefined): T | undefined;
}

interface WildcardTier<T> {
  /** Length of the fixed part of the wildcards in this tier; tiers are sorted longest first. */
  readonly length: number;
  readonly byFixedPart: Map<string, T>;
}

/** Builds the index. Domains are expected lower-case (the config loader lower-cases them). */
export function compileVirtualHostMatcher<T>(
  entries: readonly { readonly domains: readonly string[]; readonly value: T }[],
): VirtualHostMatcher<T> {
  const exact = new Map<string, T>();
  const suffixes = new Map<number, Map<string, T>>();
  const prefixes = new Map<number, Map<string, T>>();
  let any: T | undefined;
  let portAware = false;
  for (const { domains, value } of entries) {
    for (const raw of domains) {
      const domain = raw.toLowerCase();
      if (domain.includes(':')) portAware = true;
      // First definition wins; the config loader rejects duplicates anyway.
      if (domain === '*') any ??= value;
      else if (domain.startsWith('*')) addOnce(suffixes, domain.slice(1), value);
      else if (domain.endsWith('*')) addOnce(prefixes, domain.slice(0, -1), value);
      else if (!exact.has(domain)) exact.set(domain, value);
    }
  }
  return new DomainIndex(exact, tiers(suffixes), tiers(prefixes), any, portAware);
}

function addOnce<T>(byLength: Map<number, Map<string, T>>, fixed: string, value: T): void {
  let tier = byLength.get(fixed.length);
  if (tier === undefined) byLength.set(fixed.length, (tier = new Map()));
  if (!tier.has(fixed)) tier.set(fixed, value);
}

function tiers<T>(byLength: Map<number, Map<string, T>>): WildcardTier<T>[] {
  return [...byLength].map(([length, byFixedPart]) => ({ length, byFixedPart })).sort((a, b) => b.length - a.length);
}

class DomainIndex<T> implements VirtualHostMatcher<T> {
  constructor(
    private readonly exact: Map<string, T>,
    private readonly suffixes: readonly WildcardTier<T>[],
    private readonly prefixes: readonly WildcardTier<T>[],
    private readonly any: T | undefined,
    private readonly portAware: boolean,
  ) {}

  find(authority: string | undefined): T | undefined {
    if (authority === undefined || authority === '') return this.any;
    const full = authority.toLowerCase();
    const bare = stripPort(full);
    // Without port-naming domains the full form can only repeat the bare lookups: skip it.
    if (bare === full || !this.portAware) return this.lookup(bare, undefined);
    return this.lookup(full, bare);
  }

  /** Tier by tier, `first` then `second` (when given). */
  private lookup(first: string, second: string | undefined): T | undefined {
    let found = this.exact.get(first);
    if (found === undefined && second !== undefined) found = this.exact.get(second);
    if (found !== undefined) return found;

    for (const { length, byFixedPart } of this.suffixes) {
      if (first.length > length) found = byFixedPart.get(first.slice(first.length - length));
      if (found === undefined && second !== undefined && second.length > length) {
        found = byFixedPart.get(second.slice(second.length - length));
      }
      if (found !== undefined) return found;
    }
    for (const { length, byFixedPart } of this.prefixes) {
      if (first.length > length) found = byFixedPart.get(first.slice(0, length));
      if (found === undefined && second !== undefined && second.length > length) found = byFixedPart.get(second.slice(0, length));
      if (found !== undefined) return found;
    }
    return this.any;
  }
}

/** "example.com:8080" → "example.com", "[::1]:8080" → "[::1]"; unchanged when there is no port. */
export function stripPort(authority: string): string {
  let colon: number;
  if (authority.charCodeAt(0) === 0x5b /* [ */) {
    const close = authority.indexOf(']');
    if (close < 0 || close + 1 >= authority.length || authority.charCodeAt(close + 1) !== 0x3a /* : */) return authority;
    colon = close + 1;
  } else {
    colon = authority.lastIndexOf(':');
    // No colon, or a bare IPv6 address (several colons) which cannot carry a port.
    if (colon <= 0 || authority.indexOf(':') !== colon) return authority;
  }
  // An empty port ("example.com:") is allowed by RFC 3986 and means the default one; the loop
  // below does not run and the colon goes.
  for (let i = colon + 1; i < authority.length; i++) {
    const c = authority.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return authority;
  }
  return authority.slice(0, colon);
}
