// One route's match rules, compiled: regular expressions built once (anchored, as Envoy's full
// match), the MatchedRoute answer built once. Rules, as in Envoy:
// - `prefix`: the request-target starts with it;
// - `path`: the path, query string removed, equals it;
// - `regex`: the path, query string removed, matches it as a whole;
// - `headers`: every matcher must match; a missing header never matches; the value is compared
//   exactly, or matched as a whole by the regular expression when `regex` is true.

import type { HeaderMatcherConfig, RouteConfig } from '@mosn/config';
import { MosnWorkerError } from '../errors.js';
import { compilePathRewrite } from './path-rewrite.js';
import type { MatchedRoute, RouteAction } from './types.js';

export const MATCH_PREFIX = 0;
export const MATCH_PATH = 1;
export const MATCH_REGEX = 2;
type MatchKind = typeof MATCH_PREFIX | typeof MATCH_PATH | typeof MATCH_REGEX;

export interface CompiledHeaderMatcher {
  readonly name: string;
  readonly value: string;
  /** Set when the value is a regular expression. */
  readonly regex: RegExp | undefined;
}

/** Plain data of one shape for every route, so that the per-request loop stays monomorphic. */
export interface CompiledRoute {
  readonly kind: MatchKind;
  /** The prefix or the exact path; empty for a regex match. */
  readonly text: string;
  readonly regex: RegExp | undefined;
  readonly headers: readonly CompiledHeaderMatcher[];
  readonly result: MatchedRoute;
}

/** Same construction as the config loader's check, so what loaded also compiles. */
export function anchoredRegExp(source: string): RegExp {
  return new RegExp(`^(?:${source})$`);
}

export function compileRoute(config: RouteConfig, virtualHost: string, index: number): CompiledRoute {
  const { match } = config;
  let kind: MatchKind;
  let text = '';
  let regex: RegExp | undefined;
  if (match.prefix !== undefined) {
    kind = MATCH_PREFIX;
    text = match.prefix;
  } else if (match.path !== undefined) {
    kind = MATCH_PATH;
    text = match.path;
  } else if (match.regex !== undefined) {
    kind = MATCH_REGEX;
    regex = compileRegex(match.regex, virtualHost, index);
  } else {
    throw configError(virtualHost, index, 'expected one of "prefix", "path" or "regex" in the match');
  }

  let action: RouteAction;
  let rewritePath = compilePathRewrite(match, undefined);
  if (config.route !== undefined) {
    const r = config.route;
    action = { kind: 'cluster', cluster: r.cluster_name, timeoutMs: r.timeout, hostRewrite: r.host_rewrite };
    rewritePath = compilePathRewrite(match, r.prefix_rewrite);
  } else if (config.direct_response !== undefined) {
    action = { kind: 'direct', status: config.direct_response.status, body: config.direct_response.body };
  } else {
    throw configError(virtualHost, index, 'expected "route" or "direct_response"');
  }

  const result: MatchedRoute = Object.freeze({ virtualHost, index, action: Object.freeze(action), rewritePath });
  const headers = match.headers.map((h) => compileHeaderMatcher(h, virtualHost, index));
  return { kind, text, regex, headers, result };
}

function compileHeaderMatcher(h: HeaderMatcherConfig, virtualHost: string, index: number): CompiledHeaderMatcher {
  const regex = h.regex ? compileRegex(h.value, virtualHost, index) : undefined;
  return { name: h.name.toLowerCase(), value: h.value, regex };
}

function compileRegex(source: string, virtualHost: string, index: number): RegExp {
  try {
    return anchoredRegExp(source);
  } catch (err) {
    // The loader checks every regex; this only guards hand-built configs.
    const reason = err instanceof Error ? err.message : String(err);
    throw configError(virtualHost, index, `invalid regular expression ${JSON.stringify(source)}: ${reason}`);
  }
}

/** Whether every header matcher matches (true when there are none). */
export function headersMatch(
  matchers: readonly CompiledHeaderMatcher[],
  getHeader: (lowerCaseName: string) => string | undefined,
): boolean {
  for (let i = 0; i < matchers.length; i++) {
    const m = matchers[i];
    if (m === undefined) continue;
    const value = getHeader(m.name);
    if (value === undefined) return false;
    if (m.regex === undefined ? value !== m.value : !m.regex.test(value)) return false;
  }
  return true;
}

function configError(virtualHost: string, index: number, what: string): MosnWorkerError {
  return new MosnWorkerError('MOSN_ERR_WORKER_CONFIG', `virtual host ${JSON.stringify(virtualHost)}, route ${index}: ${what}`);
}
