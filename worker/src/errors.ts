// Errors of the forwarding plane. Callers match on `code`, never on the message.
// Messages say what was expected and what was found, and name the listener, cluster or host.

export const WORKER_ERROR_CODES = Object.freeze([
  /** A listener could not start accepting (bad handle, address in use, unknown name). */
  'MOSN_ERR_LISTEN',
  /** The config handed to the worker is not usable (unknown router or cluster, unsupported filter). */
  'MOSN_ERR_WORKER_CONFIG',
  /** An upstream connection could not be established (refused, unreachable, timed out). */
  'MOSN_ERR_UPSTREAM_CONNECT',
  /** An upstream connection was reset or closed before the response was complete. */
  'MOSN_ERR_UPSTREAM_RESET',
  /** An upstream sent something that is not valid HTTP/1.1. */
  'MOSN_ERR_UPSTREAM_PROTOCOL',
  /** A route's timeout elapsed before the response was complete. */
  'MOSN_ERR_ROUTE_TIMEOUT',
  /** A cluster has no host to send to. */
  'MOSN_ERR_NO_HOST',
  /** A cluster's circuit breakers refused a request (max_requests, max_pending_requests, or no connection free in time); 503 with x-mosn-overloaded. */
  'MOSN_ERR_UPSTREAM_OVERFLOW',
  /** The worker server was used after `close()`. */
  'MOSN_ERR_WORKER_CLOSED',
  /** The supervisor's messages came in an order the worker does not expect. */
  'MOSN_ERR_WORKER_PROTOCOL',
  /** An uncaught exception or unhandled rejection; the worker exits and is replaced. */
  'MOSN_ERR_WORKER_CRASH',
  /** A plugin is not running, or its socket cannot be reached; the filter's failure mode decides. */
  'MOSN_ERR_PLUGIN_UNAVAILABLE',
  /** A plugin did not answer within its timeout; the filter's failure mode decides. */
  'MOSN_ERR_PLUGIN_TIMEOUT',
  /** A plugin answered a call with an error (its hook threw or returned an invalid result). */
  'MOSN_ERR_PLUGIN_CALL_FAILED',
] as const);

export type WorkerErrorCode = (typeof WORKER_ERROR_CODES)[number];

export class MosnWorkerError extends Error {
  readonly code: WorkerErrorCode;

  constructor(code: WorkerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MosnWorkerError';
    this.code = code;
  }
}

/** The `code` of a Node system error (`ECONNREFUSED`, …), or its message when it has none. */
export function describeSystemError(err: unknown): string {
  if (err !== null && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const message = (err as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return String(err);
}
