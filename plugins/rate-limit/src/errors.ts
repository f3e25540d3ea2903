/**
 * Stable codes for what the rate limit hook can fail with. A failed hook is answered to the
 * worker as `MOSN_ERR_PLUGIN_HOOK_FAILED` (this error is its `cause`, its message is in the RPC
 * message) and the worker applies the plugin's `failure_mode`. Callers match on `code`.
 *
 * A bad config is not here: the SDK reports it as `MOSN_ERR_PLUGIN_CONFIG_INVALID` with the
 * path of each problem.
 */
export const RATE_LIMIT_ERROR_CODES = Object.freeze({
  /** The request is not a rate limit request: domain, descriptors or hitsAddend of the wrong shape. */
  requestInvalid: 'MOSN_ERR_RATE_LIMIT_REQUEST_INVALID',
  /** Redis is not connected (down, not reachable yet, reconnecting) or too many commands already wait for it. */
  backendUnavailable: 'MOSN_ERR_RATE_LIMIT_BACKEND_UNAVAILABLE',
  /** Redis did not answer within `redis.command_timeout`. */
  backendTimeout: 'MOSN_ERR_RATE_LIMIT_BACKEND_TIMEOUT',
  /** Redis answered with an error (out of memory, a key of another type, …) or with a reply of the wrong shape. */
  backendFailed: 'MOSN_ERR_RATE_LIMIT_BACKEND_FAILED',
} as const);

export type RateLimitErrorCode = (typeof RATE_LIMIT_ERROR_CODES)[keyof typeof RATE_LIMIT_ERROR_CODES];

export class RateLimitError extends Error {
  readonly code: RateLimitErrorCode;

  constructor(code: RateLimitErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RateLimitError';
    this.code = code;
  }
}

/** The message of anything thrown, for "found …" parts of messages. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : `a non-error value (${typeof error})`;
}
