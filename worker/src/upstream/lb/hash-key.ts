// The request's hash key from a route's `hash_policy`: the first entry that finds a value wins
// (a header, a cookie, the client's address). Undefined when none does: the balancer then
// chooses as if there were no key.

import type { HashPolicyConfig } from '@mosn/config';

export function requestHashKey(
  policy: readonly HashPolicyConfig[] | undefined,
  getHeader: (lowerCaseName: string) => string | undefined,
  clientAddress: string,
): string | undefined {
  if (policy === undefined) return undefined;
  for (const entry of policy) {
    if ('header' in entry) {
      const value = getHeader(entry.header.key);
      if (value !== undefined && value !== '') return value;
    } else if ('cookie' in entry) {
      const value = cookieValue(getHeader('cookie'), entry.cookie.name);
      if (value !== undefined) return value;
    } else if (clientAddress !== '') {
      return clientAddress;
    }
  }
  return undefined;
}

/** The value of cookie `name` in a Cookie header (`a=1; b=2`), or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq !== -1 && eq < end && header.slice(start, eq).trim() === name) {
      let value = header.slice(eq + 1, end).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      return value;
    }
    start = end + 1;
  }
  return undefined;
}
