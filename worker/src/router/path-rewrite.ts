// prefix_rewrite, with Envoy's meaning: the part of the path the route matched is swapped for the
// rewrite — the prefix for a `prefix` match, the whole path for a `path` match. The query string
// is kept as it was. ("/api/" → "/" turns "/api/users?x=1" into "/users?x=1"; mind trailing
// slashes: "/api" → "/" turns "/api/users" into "//users", as in Envoy.)

import type { RouteMatchConfig } from '@mosn/config';
import { MosnWorkerError } from '../errors.js';

export type PathRewriter = (path: string) => string;

/** Shared by every route without a rewrite. */
export const identityRewrite: PathRewriter = (path) => path;

export function compilePathRewrite(match: RouteMatchConfig, prefixRewrite: string | undefined): PathRewriter {
  if (prefixRewrite === undefined) return identityRewrite;
  const { prefix, path } = match;
  if (prefix !== undefined) {
    const cut = prefix.length;
    // The guard keeps a caller's mistake (a path this route did not match) from mangling it.
    return (p) => (p.startsWith(prefix) ? prefixRewrite + p.slice(cut) : p);
  }
  if (path !== undefined) {
    return (p) => {
      const query = p.indexOf('?');
      return query < 0 ? prefixRewrite : prefixRewrite + p.slice(query);
    };
  }
  // The config loader rejects this; a hand-built config gets a clear error at compile time.
  throw new MosnWorkerError(
    'MOSN_ERR_WORKER_CONFIG',
    `prefix_rewrite ${JSON.stringify(prefixRewrite)} needs a "prefix" or "path" match, found a "regex" match`,
  );
}
