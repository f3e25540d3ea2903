// MOSN's access log format: literal text with `%variable%` placeholders. Checked here, at config
// load, so that a typo is a config error with its path instead of a "-" in every log line; the
// worker learns from it which request and response headers it must capture (and nothing more).

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

export interface ParsedLogFormat {
  /** Lower-case names of the request headers the format prints (`%REQ.name%`). */
  readonly requestHeaders: string[];
  /** Lower-case names of the response headers the format prints (`%RESP.name%`). */
  readonly responseHeaders: string[];
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const KNOWN: ReadonlySet<string> = new Set(ACCESS_LOG_VARIABLES);

/** The headers a format prints; throws an Error saying what was expected and found. */
export function parseLogFormat(format: string): ParsedLogFormat {
  const requestHeaders = new Set<string>();
  const responseHeaders = new Set<string>();
  let i = 0;
  while (i < format.length) {
    const open = format.indexOf('%', i);
    if (open === -1) break;
    const close = format.indexOf('%', open + 1);
    if (close === -1) throw new Error(`expected a closing "%" for the variable at offset ${open}, found the end of the format`);
    const name = format.slice(open + 1, close);
    if (name.startsWith('REQ.') || name.startsWith('RESP.')) {
      const header = name.slice(name.indexOf('.') + 1);
      if (!HEADER_NAME.test(header)) throw new Error(`expected a header name after ${name.slice(0, name.indexOf('.') + 1)}, found ${JSON.stringify(header)}`);
      (name.startsWith('REQ.') ? requestHeaders : responseHeaders).add(header.toLowerCase());
    } else if (!KNOWN.has(name)) {
      throw new Error(`expected a variable of ${ACCESS_LOG_VARIABLES.join(', ')}, REQ.<header> or RESP.<header>; found %${name}%`);
    }
    i = close + 1;
  }
  return { requestHeaders: [...requestHeaders], responseHeaders: [...responseHeaders] };
}
