/**
 * Stable codes for what can go wrong while writing access logs. None of them stops the plugin:
 * each is logged (throttled, with the path) and counted in the stats (`call` with `op: stats`),
 * and the records concerned are counted as failed or dropped, never written twice.
 *
 * An invalid plugin config is reported by the SDK as `MOSN_ERR_PLUGIN_CONFIG_INVALID` with the
 * zod path of each problem; these codes are for what happens at run time.
 */
export const ACCESS_LOG_ERROR_CODES = Object.freeze({
  /** A batch that does not fit the wire contract (an entry's `log` index out of range, bytes without their final newline). */
  batchInvalid: 'MOSN_ERR_ACCESS_LOG_BATCH_INVALID',
  /** A worker's batch numbers skipped: batches were lost between the worker and the plugin. */
  batchesLost: 'MOSN_ERR_ACCESS_LOG_BATCHES_LOST',
  /** A log file cannot be opened (missing directory, a directory in the way, permissions). */
  open: 'MOSN_ERR_ACCESS_LOG_OPEN',
  /** Writing to an open log file failed (disk full, I/O error). */
  write: 'MOSN_ERR_ACCESS_LOG_WRITE',
  /** More bytes waiting for a file than `max_pending`: a batch for it was dropped. */
  overloaded: 'MOSN_ERR_ACCESS_LOG_OVERLOADED',
  /** Renaming the current file, or deleting rotated files beyond `keep`, failed. */
  rotate: 'MOSN_ERR_ACCESS_LOG_ROTATE',
  /** Compressing a rotated file failed; the uncompressed file is kept. */
  compress: 'MOSN_ERR_ACCESS_LOG_COMPRESS',
  /** A generic `call` the plugin does not know (only `op: stats` is served). */
  callInvalid: 'MOSN_ERR_ACCESS_LOG_CALL_INVALID',
} as const);

export type AccessLogErrorCode = (typeof ACCESS_LOG_ERROR_CODES)[keyof typeof ACCESS_LOG_ERROR_CODES];

export class AccessLogError extends Error {
  readonly code: AccessLogErrorCode;

  constructor(code: AccessLogErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AccessLogError';
    this.code = code;
  }
}

/** The `code` of a Node.js system error (`ENOENT`, …), if it has one. */
export function systemCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
