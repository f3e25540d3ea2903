// Limits of the HTTP/1.1 codec. Constants for now; the config will expose them later.
// Every limit protects the worker from a peer that sends too much or too slowly.

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
});

export function resolveLimits(overrides: Partial<HttpLimits> | undefined): HttpLimits {
  return overrides === undefined ? { ...DEFAULT_HTTP_LIMITS } : { ...DEFAULT_HTTP_LIMITS, ...overrides };
}
