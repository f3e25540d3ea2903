// Limits of the HTTP/1.1 codec and of downstream connections. Every limit protects the worker
// from a peer that sends too much or too slowly. A proxy listener's config sets some of them
// (extend_config, connection_idle_timeout: see listenerLimits); the rest are constants.

import type { ListenerConfig } from '@mosn/config';

export interface HttpLimits {
  /** Largest request head (request line + headers + blank line) we accept; larger → 431. */
  maxRequestHeadBytes: number;
  /** Most header fields in one request; more → 431. */
  maxRequestHeaders: number;
  /** Largest response head an upstream may send; larger → 502. */
  maxResponseHeadBytes: number;
  /** Largest chunk-extension or trailer section, per message; larger → 400 / 502. */
  maxChunkMetaBytes: number;
  /** From accept (or the first byte of a later request) until the head is complete; then 408. */
  headerTimeoutMs: number;
  /** An idle keep-alive client connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** Bytes of pipelined requests buffered while a response is in progress before reading pauses. */
  maxPipelineBufferBytes: number;
  /** How long a closing connection keeps discarding input, so that our last response is not lost to a reset. */
  lingerMs: number;
  /** Requests per downstream connection; the last response says Connection: close. 0 = unlimited. */
  maxRequestsPerConnection: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  maxRequestHeadBytes: 60 * 1024,
  maxRequestHeaders: 100,
  maxResponseHeadBytes: 60 * 1024,
  maxChunkMetaBytes: 16 * 1024,
  headerTimeoutMs: 60_000,
  keepAliveTimeoutMs: 60_000,
  maxPipelineBufferBytes: 64 * 1024,
  lingerMs: 2_000,
  maxRequestsPerConnection: 0,
});

export function resolveLimits(overrides: Partial<HttpLimits> | undefined): HttpLimits {
  return overrides === undefined ? { ...DEFAULT_HTTP_LIMITS } : { ...DEFAULT_HTTP_LIMITS, ...overrides };
}

/**
 * The limits of one proxy listener: `base` (the worker's) with what the listener configures.
 * Returns `base` itself when the listener configures none of them.
 */
export function listenerLimits(base: Readonly<HttpLimits>, listener: ListenerConfig): HttpLimits {
  const filter = listener.filter_chains[0]?.filters[0];
  const http = filter?.type === 'proxy' ? filter.config.extend_config : undefined;
  const idle = listener.connection_idle_timeout;
  if (http === undefined && idle === undefined) return base;
  const limits = { ...base };
  if (http !== undefined) {
    limits.maxRequestHeadBytes = http.max_header_size;
    limits.maxRequestHeaders = http.max_header_count;
    limits.headerTimeoutMs = http.header_read_timeout;
    limits.maxRequestsPerConnection = http.max_requests_per_connection;
  }
  // 0 means never: a timer of 0 would fire at once, so it becomes the largest delay a timer takes.
  if (idle !== undefined) limits.keepAliveTimeoutMs = idle === 0 ? 2_147_483_647 : idle;
  return limits;
}
