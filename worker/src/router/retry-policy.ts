// A route's retry_policy, compiled: what may be retried and how often. The decisions themselves
// are taken by the proxy stream, which alone knows whether the body can be sent again.

import type { RetryPolicyConfig } from '@mosn/config';

/** Request bodies up to this size are kept while they are forwarded, so that a retry can resend them. */
export const RETRY_BODY_LIMIT_BYTES = 64 * 1024;

/** Methods a reset or timeout may repeat (RFC 9110 §9.2.2): the upstream may have acted on the others. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export class RetryPolicy {
  readonly numRetries: number;
  /** Per-try timeout (request sent → response head); 0 = none. */
  readonly perTryTimeoutMs: number;
  /** retry_on: resets, per-try timeouts and statuses too (connect failures are always retried). */
  readonly retryOn: boolean;
  private readonly statuses: ReadonlySet<number> | undefined;

  constructor(config: RetryPolicyConfig) {
    this.numRetries = config.num_retries;
    this.perTryTimeoutMs = config.retry_timeout;
    this.retryOn = config.retry_on;
    this.statuses = config.status_codes.length === 0 ? undefined : new Set(config.status_codes);
  }

  /** A response with this status is retried (when tries remain). MOSN's rule: the listed codes, else any 5xx. */
  retriesStatus(status: number): boolean {
    if (!this.retryOn) return false;
    return this.statuses === undefined ? status >= 500 : this.statuses.has(status);
  }

  /** A reset or per-try timeout after the request went out may be retried for this method. */
  retriesAfterSend(method: string): boolean {
    return this.retryOn && IDEMPOTENT.has(method);
  }
}
