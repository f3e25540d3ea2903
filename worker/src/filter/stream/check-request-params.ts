import type { CheckRequestParams } from '@mosn/ipc-protocol';
import type { MatchedRoute } from '../../router/index.js';
import type { HttpConnection } from '../network/http-connection.js';

/** What a plugin's request check sees of a request: built only on listeners that have filters. */
export function checkRequestParams(conn: HttpConnection, route: MatchedRoute | undefined): CheckRequestParams {
  const req = conn.req;
  const fields = req.fields;
  const headers: Record<string, string> = {};
  for (let i = 0; i < fields.count; i++) {
    const name = fields.lnames[i] as string;
    const value = fields.values[i] as string;
    // Repeated fields are joined as RFC 9110 §5.3 allows; lower-case names as HTTP/2 has them.
    headers[name] = Object.hasOwn(headers, name) ? headers[name] + ', ' + value : value;
  }
  const params: CheckRequestParams = { method: req.method, path: req.path, authority: req.authority ?? '', headers, remoteAddress: conn.clientAddress };
  if (route === undefined) return params;
  const cluster = route.action.kind === 'cluster' ? route.action.cluster : undefined;
  return { ...params, route: cluster === undefined ? { virtualHost: route.virtualHost } : { virtualHost: route.virtualHost, cluster } };
}
