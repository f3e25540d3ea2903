/**
 * Why a request was denied: a stable string in the JSON body (`error`), in WWW-Authenticate
 * (`error="…"`, RFC 6750 names where one exists) and in the plugin's debug log line. Clients and
 * dashboards match on these, never on the human description next to them.
 *
 * The plugin raises no errors of its own: a bad config (unreadable key file, malformed PEM, …)
 * is reported by the SDK as `MOSN_ERR_PLUGIN_CONFIG_INVALID` with the path of each problem.
 */
export const AUTH_DENY_REASONS = Object.freeze({
  /** 401: no credential this route accepts was presented. */
  missingCredentials: 'missing_credentials',
  /** 401: a bearer token that does not verify (signature, expiry, issuer, audience, format). */
  invalidToken: 'invalid_token',
  /** 401: an API key that is not in the configured set. */
  invalidApiKey: 'invalid_api_key',
  /** 403: a valid credential without a scope the route requires. */
  insufficientScope: 'insufficient_scope',
  /** 403: a valid credential whose claims do not match what the route requires. */
  claimMismatch: 'claim_mismatch',
  /** 403: no rule matches and the default is `deny`. */
  noRule: 'no_rule',
} as const);

export type AuthDenyReason = (typeof AUTH_DENY_REASONS)[keyof typeof AUTH_DENY_REASONS];
