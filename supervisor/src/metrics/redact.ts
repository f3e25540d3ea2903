// The effective config as the admin API shows it: TLS private keys, plugin environments and
// arguments, header values that carry credentials, and anything in a plugin's config that looks
// like a secret are replaced, never shown.

export const REDACTED = '[redacted]';

/** Field names whose value is a secret. `*_file` fields are paths, shown. */
const SECRET_FIELD = /(secret|password|passwd|token|private_key|api_?key|credential)/i;
/** An API key list holds `{ key: "…" }`: `key` alone (no `value` beside it) is the secret. */
const BARE_KEY = 'key';
/** Header names (in `{ key, value }` header options) whose value carries credentials. */
const SECRET_HEADER = /(authorization|cookie|token|secret|password|api[-_]?key|auth)/i;
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const URL_CREDENTIALS = /(\/\/)[^/@\s]*@/g;
const ARG_SECRET = /^(--?[^=]*(?:secret|password|passwd|token|key)[^=]*=).+$/i;

export function redactConfig(config: unknown): unknown {
  return walk(config, undefined);
}

function walk(value: unknown, parentKey: string | undefined): unknown {
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, parentKey));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const isHeaderOption = typeof record['key'] === 'string' && 'value' in record;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) {
    if (v === undefined || v === null) out[key] = v;
    else if (parentKey === 'plugins' && key === 'env' && typeof v === 'object') {
      // A plugin's environment often carries credentials: values hidden, names kept.
      out[key] = Object.fromEntries(Object.keys(v).map((k) => [k, REDACTED]));
    } else if (parentKey === 'plugins' && key === 'args' && Array.isArray(v)) {
      out[key] = v.map((arg) => (typeof arg === 'string' ? redactArg(arg) : arg));
    } else if (isHeaderOption && key === 'value') {
      out[key] = SECRET_HEADER.test(String(record['key'])) ? REDACTED : walk(v, key);
    } else if (typeof v !== 'object' && ((SECRET_FIELD.test(key) && !key.endsWith('_file')) || (key === BARE_KEY && !isHeaderOption))) {
      out[key] = REDACTED;
    } else {
      out[key] = walk(v, key);
    }
  }
  return out;
}

function redactString(text: string): string {
  if (PEM_PRIVATE_KEY.test(text)) return REDACTED;
  return text.includes('@') ? text.replace(URL_CREDENTIALS, `$1${REDACTED}@`) : text;
}

function redactArg(arg: string): string {
  const secretArg = ARG_SECRET.exec(arg);
  return secretArg !== null ? `${secretArg[1]}${REDACTED}` : redactString(arg);
}
