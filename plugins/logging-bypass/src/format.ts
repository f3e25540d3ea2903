/**
 * MOSN `log_format` strings: `%variable%` tokens between literal text, e.g.
 * `%start_time% %request_method% %request_path% %response_code% %REQ.user-agent%`.
 *
 * The grammar is the one MOSN users write: every `%` opens a variable that the next `%` closes,
 * and everything outside is copied as it is. There is no escape for a literal `%`. A variable is
 * one of `ACCESS_LOG_VARIABLES`, or `REQ.<header-name>` / `RESP.<header-name>` (any case, looked
 * up lower-case). Anything else is an error naming the column, so a format is parsed (and
 * compiled) once, never per record.
 */
import type { AccessLogRecord } from '@mosn/plugin-sdk';
import { ACCESS_LOG_ERROR_CODES, AccessLogError } from './errors.js';
import { createJsonLineFormatter } from './json-format.js';
import {
  ACCESS_LOG_HEADER_PREFIXES,
  ACCESS_LOG_VARIABLES,
  createStartTimeFormatter,
  isAccessLogVariable,
  textValue,
  variableRenderer,
} from './variables.js';
import type { AccessLogVariable } from './variables.js';

export type FormatToken =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'variable'; readonly name: AccessLogVariable }
  | { readonly kind: 'header'; readonly source: 'request' | 'response'; readonly name: string };

/** Turns one record into one line (without the newline). */
export type RecordRenderer = (record: AccessLogRecord) => string;

const HEADER_NAME = /^[!#$&'*+.^_`|~0-9A-Za-z-]+$/;

/** The tokens of a format; throws `MOSN_ERR_ACCESS_LOG_FORMAT_INVALID` saying where and why. */
export function parseAccessLogFormat(format: string): FormatToken[] {
  const tokens: FormatToken[] = [];
  let at = 0;
  while (at < format.length) {
    const open = format.indexOf('%', at);
    if (open === -1) {
      tokens.push({ kind: 'literal', text: format.slice(at) });
      break;
    }
    if (open > at) tokens.push({ kind: 'literal', text: format.slice(at, open) });
    const close = format.indexOf('%', open + 1);
    if (close === -1) {
      throw formatError(format, `expected a closing "%" for the variable opened at column ${open + 1}, found the end of the format`);
    }
    tokens.push(variableToken(format, format.slice(open + 1, close), open + 1));
    at = close + 1;
  }
  return tokens;
}

function variableToken(format: string, name: string, column: number): FormatToken {
  if (isAccessLogVariable(name)) return { kind: 'variable', name };
  for (const source of ['request', 'response'] as const) {
    const prefix = ACCESS_LOG_HEADER_PREFIXES[source];
    if (!name.startsWith(prefix)) continue;
    const header = name.slice(prefix.length);
    if (!HEADER_NAME.test(header)) {
      throw formatError(format, `expected an HTTP header name after ${prefix} at column ${column}, found ${JSON.stringify(header)}`);
    }
    return { kind: 'header', source, name: header.toLowerCase() };
  }
  const found = name === '' ? '"%%" (an empty variable; a literal "%" cannot be written)' : `%${name}%`;
  throw formatError(
    format,
    `expected one of ${ACCESS_LOG_VARIABLES.map((v) => `%${v}%`).join(', ')}, %REQ.<header>% or %RESP.<header>% at column ${column}, found ${found}`,
  );
}

function formatError(format: string, problem: string): AccessLogError {
  return new AccessLogError(ACCESS_LOG_ERROR_CODES.formatInvalid, `invalid access log format ${JSON.stringify(format)}: ${problem}`);
}

/** Compiles a format into a renderer (a list of parts joined per record). */
export function compileAccessLogFormat(format: string): RecordRenderer {
  const startTime = createStartTimeFormatter();
  const parts: (string | RecordRenderer)[] = [];
  for (const token of parseAccessLogFormat(format)) {
    const part =
      token.kind === 'literal'
        ? token.text
        : token.kind === 'variable'
          ? variableRenderer(token.name, startTime)
          : headerRenderer(token.source, token.name);
    const last = parts[parts.length - 1];
    // Adjacent literals (never produced by the parser today) would be merged here.
    if (typeof part === 'string' && typeof last === 'string') parts[parts.length - 1] = last + part;
    else parts.push(part);
  }
  return (record) => {
    let line = '';
    for (const part of parts) line += typeof part === 'string' ? part : part(record);
    return line;
  };
}

function headerRenderer(source: 'request' | 'response', name: string): RecordRenderer {
  return source === 'request' ? (r) => textValue(r.requestHeaders?.[name]) : (r) => textValue(r.responseHeaders?.[name]);
}

/**
 * Compiled formats by format string, each compiled once; no format (or "") is JSON lines. A
 * format that does not parse is cached as its error, so that it is reported, not re-parsed, per
 * batch. Formats come from the proxy config, so the cache stays small; it is cleared if it ever
 * holds more than `limit`.
 */
export class FormatCache {
  readonly #compiled = new Map<string, RecordRenderer | AccessLogError>();
  readonly #limit: number;

  constructor(limit = 1024) {
    this.#limit = limit;
  }

  get(format: string | undefined): RecordRenderer | AccessLogError {
    const key = format ?? '';
    let compiled = this.#compiled.get(key);
    if (compiled === undefined) {
      compiled = compile(key);
      if (this.#compiled.size >= this.#limit) this.#compiled.clear();
      this.#compiled.set(key, compiled);
    }
    return compiled;
  }

  get size(): number {
    return this.#compiled.size;
  }
}

function compile(format: string): RecordRenderer | AccessLogError {
  if (format === '') return createJsonLineFormatter();
  try {
    return compileAccessLogFormat(format);
  } catch (error) {
    if (error instanceof AccessLogError) return error;
    throw error;
  }
}
