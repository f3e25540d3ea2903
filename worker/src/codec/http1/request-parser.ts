// Request head parser (RFC 9112 §3, §6). Input: the head as a latin1 string ending with the blank
// line (the connection finds that end with one Buffer.indexOf). Output: a reused RequestHead.
// Everything that could let two parsers disagree about where a message ends is rejected:
// duplicate or malformed Content-Length, Content-Length with Transfer-Encoding, a Transfer-Encoding
// that does not end in chunked, Transfer-Encoding in HTTP/1.0, obs-fold, bare CR/LF.

import { HOST, TARGET, TOKEN } from './char-classes.js';
import { HeaderFields, diagnoseHeaderFields, extractHeaderFields, isToken, parseDecimal, splitTokens } from './header-fields.js';
import { REQUEST_HEAD } from './head-syntax.js';
import { ParseError, type ParseErrorCode } from './parse-error.js';

export const BodyKind = { NONE: 0, FIXED: 1, CHUNKED: 2 } as const;
export type BodyKind = (typeof BodyKind)[keyof typeof BodyKind];

export class RequestHead {
  /** The head as received (latin1), up to and including the blank line; kept lines are forwarded as slices of it. */
  raw = '';
  /** Offset just past the request line's CRLF, and of the blank line. */
  lineEnd = 0;
  fieldsEnd = 0;
  /** Index of the Host field, -1 when absent. */
  hostIndex = -1;
  method = '';
  /** The request-target as sent. */
  target = '';
  /** Origin-form path and query (for absolute-form targets, the part after the authority). */
  path = '';
  /** The authority routing uses: from an absolute-form target, else the Host header. */
  authority: string | undefined = undefined;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1 (and later 1.x, which we treat as 1.1). */
  minor = 1;
  readonly fields = new HeaderFields();
  host: string | undefined = undefined;
  bodyKind: BodyKind = BodyKind.NONE;
  /** Declared Content-Length, -1 when absent. */
  contentLength = -1;
  /** The Transfer-Encoding value as sent (forwarded with the chunked body it describes). */
  transferEncoding = '';
  /** Whether the client wants the connection kept open after this exchange. */
  keepAlive = true;
  expectContinue = false;
  /** TE contains "trailers" (the only TE value a proxy forwards). */
  teTrailers = false;
  /** The client sent Upgrade (dropped, unless this is a WebSocket handshake). */
  upgrade = false;
  /** The Upgrade value as sent. */
  upgradeValue = '';
  /**
   * A WebSocket handshake (RFC 6455 §4.1: HTTP/1.1 GET, Upgrade: websocket, Connection: upgrade):
   * the upgrade is asked of the upstream, and a 101 turns the exchange into a tunnel.
   */
  websocket = false;
  /** X-Forwarded-For values as received, joined with ", ", or '' when absent. */
  forwardedFor = '';
  /** First X-Request-Id value, or '' when absent. */
  requestId = '';

  reset(): void {
    this.fields.reset();
    this.hostIndex = -1;
    this.host = undefined;
    this.authority = undefined;
    this.bodyKind = BodyKind.NONE;
    this.contentLength = -1;
    this.transferEncoding = '';
    this.keepAlive = true;
    this.expectContinue = false;
    this.teTrailers = false;
    this.upgrade = false;
    this.upgradeValue = '';
    this.websocket = false;
    this.forwardedFor = '';
    this.requestId = '';
  }
}

