/**
 * The name of a counter: the domain and the descriptor's full entry list, as in Envoy's
 * ratelimit service (so a wildcard node counts each distinct value apart), made unambiguous:
 * the separators `|` and `=` (and `%`) are percent-encoded inside names and values, so
 * `a_b=c` and `a=b_c` never share a counter. Readable in `redis-cli` for the usual keys.
 *
 *   domain "edge", [remote_address=10.0.0.7, path=/a|b]  →  edge|remote_address=10.0.0.7|path=/a%7Cb
 */
import type { RateLimitDescriptor } from '@mosn/plugin-sdk';

type Entries = RateLimitDescriptor['entries'];

const SPECIAL = /[%|=]/;
const SPECIAL_ALL = /[%|=]/g;

function escape(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : text;
}

export function descriptorKey(domain: string, entries: Entries): string {
  let key = escape(domain);
  for (const entry of entries) key += `|${escape(entry.key)}=${escape(entry.value)}`;
  return key;
}
