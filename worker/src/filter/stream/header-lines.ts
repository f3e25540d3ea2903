// Header fields a plugin asks for, checked before they reach the wire: a plugin bug must not
// become header injection (CR/LF in a value) or a malformed head.

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The header lines for `headers`, skipping (and reporting) any that are not valid HTTP fields. */
export function headerLines(headers: Record<string, string> | undefined, onInvalid: (name: string) => void): string {
  if (headers === undefined) return '';
  let lines = '';
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name) || typeof value !== 'string' || !FIELD_VALUE.test(value)) {
      onInvalid(name);
      continue;
    }
    lines += name + ': ' + value.trim() + '\r\n';
  }
  return lines;
}

/** What a `continue` decision does to the upstream request, worked out once per decision. */
export interface PreparedHeaders {
  /** The header lines to add, validated. */
  readonly lines: string;
  /** Lower-case names whose client-sent fields are dropped (a filter's header replaces the client's). */
  readonly drop: readonly string[];
}

export const NO_HEADERS: PreparedHeaders = Object.freeze({ lines: '', drop: Object.freeze([]) as readonly string[] });

export function prepareHeaders(headers: Record<string, string> | undefined, onInvalid: (name: string) => void): PreparedHeaders {
  if (headers === undefined) return NO_HEADERS;
  return { lines: headerLines(headers, onInvalid), drop: Object.keys(headers).map((n) => n.toLowerCase()) };
}