/** Parses `s` (the whole head, blank line included) into `h`. Returns 0 or a ParseError. */
export function parseRequestHead(s: string, h: RequestHead, maxFields: number): 0 | ParseErrorCode {
  h.reset();
  // diagnose() finding nothing wrong where the check failed would be a bug: refuse all the same.
  if (!REQUEST_HEAD.test(s)) return diagnoseRequestHead(s) || ParseError.BAD_REQUEST_LINE;
  h.raw = s;
  // Validated: "method SP target SP HTTP/d.d CRLF".
  const sp1 = s.indexOf(' ');
  const sp2 = s.indexOf(' ', sp1 + 1);
  if (s.charCodeAt(sp2 + 6) !== 49 /* 1 */) return ParseError.UNSUPPORTED_VERSION;
  h.method = s.slice(0, sp1);
  h.target = s.slice(sp1 + 1, sp2);
  h.minor = s.charCodeAt(sp2 + 8) === 48 ? 0 : 1;
  h.lineEnd = sp2 + 11;

  const end = extractHeaderFields(s, h.lineEnd, h.fields, maxFields);
  if (end < 0) return -end as ParseErrorCode;
  h.fieldsEnd = end;

  const targetError = parseTarget(h);
  if (targetError !== 0) return targetError;
  const fieldError = classifyFields(h);
  if (fieldError !== 0) return fieldError;

  if (h.host === undefined && h.minor === 1) return ParseError.MISSING_HOST;
  if (h.authority === undefined) h.authority = h.host;
  if (h.bodyKind === BodyKind.CHUNKED) {
    if (h.contentLength !== -1) return ParseError.CONTENT_LENGTH_WITH_TRANSFER_ENCODING;
    if (h.minor === 0) return ParseError.TRANSFER_ENCODING_IN_HTTP10;
  } else if (h.contentLength > 0) {
    h.bodyKind = BodyKind.FIXED;
  }
  return 0;
}

/**
 * Why a head fails the syntax check, byte by byte (only run for heads that failed it), or 0 when
 * it is well-formed. Must agree with REQUEST_HEAD (a test checks both on mutated heads).
 */
export function diagnoseRequestHead(s: string): 0 | ParseErrorCode {
  let i = 0;
  let c = s.charCodeAt(0);
  while (TOKEN[c] === 1) c = s.charCodeAt(++i);
  if (i === 0) return c === 32 || c === 13 || c === 10 ? ParseError.BAD_REQUEST_LINE : ParseError.BAD_METHOD;
  if (c !== 32) return c === 13 || c === 10 ? ParseError.BAD_REQUEST_LINE : ParseError.BAD_METHOD;
  const targetStart = ++i;
  c = s.charCodeAt(i);
  while (TARGET[c] === 1) c = s.charCodeAt(++i);
  if (i === targetStart) return ParseError.BAD_REQUEST_LINE;
  if (c !== 32) return c === 13 || c === 10 ? ParseError.BAD_REQUEST_LINE : ParseError.BAD_TARGET;
  i++;
  if (!/^HTTP\/[0-9]\.[0-9]/.test(s.slice(i, i + 8))) return ParseError.BAD_VERSION;
  if (s.charCodeAt(i + 8) !== 13) return ParseError.BAD_REQUEST_LINE;
  if (s.charCodeAt(i + 9) !== 10) return ParseError.BARE_CR;
  const end = diagnoseHeaderFields(s, i + 10);
  return end < 0 ? (-end as ParseErrorCode) : end === s.length ? 0 : ParseError.BAD_REQUEST_LINE;
}

