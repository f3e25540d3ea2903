// prefix_rewrite, with Envoy's meaning: the part of the path the route matched is swapped for the
// rewrite — the prefix for a `prefix` match, the whole path for a `path` match. The query string
// is kept as it was. ("/api/" → "/" turns "/api/users?x=1" into "/users?x=1"; mind trailing
// slashes: "/api" → "/" turns "/api/users" into "//users", as in Envoy.)

import type { RegexRewriteConfig, RouteMatchConfig } from '@mosn/config';
import { MosnWorkerError } from '../errors.js';

export type PathRewriter = (path: string) => string;

/** Shared by every route without a rewrite. */
export const identityRewrite: PathRewriter = (path) => path;

export function compilePathRewrite(match: RouteMatchConfig, prefixRewrite: string | undefined, regexRewrite?: RegexRewriteConfig): PathRewriter {
  if (regexRewrite !== undefined) return compileRegexRewrite(regexRewrite);
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

/**
 * regex_rewrite, as in Envoy and MOSN: every match of the pattern in the path (query string
 * excluded) is replaced by the substitution, where "$1"… name capture groups; the query is kept.
 */
export function compileRegexRewrite(rewrite: RegexRewriteConfig): PathRewriter {
  let pattern: RegExp;
  try {
    pattern = new RegExp(rewrite.regex, 'g');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new MosnWorkerError('MOSN_ERR_WORKER_CONFIG', `regex_rewrite pattern ${JSON.stringify(rewrite.regex)} is not a valid regular expression: ${reason}`);
  }
  const substitution = rewrite.substitution;
  return (p) => {
    const query = p.indexOf('?');
    if (query < 0) return p.replace(pattern, substitution);
    return p.slice(0, query).replace(pattern, substitution) + p.slice(query);
  };
}
