/**
 * Secrets out of the config before /api/v1/config_dump shows it. The supervisor already redacts
 * TLS private keys and plugin secrets; this is the second line, by key name and by value, so that
 * a field added later with a secret in it is not shown because someone forgot the first line:
 *
 * - keys named like a secret: private_key, secret, token, password, passphrase, admin_token,
 *   ticket (TLS session ticket keys), api_key, authorization, … and any `*_secret`, `*_token`,
 *   `*_password`, `*_private_key` (case and `-`/`_` ignored);
 * - `key` inside an `api_keys` object (the auth plugin's API keys), and the private parts of a
 *   JWK (`d`, `p`, `q`, `dp`, `dq`, `qi`, `k`) inside a `jwk`;
 * - the `value` of a `{key|name, value}` pair whose key names a secret (a header to add such as
 *   `{"key": "Authorization", "value": "Basic …"}`);
 * - any string holding a PEM private key, and the password of a URL (`redis://user:pw@host`).
 */
export const REDACTED = '***REDACTED***';

const SECRET_NAMES: ReadonlySet<string> = new Set([
  'private_key',
  'privatekey',
  'secret',
  'token',
  'password',
  'passwd',
  'passphrase',
  'admin_token',
  'ticket',
  'ticket_key',
  'ticket_keys',
  'session_ticket_keys',
  'api_key',
  'apikey',
  'secret_key',
  'access_key',
  'client_secret',
  'authorization',
  'credentials',
]);
const SECRET_SUFFIXES = ['_secret', '_token', '_password', '_private_key', '_passphrase'];
const JWK_PRIVATE: ReadonlySet<string> = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']);
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^/@\s]*@/i;

export function isSecretName(name: string): boolean {
  const normal = name.toLowerCase().replace(/-/g, '_');
  return SECRET_NAMES.has(normal) || SECRET_SUFFIXES.some((suffix) => normal.endsWith(suffix));
}

/** A deep copy of `value` with secrets replaced by `***REDACTED***`. */
export function redact(value: unknown): unknown {
  return walk(value, undefined, 0);
}

function walk(value: unknown, parentKey: string | undefined, depth: number): unknown {
  if (depth > 64) return REDACTED; // deeper than any config: refuse to guess
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.map((item) => walk(item, parentKey, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  const parent = parentKey?.toLowerCase().replace(/-/g, '_');
  const out: Record<string, unknown> = {};
  const pairName = 'value' in value ? ((value as { key?: unknown; name?: unknown }).key ?? (value as { name?: unknown }).name) : undefined;
  const secretPair = typeof pairName === 'string' && isSecretName(pairName);
  for (const [key, item] of Object.entries(value)) {
    const secret =
      isSecretName(key) ||
      (secretPair && key === 'value') ||
      (parent === 'api_keys' && key === 'key') ||
      (parent === 'keys' && key === 'key') ||
      (parent === 'jwk' && JWK_PRIVATE.has(key)) ||
      (parent === 'keys' && JWK_PRIVATE.has(key) && 'kty' in value);
    out[key] = secret && item !== null && item !== undefined && item !== '' ? REDACTED : walk(item, key, depth + 1);
  }
  return out;
}

function redactString(text: string): string {
  if (PEM_PRIVATE_KEY.test(text)) return REDACTED;
  return text.replace(URL_PASSWORD, `$1:${REDACTED}@`);
}
