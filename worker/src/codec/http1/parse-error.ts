// Why a message was rejected. Parsers return these small numbers instead of throwing: bad input is
// an ordinary outcome on the hot path, and the connection turns it into a status and a short text.

export const ParseError = {
  BAD_REQUEST_LINE: 1,
  BAD_METHOD: 2,
  BAD_TARGET: 3,
  BAD_VERSION: 4,
  UNSUPPORTED_VERSION: 5,
  BAD_HEADER_NAME: 6,
  SPACE_BEFORE_COLON: 7,
  BAD_HEADER_VALUE: 8,
  OBS_FOLD: 9,
  BARE_CR: 10,
  BARE_LF: 11,
  TOO_MANY_HEADERS: 12,
  HEAD_TOO_LARGE: 13,
  MISSING_HOST: 14,
  DUPLICATE_HOST: 15,
  BAD_HOST: 16,
  BAD_CONTENT_LENGTH: 17,
  DUPLICATE_CONTENT_LENGTH: 18,
  CONTENT_LENGTH_WITH_TRANSFER_ENCODING: 19,
  BAD_TRANSFER_ENCODING: 20,
  DUPLICATE_TRANSFER_ENCODING: 21,
  TRANSFER_ENCODING_IN_HTTP10: 22,
  BAD_CHUNK_SIZE: 23,
  BAD_CHUNK_EXTENSION: 24,
  BAD_CHUNK_DATA_END: 25,
  BAD_TRAILER: 26,
  CHUNK_META_TOO_LARGE: 27,
  CONNECT_NOT_SUPPORTED: 28,
  BAD_STATUS_LINE: 29,
  BAD_STATUS: 30,
  SWITCHING_PROTOCOLS: 31,
} as const;

export type ParseErrorCode = (typeof ParseError)[keyof typeof ParseError];

interface ErrorInfo {
  status: number;
  text: string;
}

const INFO: Record<ParseErrorCode, ErrorInfo> = {
  1: { status: 400, text: 'malformed request line' },
  2: { status: 400, text: 'invalid method' },
  3: { status: 400, text: 'invalid request target' },
  4: { status: 400, text: 'invalid HTTP version' },
  5: { status: 505, text: 'HTTP version not supported' },
  6: { status: 400, text: 'invalid header name' },
  7: { status: 400, text: 'whitespace between header name and colon' },
  8: { status: 400, text: 'invalid character in header value' },
  9: { status: 400, text: 'obsolete line folding in header' },
  10: { status: 400, text: 'bare CR in message head' },
  11: { status: 400, text: 'bare LF in message head' },
  12: { status: 431, text: 'too many header fields' },
  13: { status: 431, text: 'request header section too large' },
  14: { status: 400, text: 'missing Host header' },
  15: { status: 400, text: 'more than one Host header' },
  16: { status: 400, text: 'invalid Host header' },
  17: { status: 400, text: 'invalid Content-Length' },
  18: { status: 400, text: 'more than one Content-Length' },
  19: { status: 400, text: 'both Content-Length and Transfer-Encoding' },
  20: { status: 400, text: 'Transfer-Encoding must end with chunked' },
  21: { status: 400, text: 'more than one Transfer-Encoding header' },
  22: { status: 400, text: 'Transfer-Encoding in an HTTP/1.0 request' },
  23: { status: 400, text: 'invalid chunk size' },
  24: { status: 400, text: 'invalid chunk extension' },
  25: { status: 400, text: 'chunk data not followed by CRLF' },
  26: { status: 400, text: 'invalid trailer section' },
  27: { status: 400, text: 'chunk extensions or trailers too large' },
  28: { status: 501, text: 'CONNECT is not supported' },
  29: { status: 502, text: 'malformed status line' },
  30: { status: 502, text: 'invalid status code' },
  31: { status: 502, text: 'unexpected 101 Switching Protocols' },
};

export function parseErrorStatus(code: ParseErrorCode): number {
  return INFO[code].status;
}

export function parseErrorText(code: ParseErrorCode): string {
  return INFO[code].text;
}
