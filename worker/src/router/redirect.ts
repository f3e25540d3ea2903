// MOSN's redirect action: the Location is the request's URL with the configured parts swapped.
// - scheme_redirect: the scheme; when it changes and no host_redirect is given, the port of the
//   authority is dropped (it belonged to the other scheme);
// - host_redirect: the authority;
// - path_redirect: the path; the request's query string is kept unless path_redirect has its own.

import type { RequestHead } from '../codec/http1/request-parser.js';
import type { RedirectAction } from './types.js';
import { stripPort } from './virtual-host-matcher.js';

export function redirectLocation(action: RedirectAction, req: RequestHead, secure: boolean): string {
  const current = secure ? 'https' : 'http';
  const scheme = action.scheme ?? current;
  let host = action.host;
  if (host === undefined) {
    host = req.authority ?? '';
    if (scheme !== current) host = stripPort(host);
  }
  let path = req.path;
  if (action.path !== undefined) {
    const query = req.path.indexOf('?');
    path = query < 0 || action.path.includes('?') ? action.path : action.path + req.path.slice(query);
  }
  return scheme + '://' + host + path;
}
