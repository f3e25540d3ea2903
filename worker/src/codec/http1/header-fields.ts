// The header section of an HTTP/1.1 message (RFC 9112 §5). Syntax is checked by one regular
// expression over the whole head (see head-syntax.ts: irregexp checks a byte in well under a
// nanosecond, a JavaScript charCodeAt loop here takes several); this file then slices the fields
// out of the validated text, and explains precisely why a head that failed the check is invalid.

import { FIELD_VALUE, TOKEN } from './char-classes.js';
import { ParseError } from './parse-error.js';

/**
 * Header fields in arrival order: raw names (forwarded as sent), lower-case names, trimmed values,
 * and where each line starts and ends in the head text, so that kept lines can be forwarded as
 * slices of it. Reused from message to message: only the first `count` entries are current
 * (truncating arrays with `length = 0` costs more than parsing a small head in V8).
 */
export class HeaderFields {
  count = 0;
  readonly names: string[] = [];
  readonly lnames: string[] = [];
  readonly values: string[] = [];
  /** Per field: true when it must not be forwarded (hop-by-hop, or replaced by the proxy). */
  readonly drop: boolean[] = [];
  /** Offset of each field line in the head text, and offset just past its CRLF. */
  readonly starts: number[] = [];
  readonly ends: number[] = [];

  get length(): number {
    return this.count;
  }

  reset(): void {
    this.count = 0;
  }

  add(name: string, lname: string, value: string, start: number, end: number): void {
    const i = this.count++;
    this.names[i] = name;
    this.lnames[i] = lname;
    this.values[i] = value;
    this.drop[i] = false;
    this.starts[i] = start;
    this.ends[i] = end;
  }

  /** First value of a lower-case name. */
  get(lname: string): string | undefined {
    const lnames = this.lnames;
    for (let i = 0; i < this.count; i++) if (lnames[i] === lname) return this.values[i];
    return undefined;
  }

  /** Marks every field whose lower-case name is in `lnames` as not forwarded (names listed in Connection). */
  dropNamed(lnames: readonly string[]): void {
    for (let i = 0; i < this.count; i++) {
      if (lnames.includes(this.lnames[i] as string)) this.drop[i] = true;
    }
  }
}

/**
 * Slices the fields of an already validated head `s` out, from `i` (the first field line) to the
 * blank line. Returns the offset of the blank line, or -TOO_MANY_HEADERS.
 */
export function extractHeaderFields(s: string, i: number, out: HeaderFields, maxFields: number): number {
  out.count = 0;
  while (s.charCodeAt(i) !== 13) {
    if (out.count === maxFields) return -ParseError.TOO_MANY_HEADERS;
    const colon = s.indexOf(':', i);
    const eol = s.indexOf('\r', colon); // validated: the next CR is this line's CRLF
    let a = colon + 1;
    let c = s.charCodeAt(a);
    while (c === 32 || c === 9) c = s.charCodeAt(++a);
    let b = eol;
    while (b > a && ((c = s.charCodeAt(b - 1)) === 32 || c === 9)) b--;
    const name = s.slice(i, colon);
    // toLowerCase returns the same string when nothing changes, so lower-case names cost nothing.
    out.add(name, name.toLowerCase(), s.slice(a, b), i, eol + 2);
    i = eol + 2;
  }
  return i;
}

/**
 * Why the field lines from `i` on are invalid: the first violation as a negated ParseError, or
 * the offset after the blank line when there is none. Slow on purpose (byte by byte): it only
 * runs for heads the syntax check refused, to say why.
 */
export function diagnoseHeaderFields(s: string, i: number): number {
  for (;;) {
    let c = s.charCodeAt(i);
    if (c === 13) return s.charCodeAt(i + 1) === 10 ? i + 2 : -ParseError.BARE_CR;
    if (c === 32 || c === 9) return -ParseError.OBS_FOLD;
    if (c === 10) return -ParseError.BARE_LF;
    const nameStart = i;
    while (TOKEN[c] === 1) c = s.charCodeAt(++i);
    if (c !== 58) {
      if (c === 32 || c === 9) return -ParseError.SPACE_BEFORE_COLON;
      if (c === 13) return s.charCodeAt(i + 1) === 10 ? -ParseError.BAD_HEADER_NAME : -ParseError.BARE_CR;
      return c === 10 ? -ParseError.BARE_LF : -ParseError.BAD_HEADER_NAME;
    }
    if (i === nameStart) return -ParseError.BAD_HEADER_NAME;
    c = s.charCodeAt(++i);
    while (c !== 13) {
      if (FIELD_VALUE[c] !== 1) return c === 10 ? -ParseError.BARE_LF : -ParseError.BAD_HEADER_VALUE;
      c = s.charCodeAt(++i);
    }
    if (s.charCodeAt(i + 1) !== 10) return -ParseError.BARE_CR;
    i += 2;
  }
}

/**
 * Splits a comma-separated list header value into lower-case trimmed tokens (empty elements
 * skipped, as RFC 9110 §5.6.1 asks). Only used on Connection / TE / Transfer-Encoding, which are short.
 */
export function splitTokens(value: string): string[] {
  // The common single-token values, without split/trim/lower-case allocations.
  if (value === 'keep-alive' || value === 'close' || value === 'chunked' || value === 'trailers') return [value];
  const out: string[] = [];
  for (const part of value.split(',')) {
    const t = part.trim();
    if (t.length > 0) out.push(t.toLowerCase());
  }
  return out;
}

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** True when `s` is a non-empty run of tchar. */
export function isToken(s: string): boolean {
  return TOKEN_RE.test(s);
}

const DECIMAL_RE = /^[0-9]{1,15}$/;

/** Parses 1*DIGIT (at most 15 digits, so exact in a double); -1 when it is not one. */
export function parseDecimal(s: string): number {
  return DECIMAL_RE.test(s) ? Number(s) : -1;
}
