import { PluginRequest } from '../../plugin/plugin-request.js';
import type { MatchedRoute } from '../../router/index.js';
import type { HttpConnection } from '../network/http-connection.js';

/** What the stream filters and their plugins see of a request: built only on listeners that have filters. */
export function filterRequest(conn: HttpConnection, route: MatchedRoute | undefined): PluginRequest {
  const req = conn.req;
  const cluster = route !== undefined && route.action.kind === 'cluster' ? route.action.cluster : undefined;
  return PluginRequest.fromFields(req.method, req.path, req.authority ?? '', req.fields, conn.clientAddress, route?.virtualHost, cluster);
}
