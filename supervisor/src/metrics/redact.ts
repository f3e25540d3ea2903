// The effective config as the admin API shows it: TLS private keys, plugin environments and
// anything in a plugin's config that looks like a secret are replaced, never shown.

const SECRET_KEY = /(secret|password|passwd|token|private_key|api_key|credential)/i;
/** Keys whose value is a secret by name alone (an API key list holds `{ key: "…" }`). */
const SECRET_EXACT = new Set(['key', 'keys_file_content']);
export const REDACTED = '[redacted]';

export function redactConfig(config: unknown): unknown {
  return walk(config, []);
}

function walk(value: unknown, path: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, path));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    // A plugin's environment often carries credentials: values hidden, names kept.
    if (key === 'env' && path.at(-1) === 'plugins[]' && typeof v === 'object' && v !== null) {
      out[key] = Object.fromEntries(Object.keys(v).map((k) => [k, REDACTED]));
    } else if ((SECRET_KEY.test(key) && !key.endsWith('_file')) || SECRET_EXACT.has(key)) {
      out[key] = v === undefined || v === null ? v : REDACTED;
    } else {
      out[key] = walk(v, [...path, Array.isArray(v) ? `${key}[]` : key]);
    }
  }
  return out;
}
