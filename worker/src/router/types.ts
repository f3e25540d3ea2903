// The router's contract with the HTTP proxy: a table compiled once per config, asked once per
// request, answering with an object that was built at compile time (nothing allocated per match).

export type RouteAction =
  | {
      readonly kind: 'cluster';
      readonly cluster: string;
      /** Whole-request timeout in ms; 0 = none. */
      readonly timeoutMs: number;
      /** Host header to send upstream instead of the client's; undefined keeps it. */
      readonly hostRewrite: string | undefined;
    }
  | { readonly kind: 'direct'; readonly status: number; readonly body: string | undefined };

/** One per configured route, created at compile time and shared by every request it matches. */
export interface MatchedRoute {
  /** Virtual host name (for stats). */
  readonly virtualHost: string;
  /** Route index inside the virtual host. */
  readonly index: number;
  readonly action: RouteAction;
  /** Applies prefix_rewrite (the query string is kept); identity when the route has none. */
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
