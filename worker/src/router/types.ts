// The router's contract with the HTTP proxy: a table compiled once per config, asked once per
// request, answering with an object that was built at compile time (nothing allocated per match).

import type { HashPolicyConfig } from '@mosn/config';
import type { HeaderMutation } from './header-mutation.js';
import type { RetryPolicy } from './retry-policy.js';
import type { WeightedClusterPicker } from './weighted-clusters.js';

export interface ClusterAction {
  readonly kind: 'cluster';
  /** The cluster; '' when it is chosen per request (clusterHeader or weighted). */
  readonly cluster: string;
  /** Lower-case request header naming the cluster (cluster_header); undefined when not used. */
  readonly clusterHeader: string | undefined;
  /** weighted_clusters; undefined when not used. */
  readonly weighted: WeightedClusterPicker | undefined;
  /** Whole-request timeout in ms; 0 = none. */
  readonly timeoutMs: number;
  /** No byte either way for this long ends the exchange (Envoy's route idle_timeout); 0 = none. */
  readonly idleTimeoutMs: number;
  /** Host header to send upstream instead of the client's; undefined keeps it. */
  readonly hostRewrite: string | undefined;
  /** Host header set to the chosen upstream host's address. */
  readonly autoHostRewrite: boolean;
  /** undefined: no retries (only the resend after a stale keep-alive connection). */
  readonly retry: RetryPolicy | undefined;
  /** Header options of the route, virtual host and router config; undefined when none. */
  readonly headers: HeaderMutation | undefined;
  /** The route's hash_policy, for a hashing load balancer (requestHashKey); undefined when none. */
  readonly hashPolicy: readonly HashPolicyConfig[] | undefined;
}

export interface DirectAction {
  readonly kind: 'direct';
  readonly status: number;
  readonly body: string | undefined;
  /** response_headers_to_add lines that apply. */
  readonly responseLines: string;
}

export interface RedirectAction {
  readonly kind: 'redirect';
  readonly status: number;
  readonly scheme: string | undefined;
  readonly host: string | undefined;
  readonly path: string | undefined;
  readonly responseLines: string;
}

export type RouteAction = ClusterAction | DirectAction | RedirectAction;

/** One per configured route, created at compile time and shared by every request it matches. */
export interface MatchedRoute {
  /** Virtual host name (for stats). */
  readonly virtualHost: string;
  /** Route index inside the virtual host. */
  readonly index: number;
  readonly action: RouteAction;
  /** Applies prefix_rewrite or regex_rewrite (the query string is kept); identity when the route has none. */
  rewritePath(path: string): string;
}

export interface RouteTable {
  /**
   * The first route that matches, or undefined (no virtual host for the authority, or no route in
   * it matches: the proxy answers 404).
   * @param authority Host header (or absolute-form authority) as received, possibly with a port.
   * @param path Request-target in origin form as received, query string included.
   * @param getHeader Request header by lower-case name; undefined when absent.
   */
  match(
    authority: string | undefined,
    path: string,
    getHeader: (lowerCaseName: string) => string | undefined,
  ): MatchedRoute | undefined;
}
