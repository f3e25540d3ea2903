// MOSN's access log format: literal text with `%variable%` placeholders. Checked here, at config
// load, so that a typo is a config error with its path instead of a "-" in every log line; the
// worker learns from it which request and response headers it must capture (and nothing more),
// and compiles its tokens into the renderer of each line.

/** The variables a `log_format` may use, besides `%REQ.<header>%` and `%RESP.<header>%`. */
export const ACCESS_LOG_VARIABLES = Object.freeze([
  'start_time',
  'request_received_duration',
  'response_received_duration',
  'duration',
  'bytes_sent',
  'bytes_received',
  'protocol',
  'response_code',
  'response_flag',
  'upstream_local_address',
  'downstream_local_address',
  'downstream_remote_address',
  'upstream_host',
  'request_method',
  'request_path',
  'request_id',
] as const);

export type AccessLogVariable = (typeof ACCESS_LOG_VARIABLES)[number];

/** A piece of a format: text copied as it is, a variable, or a header (lower-case name). */
export type LogFormatToken =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'variable'; readonly name: AccessLogVariable }
  | { readonly kind: 'header'; readonly source: 'request' | 'response'; readonly name: string };

export interface ParsedLogFormat {
  /** The format in order; adjacent literals never occur (text runs up to the next `%`). */
  readonly tokens: LogFormatToken[];
  /** Lower-case names of the request headers the format prints (`%REQ.name%`). */
  readonly requestHeaders: string[];
  /** Lower-case names of the response headers the format prints (`%RESP.name%`). */
  readonly responseHeaders: string[];
}

const HEADER_NAME = /^[!#$&'*+.^_`|~0-9A-Za-z-]+$/;
const KNOWN: ReadonlySet<string> = new Set(ACCESS_LOG_VARIABLES);
// A tab is allowed (tab-separated logs); a line break or any other control character is not.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * The tokens of a format and the headers it prints; throws an Error saying what was expected and
 * found. Every `%` opens a variable that the next `%` closes (MOSN's grammar: no escape for a
 * literal `%`).
 */
export function parseLogFormat(format: string): ParsedLogFormat {
  // One record is one line (the logging plugin counts records by newlines): a format may not
  // break it, nor hide a control character in it.
  const control = CONTROL.exec(format);
  if (control !== null) {
    throw new Error(`expected a format without line breaks or control characters, found ${JSON.stringify(control[0])} at column ${control.index + 1}`);
  }
  const tokens: LogFormatToken[] = [];
  const requestHeaders = new Set<string>();
  const responseHeaders = new Set<string>();
  let i = 0;
  while (i < format.length) {
    const open = format.indexOf('%', i);
    if (open === -1) {
      tokens.push({ kind: 'literal', text: format.slice(i) });
      break;
    }
    if (open > i) tokens.push({ kind: 'literal', text: format.slice(i, open) });
    const close = format.indexOf('%', open + 1);
    if (close === -1) throw new Error(`expected a closing "%" for the variable opened at column ${open + 1}, found the end of the format`);
    const token = variableToken(format.slice(open + 1, close), open + 1);
    if (token.kind === 'header') (token.source === 'request' ? requestHeaders : responseHeaders).add(token.name);
    tokens.push(token);
    i = close + 1;
  }
  return { tokens, requestHeaders: [...requestHeaders], responseHeaders: [...responseHeaders] };
}

const PREFIXES = [
  ['REQ.', 'request'],
  ['RESP.', 'response'],
] as const;

function variableToken(name: string, column: number): LogFormatToken {
  if (KNOWN.has(name)) return { kind: 'variable', name: name as AccessLogVariable };
  for (const [prefix, source] of PREFIXES) {
    if (!name.startsWith(prefix)) continue;
    const header = name.slice(prefix.length);
    if (!HEADER_NAME.test(header)) throw new Error(`expected an HTTP header name after ${prefix} at column ${column}, found ${JSON.stringify(header)}`);
    return { kind: 'header', source, name: header.toLowerCase() };
  }
  const found = name === '' ? '"%%" (an empty variable; a literal "%" cannot be written)' : `%${name}%`;
  throw new Error(`expected one of ${ACCESS_LOG_VARIABLES.map((v) => `%${v}%`).join(', ')}, %REQ.<header>% or %RESP.<header>% at column ${column}, found ${found}`);
}
