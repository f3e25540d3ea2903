/**
 * Per-route rules: the first rule whose path prefix (and method, if given) matches decides what
 * the request needs: nothing (public), or a credential with some scopes and claims. Like
 * Envoy's route table, order is the author's: put specific prefixes before general ones.
 */

export type CredentialKind = 'jwt' | 'api_key';
export type ClaimValue = string | number | boolean;

export interface Rule {
  /** Position in `rules`, for logs. */
  readonly index: number;
  readonly pathPrefix: string;
  /** Upper-case; undefined = any method. */
  readonly methods: ReadonlySet<string> | undefined;
  readonly public: boolean;
  /** Credential kinds accepted; undefined = every kind configured. */
  readonly credentials: ReadonlySet<CredentialKind> | undefined;
  readonly scopes: readonly string[];
  /** Claim path (dots for nesting, e.g. `realm_access.roles`) → accepted values (any of). */
  readonly claims: readonly (readonly [string, readonly ClaimValue[]])[];
}

export function findRule(rules: readonly Rule[], method: string, path: string): Rule | undefined {
  const upper = method.toUpperCase();
  return rules.find((rule) => path.startsWith(rule.pathPrefix) && (rule.methods === undefined || rule.methods.has(upper)));
}

/**
 * The path rules are matched against: no query or fragment, dot segments resolved (also
 * percent-encoded ones) and repeated slashes collapsed, so that `/public/../admin` or
 * `/public/%2e%2e/admin` is matched as `/admin`, the path an upstream would serve.
 */
export function normalizePath(raw: string): string {
  const end = raw.search(/[?#]/);
  const path = end === -1 ? raw : raw.slice(0, end);
  // Fast path: nothing to resolve in the common case.
  if (!/\/\/|\/\.|%2e|\\/i.test(path)) return path === '' ? '/' : path;
  let resolved: string;
  try {
    resolved = new URL(path.replace(/\\/g, '/').replace(/\/{2,}/g, '/'), 'http://normalize.invalid').pathname;
  } catch {
    return path;
  }
  return resolved;
}

/** Scopes the rule needs that `granted` lacks. */
export function missingScopes(rule: Rule, granted: ReadonlySet<string>): string[] {
  return rule.scopes.filter((scope) => !granted.has(scope));
}

/** The first claim path whose value is not accepted, or undefined when all match. */
export function mismatchedClaim(rule: Rule, claims: Readonly<Record<string, unknown>> | undefined): string | undefined {
  for (const [path, accepted] of rule.claims) {
    const value = claimAt(claims, path);
    const values = Array.isArray(value) ? value : [value];
    if (!values.some((v) => accepted.includes(v as ClaimValue))) return path;
  }
  return undefined;
}

/** A claim by path: `sub`, or `realm_access.roles` for nested objects. */
export function claimAt(claims: Readonly<Record<string, unknown>> | undefined, path: string): unknown {
  if (claims === undefined) return undefined;
  if (Object.hasOwn(claims, path)) return claims[path];
  let value: unknown = claims;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Scopes in a claim: a space-separated string (RFC 8693 `scope`) or an array (`scp`). */
export function scopesFrom(value: unknown): Set<string> {
  if (typeof value === 'string') return new Set(value.split(' ').filter((s) => s !== ''));
  if (Array.isArray(value)) return new Set(value.filter((s): s is string => typeof s === 'string'));
  return new Set();
}
