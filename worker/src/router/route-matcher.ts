// One route's match rules, compiled: regular expressions built once (anchored, as Envoy's full
// match), the MatchedRoute answer built once. Rules, as in Envoy:
// - `prefix`: the request-target starts with it;
// - `path`: the path, query string removed, equals it;
// - `regex`: the path, query string removed, matches it as a whole;
// - `headers`: every matcher must match; a missing header never matches; the value is compared
//   exactly, or matched as a whole by the regular expression when `regex` is true.

import type { HeaderMatcherConfig, HeaderOptionsConfig, RouteConfig } from '@mosn/config';
import { MosnWorkerError } from '../errors.js';
import { compileHeaderMutation } from './header-mutation.js';
import { compilePathRewrite } from './path-rewrite.js';
import { RetryPolicy } from './retry-policy.js';
import type { MatchedRoute, RouteAction } from './types.js';
import { WeightedClusterPicker } from './weighted-clusters.js';

export const MATCH_PREFIX = 0;
export const MATCH_PATH = 1;
export const MATCH_REGEX = 2;
type MatchKind = typeof MATCH_PREFIX | typeof MATCH_PATH | typeof MATCH_REGEX;

export interface CompiledHeaderMatcher {
  readonly name: string;
  readonly value: string;
  /** Set when the value is a regular expression. */
  readonly regex: RegExp | undefined;
  /** The header only has to be present. */
  readonly present: boolean;
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

/**
 * @param inherited Header options of the virtual host and the router config, in that order
 *   (the route's own come first).
 */
export function compileRoute(
  config: RouteConfig,
  virtualHost: string,
  index: number,
  inherited: readonly (HeaderOptionsConfig | undefined)[] = [],
): CompiledRoute {
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
    const weighted = r.weighted_clusters === undefined ? undefined : new WeightedClusterPicker(r.weighted_clusters);
    const clusterHeader = r.cluster_header?.toLowerCase();
    if (r.cluster_name === undefined && weighted === undefined && clusterHeader === undefined) {
      throw configError(virtualHost, index, 'expected "cluster_name", "cluster_header" or "weighted_clusters" in the route');
    }
    action = {
      kind: 'cluster',
      cluster: r.cluster_name ?? '',
      clusterHeader,
      weighted,
      timeoutMs: r.timeout,
      idleTimeoutMs: r.idle_timeout ?? 0,
      hostRewrite: r.host_rewrite,
      autoHostRewrite: r.auto_host_rewrite === true,
      retry: r.retry_policy === undefined ? undefined : new RetryPolicy(r.retry_policy),
      headers: compileHeaderMutation([r, ...inherited]),
      hashPolicy: r.hash_policy,
    };
    rewritePath = compilePathRewrite(match, r.prefix_rewrite, r.regex_rewrite);
  } else if (config.direct_response !== undefined) {
    const responseLines = compileHeaderMutation(inherited)?.responseLines ?? '';
    action = { kind: 'direct', status: config.direct_response.status, body: config.direct_response.body, responseLines };
  } else if (config.redirect !== undefined) {
    const r = config.redirect;
    const responseLines = compileHeaderMutation(inherited)?.responseLines ?? '';
    action = { kind: 'redirect', status: r.response_code, scheme: r.scheme_redirect, host: r.host_redirect, path: r.path_redirect, responseLines };
  } else {
    throw configError(virtualHost, index, 'expected "route", "direct_response" or "redirect"');
  }

  const result: MatchedRoute = Object.freeze({ virtualHost, index, action: Object.freeze(action), rewritePath });
  const headers = match.headers.map((h) => compileHeaderMatcher(h, virtualHost, index));
  return { kind, text, regex, headers, result };
}

function compileHeaderMatcher(h: HeaderMatcherConfig, virtualHost: string, index: number): CompiledHeaderMatcher {
  const present = h.present_match === true;
  const regex = h.regex && !present ? compileRegex(h.value, virtualHost, index) : undefined;
  return { name: h.name.toLowerCase(), value: h.value, regex, present };
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
    if (m.present) continue;
    if (m.regex === undefined ? value !== m.value : !m.regex.test(value)) return false;
  }
  return true;
}

function configError(virtualHost: string, index: number, what: string): MosnWorkerError {
  return new MosnWorkerError('MOSN_ERR_WORKER_CONFIG', `virtual host ${JSON.stringify(virtualHost)}, route ${index}: ${what}`);
}
