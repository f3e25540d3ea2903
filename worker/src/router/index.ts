// The router module's surface for the rest of the worker: compile router configs once, then match
// each request against the compiled table.

export { compileRouteTable, compileRouteTables } from './route-table.js';
export type { ClusterAction, MatchedRoute, RouteAction, RouteTable } from './types.js';
export type { HeaderMutation } from './header-mutation.js';
export { RETRY_BODY_LIMIT_BYTES, type RetryPolicy } from './retry-policy.js';
