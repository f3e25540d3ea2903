/**
 * Requests as tests write them (every field optional, headers in any case) turned into what
 * the worker sends: defaults filled in, header names lower-case, repeated values joined.
 */
import type { CallParams, CheckRequestParams, CheckRequestRoute } from '@mosn/ipc-protocol';

/** A request check with every field optional; names may be any case, values may repeat. */
export interface TestCheckRequest {
  readonly method?: string;
  readonly path?: string;
  readonly authority?: string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly remoteAddress?: string;
  readonly route?: CheckRequestRoute;
}

export interface TestCallRequest {
  readonly header?: Readonly<Record<string, string>>;
  /** A string is sent as its UTF-8 bytes. */
  readonly body?: Uint8Array | string;
}

/** Defaults: GET / on authority "localhost" from 127.0.0.1, no headers, no route. */
export function toCheckRequestParams(request: TestCheckRequest): CheckRequestParams {
  return {
    method: request.method ?? 'GET',
    path: request.path ?? '/',
    authority: request.authority ?? 'localhost',
    headers: normalizeHeaders(request.headers ?? {}),
    remoteAddress: request.remoteAddress ?? '127.0.0.1',
    ...(request.route === undefined ? {} : { route: request.route }),
  };
}

/** Defaults: no header, empty body. */
export function toCallParams(request: TestCallRequest): CallParams {
  return {
    header: { ...request.header },
    body: typeof request.body === 'string' ? Buffer.from(request.body) : (request.body ?? Buffer.alloc(0)),
  };
}

function normalizeHeaders(headers: Readonly<Record<string, string | readonly string[]>>): Record<string, string> {
  const normalized: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    const joined = typeof value === 'string' ? value : value.join(', ');
    const previous = normalized[key];
    normalized[key] = previous === undefined ? joined : `${previous}, ${joined}`;
  }
  return normalized;
}
