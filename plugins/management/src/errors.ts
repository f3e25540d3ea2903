/**
 * Stable codes of the management plugin. HTTP errors are answered as JSON
 * (`{"error": "<message>", "code": "MOSN_ERR_ADMIN_…"}`, MOSN's `{"error": …}` shape plus the code);
 * the others are thrown from `setup` or logged. Callers match on `code`.
 *
 * A bad plugin config is not here: the SDK reports it as `MOSN_ERR_PLUGIN_CONFIG_INVALID` with
 * the path of each problem.
 */
export const MANAGEMENT_ERROR_CODES = Object.freeze({
  /** The admin HTTP server could not listen on its address (in use, not local, no permission). Setup fails. */
  listenFailed: 'MOSN_ERR_ADMIN_LISTEN_FAILED',
  /** 404: no such endpoint (the answer lists them). */
  notFound: 'MOSN_ERR_ADMIN_NOT_FOUND',
  /** 405: the endpoint exists but not with this method (`Allow` says which). */
  methodNotAllowed: 'MOSN_ERR_ADMIN_METHOD_NOT_ALLOWED',
  /** 401: a state-changing endpoint without `Authorization: Bearer <admin_token>`, or with another token. */
  unauthorized: 'MOSN_ERR_ADMIN_UNAUTHORIZED',
  /** 400: a query parameter or a request body that is not what the endpoint expects. */
  badRequest: 'MOSN_ERR_ADMIN_BAD_REQUEST',
  /** 413: a request body above the limit (64 KiB). */
  bodyTooLarge: 'MOSN_ERR_ADMIN_BODY_TOO_LARGE',
  /** 404: a stats key, plugin, listener, cluster or router named in the query does not exist. */
  unknownKey: 'MOSN_ERR_ADMIN_UNKNOWN_KEY',
  /** 503: the supervisor has not sent its state yet (just started, or it is not reporting). */
  noHostState: 'MOSN_ERR_ADMIN_NO_HOST_STATE',
  /** 503: an admin action needs the supervisor's connection, and there is none right now. */
  hostUnavailable: 'MOSN_ERR_ADMIN_HOST_UNAVAILABLE',
  /** 502: the supervisor refused or failed an admin action. */
  hostFailed: 'MOSN_ERR_ADMIN_HOST_FAILED',
  /** 500: a bug in an endpoint; the message is logged with its stack. */
  internal: 'MOSN_ERR_ADMIN_INTERNAL',
  /** Logged: a metrics report, or a metric in it, of the wrong shape; it is left out of the aggregation. */
  reportInvalid: 'MOSN_ERR_ADMIN_REPORT_INVALID',
} as const);

export type ManagementErrorCode = (typeof MANAGEMENT_ERROR_CODES)[keyof typeof MANAGEMENT_ERROR_CODES];

export class ManagementError extends Error {
  readonly code: ManagementErrorCode;

  constructor(code: ManagementErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ManagementError';
    this.code = code;
  }
}

/** The message of anything thrown, for "found …" parts of messages. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : `a non-error value (${typeof error})`;
}
