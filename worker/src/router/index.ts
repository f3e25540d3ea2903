// The router module's surface for the rest of the worker: compile router configs once, then match
// each request against the compiled table.

export { compileRouteTable, compileRouteTables } from './route-table.js';
export type { MatchedRoute, RouteAction, RouteTable } from './types.js';
