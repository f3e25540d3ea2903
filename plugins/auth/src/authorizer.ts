/**
 * One request check:
 *
 *   rule for (method, normalized path)   ── none → the `default` action
 *     public → allow                      deny → 403 no_rule
 *     else: credential the rule accepts   ── none presented → 401 + challenges
 *           bearer token first, else API key ── does not verify → 401 invalid_token / invalid_api_key
 *           scopes, then claims             ── not granted → 403
 *           allow, with the forwarded claims / key id as headers upstream
 */
import type { CheckRequest, CheckRequestResult } from '@mosn/plugin-sdk';
import { claimMismatch, insufficientScope, invalidCredential, missingCredentials, noRule } from './responses.js';
import type { AuthPolicy } from './policy.js';
import { claimAt, findRule, mismatchedClaim, missingScopes, normalizePath, scopesFrom } from './rules.js';
import type { CredentialKind, Rule } from './rules.js';
import type { JwtVerification } from './jwt-verifier.js';

export interface Principal {
  readonly kind: CredentialKind;
  readonly scopes: ReadonlySet<string>;
  readonly claims: Readonly<Record<string, unknown>> | undefined;
  readonly headersToAdd: Readonly<Record<string, string>>;
}

const ALLOW: CheckRequestResult = Object.freeze({ action: 'allow' });
const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;
const API_KEY_SCHEME = /^ApiKey[ \t]+([^\s]+)[ \t]*$/i;

/** Synchronous unless a token must be verified (not in the verified-token cache). */
export function authorize(policy: AuthPolicy, request: CheckRequest): CheckRequestResult | Promise<CheckRequestResult> {
  const rule = findRule(policy.rules, request.method, normalizePath(request.path));
  if (rule === undefined) {
    if (policy.defaultAction === 'public') return ALLOW;
    if (policy.defaultAction === 'deny') return noRule();
  } else if (rule.public) {
    return ALLOW;
  }
  const accepted = rule?.credentials ?? policy.kinds;

  const token = accepted.has('jwt') && policy.jwt !== undefined ? bearerToken(request.headers[policy.jwt.header], policy.jwt.header) : undefined;
  const apiKey = token === undefined && accepted.has('api_key') ? apiKeyOf(policy, request.headers) : undefined;
  if (token === undefined && apiKey === undefined) return missingCredentials(ordered(policy, accepted), policy.realm);

  if (token === undefined) return decide(policy, rule, apiKeyPrincipal(policy, apiKey as string));
  const verified = policy.jwt!.verifier.verify(token);
  return verified instanceof Promise ? verified.then((v) => decide(policy, rule, jwtPrincipal(policy, v))) : decide(policy, rule, cachedPrincipal(policy, verified));
}

// A synchronous verification is a verified-token cache hit: the same object for every request
// with that token, so its principal (scopes, forwarded claim headers) is worked out once. Weak:
// an entry goes when the cache drops the token.
const principals = new WeakMap<JwtVerification, Principal | CheckRequestResult>();

function cachedPrincipal(policy: AuthPolicy, verified: JwtVerification): Principal | CheckRequestResult {
  let principal = principals.get(verified);
  if (principal === undefined) {
    principal = jwtPrincipal(policy, verified);
    principals.set(verified, principal);
  }
  return principal;
}

function decide(policy: AuthPolicy, rule: Rule | undefined, principal: Principal | CheckRequestResult): CheckRequestResult {
  if ('action' in principal) return principal;
  if (rule !== undefined) {
    const missing = missingScopes(rule, principal.scopes);
    if (missing.length > 0) return insufficientScope(principal.kind, policy.realm, rule.scopes);
    const claim = mismatchedClaim(rule, principal.claims);
    if (claim !== undefined) return claimMismatch(claim);
  }
  return Object.keys(principal.headersToAdd).length === 0 ? ALLOW : { action: 'allow', headersToAdd: principal.headersToAdd };
}

function jwtPrincipal(policy: AuthPolicy, verified: JwtVerification): Principal | CheckRequestResult {
  const jwt = policy.jwt!;
  if (!verified.ok) return invalidCredential('jwt', policy.realm, verified.description);
  const claims = verified.claims as Record<string, unknown>;
  const headersToAdd: Record<string, string> = {};
  for (const [path, header] of jwt.forwardClaims) {
    const value = headerValue(claimAt(claims, path));
    if (value !== undefined) headersToAdd[header] = value;
  }
  // Frozen: a cache hit hands the same principal, and so the same headers, to every request.
  return { kind: 'jwt', scopes: scopesFrom(claimAt(claims, jwt.scopeClaim)), claims, headersToAdd: Object.freeze(headersToAdd) };
}

function apiKeyPrincipal(policy: AuthPolicy, key: string): Principal | CheckRequestResult {
  const apiKeys = policy.apiKeys!;
  const entry = apiKeys.store.lookup(key);
  if (entry === undefined) return invalidCredential('api_key', policy.realm, 'unknown API key');
  return { kind: 'api_key', scopes: entry.scopes, claims: undefined, headersToAdd: apiKeys.idHeader === undefined ? {} : { [apiKeys.idHeader]: entry.id } };
}

/** The token from `Authorization: Bearer …`, or the bare value of any other configured header. */
function bearerToken(value: string | undefined, header: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (header !== 'authorization') return value.trim() || undefined;
  return BEARER.exec(value)?.[1];
}

function apiKeyOf(policy: AuthPolicy, headers: Readonly<Record<string, string>>): string | undefined {
  const apiKeys = policy.apiKeys;
  if (apiKeys === undefined) return undefined;
  const direct = headers[apiKeys.header]?.trim();
  if (direct !== undefined && direct !== '') return direct;
  const authorization = headers['authorization'];
  return authorization === undefined ? undefined : API_KEY_SCHEME.exec(authorization)?.[1];
}

/** Challenges in the configured order (jwt first), whatever order the rule listed them in. */
function ordered(policy: AuthPolicy, accepted: ReadonlySet<CredentialKind>): CredentialKind[] {
  return [...policy.kinds].filter((kind) => accepted.has(kind));
}

/** A claim as a header value; objects as JSON, arrays joined with ","; never with a line break. */
function headerValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text =
    typeof value === 'string' ? value : Array.isArray(value) && value.every((v) => typeof v !== 'object') ? value.join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[\r\n\0]/.test(text) ? undefined : text;
}
