/**
 * The answers a denied request gets: 401 with a `WWW-Authenticate` challenge per accepted
 * credential kind (RFC 6750 `Bearer` for tokens, `ApiKey` for keys) when the credential is
 * missing or invalid; 403 when it is valid but not allowed. The body is a small JSON object with
 * the same stable reason as the `error` parameter.
 */
import type { CheckRequestDeny } from '@mosn/plugin-sdk';
import { AUTH_DENY_REASONS } from './errors.js';
import type { AuthDenyReason } from './errors.js';
import type { CredentialKind } from './rules.js';

const SCHEME: Record<CredentialKind, string> = { jwt: 'Bearer', api_key: 'ApiKey' };

/** Parameters of one challenge; values are quoted-strings, so quotes and backslashes are dropped. */
function challenge(kind: CredentialKind, realm: string, params: Readonly<Record<string, string>> = {}): string {
  const parts = [`realm="${realm}"`, ...Object.entries(params).map(([k, v]) => `${k}="${v.replace(/["\\\r\n]/g, '')}"`)];
  return `${SCHEME[kind]} ${parts.join(', ')}`;
}

function deny(status: number, reason: AuthDenyReason, description: string, headers: Record<string, string> = {}): CheckRequestDeny {
  return {
    action: 'deny',
    status,
    headers: { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify({ error: reason, error_description: description }),
  };
}

/** 401 without a usable credential: one challenge per kind the route accepts, no error (RFC 6750 §3.1). */
export function missingCredentials(kinds: Iterable<CredentialKind>, realm: string): CheckRequestDeny {
  const challenges = [...kinds].map((kind) => challenge(kind, realm));
  return deny(401, AUTH_DENY_REASONS.missingCredentials, 'authentication is required', { 'www-authenticate': challenges.join(', ') });
}

export function invalidCredential(kind: CredentialKind, realm: string, description: string): CheckRequestDeny {
  const reason = kind === 'jwt' ? AUTH_DENY_REASONS.invalidToken : AUTH_DENY_REASONS.invalidApiKey;
  const error = kind === 'jwt' ? 'invalid_token' : 'invalid_key';
  return deny(401, reason, description, {
    'www-authenticate': challenge(kind, realm, { error, error_description: description }),
  });
}

export function insufficientScope(kind: CredentialKind, realm: string, required: readonly string[]): CheckRequestDeny {
  const description = `the credential lacks the scope(s) ${required.join(' ')}`;
  // RFC 6750 §3.1 defines insufficient_scope for bearer tokens only.
  const headers = kind === 'jwt' ? { 'www-authenticate': challenge(kind, realm, { error: 'insufficient_scope', scope: required.join(' ') }) } : {};
  return deny(403, AUTH_DENY_REASONS.insufficientScope, description, headers);
}

export function claimMismatch(claim: string): CheckRequestDeny {
  return deny(403, AUTH_DENY_REASONS.claimMismatch, `the token's ${claim} claim does not allow this request`);
}

export function noRule(): CheckRequestDeny {
  return deny(403, AUTH_DENY_REASONS.noRule, 'no rule allows this request');
}
