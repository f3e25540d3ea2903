// Builds message heads as one latin1 string each: one concatenation, one write. Field lines that
// are forwarded unchanged are copied as slices of the received head (V8 slices share memory), so
// a typical head costs one or two slices plus the few fields the proxy adds.

import type { RequestHead } from './request-parser.js';
import type { HeaderFields } from './header-fields.js';
import type { ResponseHead } from './response-parser.js';
import { statusText } from './status-text.js';

export interface UpstreamHeadOptions {
  path: string;
  /** Host to send (the client's, the target's authority, or the route's host_rewrite); undefined when there is none. */
  host: string | undefined;
  clientAddress: string;
  /** "x-forwarded-for: <client>\r\nx-forwarded-proto: http\r\n", prepared once per connection. */
  forwardedLines: string;
  /** The client connection is TLS (x-forwarded-proto: https). */
  secure?: boolean;
  /** Set when the request had no X-Request-Id and we generated one. */
  generatedRequestId: string | undefined;
  /** Complete header lines added by stream filters (the client's fields of those names are dropped). */
  extraLines?: string;
}

/**
 * Appends the field lines of `raw` that are kept (not `drop`ped, and not `skip`) to `head`,
 * starting a run at `runStart` (-1: none open). Consecutive kept lines go as one slice.
 */
function keptLines(head: string, raw: string, f: HeaderFields, runStart: number, fieldsEnd: number, skip: number): string {
  const { drop, starts } = f;
  for (let i = 0, n = f.count; i < n; i++) {
    if (drop[i] === true || i === skip) {
      if (runStart >= 0) {
        head += raw.slice(runStart, starts[i]);
        runStart = -1;
      }
    } else if (runStart < 0) {
      runStart = starts[i] as number;
    }
  }
  return runStart >= 0 ? head + raw.slice(runStart, fieldsEnd) : head;
}

export function buildUpstreamRequestHead(req: RequestHead, o: UpstreamHeadOptions): string {
  const rewriteHost = o.host !== undefined && o.host !== req.host;
  let head: string;
  let runStart: number;
  if (req.minor === 1 && o.path === req.target) {
    head = ''; // the request line goes out as received, in the same slice as the fields after it
    runStart = 0;
  } else {
    // HTTP/1.0 clients are forwarded as HTTP/1.0 so that the upstream never answers chunked, which
    // they cannot read; keep-alive is asked for explicitly to keep the pooled connection.
    head = req.method + ' ' + o.path + (req.minor === 1 ? ' HTTP/1.1\r\n' : ' HTTP/1.0\r\nconnection: keep-alive\r\n');
    runStart = -1;
  }
  head = keptLines(head, req.raw, req.fields, runStart, req.fieldsEnd, rewriteHost ? req.hostIndex : -1);
  if (rewriteHost) head += 'host: ' + o.host + '\r\n';
  head +=
    req.forwardedFor === ''
      ? o.forwardedLines
      : 'x-forwarded-for: ' + req.forwardedFor + ', ' + o.clientAddress + (o.secure === true ? '\r\nx-forwarded-proto: https\r\n' : '\r\nx-forwarded-proto: http\r\n');
  if (o.generatedRequestId !== undefined) head += 'x-request-id: ' + o.generatedRequestId + '\r\n';
  if (req.teTrailers) head += 'te: trailers\r\n';
  if (req.websocket) head += 'connection: upgrade\r\nupgrade: ' + req.upgradeValue + '\r\n';
  if (o.extraLines !== undefined) head += o.extraLines;
  return head + '\r\n';
}

/**
 * The head we send downstream for an upstream response. `connection` is what we announce:
 * 'close' when this is the connection's last response, 'keep-alive' for an HTTP/1.0 client we keep.
 */
export function buildDownstreamResponseHead(
  res: ResponseHead,
  connection: 'close' | 'keep-alive' | undefined,
  /** Complete field lines to add (a route's response_headers_to_add). */
  extraLines = '',
): string {
  let head: string;
  let runStart: number;
  if (res.minor === 1) {
    head = '';
    runStart = 0;
  } else {
    head = 'HTTP/1.1 ' + res.status + ' ' + (res.reason === '' ? statusText(res.status) : res.reason) + '\r\n';
    runStart = -1;
  }
  head = keptLines(head, res.raw, res.fields, runStart, res.fieldsEnd, -1);
  if (connection !== undefined) head += 'connection: ' + connection + '\r\n';
  return head + extraLines + '\r\n';
}

/** A response the proxy makes itself (errors, direct responses): a short plain-text body. */
export function buildLocalResponse(
  status: number,
  body: string | undefined,
  connection: 'close' | 'keep-alive' | undefined,
  requestId: string | undefined,
  headRequest: boolean,
  /** Complete header lines to add (e.g. WWW-Authenticate from an auth plugin's denial). */
  extraLines = '',
): Buffer {
  const bodyBytes = body === undefined ? undefined : Buffer.from(body, 'utf8');
  let head = 'HTTP/1.1 ' + status + ' ' + statusText(status) + '\r\n';
  if (bodyBytes !== undefined) head += 'content-type: text/plain; charset=utf-8\r\n';
  if (status >= 200 && status !== 204 && status !== 304) head += 'content-length: ' + (bodyBytes?.length ?? 0) + '\r\n';
  if (requestId !== undefined) head += 'x-request-id: ' + requestId + '\r\n';
  if (connection !== undefined) head += 'connection: ' + connection + '\r\n';
  head += extraLines + '\r\n';
  const headBytes = Buffer.from(head, 'latin1');
  if (bodyBytes === undefined || headRequest || status === 204 || status === 304) return headBytes;
  return Buffer.concat([headBytes, bodyBytes]);
}