/** Host = uri-host [ ":" port ] (RFC 3986 characters only). */
const HOST_VALUE = /^[A-Za-z0-9\-._~!$&'()*+,;=:%[\]]*$/;

function parseTarget(h: RequestHead): 0 | ParseErrorCode {
  const t = h.target;
  const first = t.charCodeAt(0);
  if (first === 47 /* / */) {
    h.path = t;
    return 0;
  }
  if (h.method === 'CONNECT') return ParseError.CONNECT_NOT_SUPPORTED;
  if (first === 42 /* * */) {
    if (t.length !== 1 || h.method !== 'OPTIONS') return ParseError.BAD_TARGET;
    h.path = t;
    return 0;
  }
  // absolute-form: http(s)://authority[path-abempty][?query]
  const lower = t.slice(0, 8).toLowerCase();
  const schemeEnd = lower.startsWith('http://') ? 7 : lower.startsWith('https://') ? 8 : -1;
  if (schemeEnd < 0) return ParseError.BAD_TARGET;
  let j = schemeEnd;
  while (j < t.length) {
    const c = t.charCodeAt(j);
    if (c === 47 || c === 63 || c === 35) break;
    if (HOST[c] !== 1) return ParseError.BAD_TARGET; // includes userinfo "@", which http URIs must not carry
    j++;
  }
  if (j === schemeEnd) return ParseError.BAD_TARGET;
  h.authority = t.slice(schemeEnd, j);
  const rest = t.slice(j);
  h.path = rest.length === 0 ? '/' : rest.charCodeAt(0) === 47 ? rest : '/' + rest;
  return 0;
}

/** Looks at the fields the proxy interprets, marks hop-by-hop ones as dropped. */
function classifyFields(h: RequestHead): 0 | ParseErrorCode {
  const { lnames, values, drop } = h.fields;
  let connectionTokens: string[] | undefined;
  let connectionClose = false;
  let connectionKeepAlive = false;
  let connectionUpgrade = false;
  for (let k = 0, n = h.fields.count; k < n; k++) {
    const v = values[k] as string;
    switch (lnames[k]) {
      case 'host':
        if (h.host !== undefined) return ParseError.DUPLICATE_HOST;
        if (!HOST_VALUE.test(v)) return ParseError.BAD_HOST;
        h.host = v;
        h.hostIndex = k; // forwarded in place unless the route rewrites it
        break;
      case 'content-length':
        if (h.contentLength !== -1) return ParseError.DUPLICATE_CONTENT_LENGTH;
        h.contentLength = parseDecimal(v);
        if (h.contentLength < 0) return ParseError.BAD_CONTENT_LENGTH;
        break; // forwarded as is: the body goes on with exactly this length
      case 'transfer-encoding': {
        if (h.bodyKind === BodyKind.CHUNKED || h.transferEncoding !== '') return ParseError.DUPLICATE_TRANSFER_ENCODING;
        if (!endsWithChunked(v)) return ParseError.BAD_TRANSFER_ENCODING;
        h.transferEncoding = v;
        h.bodyKind = BodyKind.CHUNKED;
        break; // forwarded as is: the chunked body goes on unchanged
      }
      case 'connection':
        for (const token of splitTokens(v)) {
          if (token === 'close') connectionClose = true;
          else if (token === 'keep-alive') connectionKeepAlive = true;
          else if (isToken(token)) {
            if (token === 'upgrade') connectionUpgrade = true;
            (connectionTokens ??= []).push(token);
          } else return ParseError.BAD_HEADER_VALUE;
        }
        drop[k] = true;
        break;
      case 'te':
        if (splitTokens(v).some((t) => t === 'trailers' || t.startsWith('trailers;'))) h.teTrailers = true;
        drop[k] = true;
        break;
      case 'upgrade':
        h.upgrade = true;
        h.upgradeValue = h.upgradeValue === '' ? v : h.upgradeValue + ', ' + v;
        drop[k] = true;
        break;
      case 'keep-alive':
      case 'proxy-connection':
      case 'trailer':
      case 'x-forwarded-proto':
        drop[k] = true;
        break;
      case 'x-forwarded-for':
        h.forwardedFor = h.forwardedFor === '' ? v : h.forwardedFor + ', ' + v;
        drop[k] = true; // re-emitted once, with the client address appended
        break;
      case 'x-request-id':
        if (h.requestId === '') h.requestId = v;
        break;
      case 'expect':
        if (v.length === 12 && v.toLowerCase() === '100-continue') h.expectContinue = true;
        break;
    }
  }
  if (connectionTokens !== undefined) {
    // Fields named by Connection are hop-by-hop too; framing and Host stay ours to decide.
    h.fields.dropNamed(connectionTokens.filter((t) => t !== 'host' && t !== 'content-length' && t !== 'transfer-encoding'));
  }
  h.keepAlive = h.minor === 1 ? !connectionClose : connectionKeepAlive && !connectionClose;
  if (h.upgrade && connectionUpgrade && h.minor === 1 && h.method === 'GET' && h.upgradeValue.toLowerCase() === 'websocket') h.websocket = true;
  return 0;
}

/** transfer-coding list whose last element is "chunked", which appears once (RFC 9112 §6.1). */
export function endsWithChunked(v: string): boolean {
  const codings = splitTokens(v);
  if (codings.length === 0 || codings[codings.length - 1] !== 'chunked') return false;
  for (let i = 0; i < codings.length; i++) {
    const coding = codings[i] as string;
    if (!isToken(coding)) return false;
    if (coding === 'chunked' && i !== codings.length - 1) return false;
  }
  return true;
}
