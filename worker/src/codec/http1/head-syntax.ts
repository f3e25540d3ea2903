// The grammar of a whole message head (RFC 9112 §3, §4, §5) as regular expressions, checked in
// one pass before anything is sliced out. Each line is tchar+ ":" field-chars* CRLF: no
// whitespace before the colon, no obs-fold (a line must start with a tchar), no bare CR or LF,
// no control characters except HTAB. The quantifiers never overlap (a token cannot contain ":",
// a value cannot contain CR), so matching stays linear on hostile input.

const TCHAR = "!#$%&'*+\\-.^_`|~0-9A-Za-z";
const FIELD_CHAR = '\\t\\x20-\\x7e\\x80-\\xff';
const FIELD_LINES = '(?:[' + TCHAR + ']+:[' + FIELD_CHAR + ']*\\r\\n)*\\r\\n$';

/** request-line = method SP request-target SP HTTP-version CRLF, then the fields. */
export const REQUEST_HEAD = new RegExp('^[' + TCHAR + ']+ [\\x21-\\x7e]+ HTTP/[0-9]\\.[0-9]\\r\\n' + FIELD_LINES);

/** status-line = HTTP-version SP 3DIGIT [ SP reason-phrase ] CRLF, then the fields. */
export const RESPONSE_HEAD = new RegExp('^HTTP/1\\.[0-9] [1-5][0-9][0-9](?: [' + FIELD_CHAR + ']*)?\\r\\n' + FIELD_LINES);
