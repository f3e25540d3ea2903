// Response head parser (RFC 9112 §4, §6.3), for what upstreams send us. Same strictness as for
// requests where framing is concerned: a response whose length two parsers could read
// differently is a 502, never forwarded.

import { HeaderFields, diagnoseHeaderFields, extractHeaderFields, isToken, parseDecimal, splitTokens } from './header-fields.js';
import { RESPONSE_HEAD } from './head-syntax.js';
import { ParseError, type ParseErrorCode } from './parse-error.js';
import { endsWithChunked } from './request-parser.js';

export class ResponseHead {
  /** The head as received (latin1), blank line included; kept lines are forwarded as slices of it. */
  raw = '';
  /** Offset just past the status line's CRLF, and of the blank line. */
  lineEnd = 0;
  fieldsEnd = 0;
  status = 0;
  /** Reason phrase as sent (may be empty). */
  reason = '';
  minor = 1;
  readonly fields = new HeaderFields();
  contentLength = -1;
  chunked = false;
  transferEncoding = '';
  /** The upstream lets us reuse the connection after this response. */
  keepAlive = true;
  /** The Upgrade value (dropped from the forwarded fields; a 101 re-adds it). */
  upgrade = '';

  reset(): void {
    this.fields.reset();
    this.upgrade = '';
    this.contentLength = -1;
    this.chunked = false;
    this.transferEncoding = '';
    this.keepAlive = true;
  }
}

export function parseResponseHead(s: string, h: ResponseHead, maxFields: number): 0 | ParseErrorCode {
  h.reset();
  if (!RESPONSE_HEAD.test(s)) return diagnoseResponseHead(s) || ParseError.BAD_STATUS_LINE;
  h.raw = s;
  // Validated: "HTTP/1.d SP ddd [SP reason] CRLF".
  h.minor = s.charCodeAt(7) === 48 ? 0 : 1;
  h.status = (s.charCodeAt(9) - 48) * 100 + (s.charCodeAt(10) - 48) * 10 + (s.charCodeAt(11) - 48);
  const cr = s.indexOf('\r', 12);
  h.reason = cr > 13 ? s.slice(13, cr) : '';
  h.lineEnd = cr + 2;
  const end = extractHeaderFields(s, h.lineEnd, h.fields, 10_000);
  if (end < 0) return -end as ParseErrorCode;
  h.fieldsEnd = end;
  return classifyFields(h, maxFields);
}

/** Why a response head fails the syntax check, byte by byte, or 0 when it is well-formed (agrees with RESPONSE_HEAD). */
export function diagnoseResponseHead(s: string): 0 | ParseErrorCode {
  if (!/^HTTP\/1\.[0-9] /.test(s)) return ParseError.BAD_STATUS_LINE;
  if (!/^[1-5][0-9][0-9]$/.test(s.slice(9, 12))) return ParseError.BAD_STATUS;
  let i = 12;
  let c = s.charCodeAt(i);
  if (c === 32) {
    c = s.charCodeAt(++i);
    // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
    while (c === 9 || (c >= 32 && c !== 127 && c <= 255)) c = s.charCodeAt(++i);
  }
  if (c !== 13) return ParseError.BAD_STATUS_LINE;
  if (s.charCodeAt(i + 1) !== 10) return ParseError.BARE_CR;
  const end = diagnoseHeaderFields(s, i + 2);
  return end < 0 ? (-end as ParseErrorCode) : end === s.length ? 0 : ParseError.BAD_STATUS_LINE;
}

function classifyFields(h: ResponseHead, maxFields: number): 0 | ParseErrorCode {
  const { lnames, values, drop } = h.fields;
  if (h.fields.count > maxFields) return ParseError.TOO_MANY_HEADERS;
  let connectionTokens: string[] | undefined;
  let close = false;
  let keepAlive = false;
  for (let k = 0, n = h.fields.count; k < n; k++) {
    const v = values[k] as string;
    switch (lnames[k]) {
      case 'content-length':
        if (h.contentLength !== -1) return ParseError.DUPLICATE_CONTENT_LENGTH;
        h.contentLength = parseDecimal(v);
        if (h.contentLength < 0) return ParseError.BAD_CONTENT_LENGTH;
        break; // forwarded as is: the body we forward has exactly this length
      case 'transfer-encoding':
        if (h.transferEncoding !== '') return ParseError.DUPLICATE_TRANSFER_ENCODING;
        if (!endsWithChunked(v)) return ParseError.BAD_TRANSFER_ENCODING;
        h.transferEncoding = v;
        h.chunked = true;
        break; // forwarded as is: we pass the chunked body through unchanged
      case 'connection':
        for (const token of splitTokens(v)) {
          if (token === 'close') close = true;
          else if (token === 'keep-alive') keepAlive = true;
          else if (isToken(token)) (connectionTokens ??= []).push(token);
        }
        drop[k] = true;
        break;
      case 'upgrade':
        h.upgrade = v;
        drop[k] = true;
        break;
      case 'keep-alive':
      case 'proxy-connection':
      case 'trailer':
      case 'te':
        drop[k] = true;
        break;
    }
  }
  if (h.chunked && h.contentLength !== -1) return ParseError.CONTENT_LENGTH_WITH_TRANSFER_ENCODING;
  if (connectionTokens !== undefined) {
    h.fields.dropNamed(connectionTokens.filter((t) => t !== 'content-length' && t !== 'transfer-encoding'));
  }
  h.keepAlive = h.minor === 1 ? !close : keepAlive && !close;
  return 0;
}
