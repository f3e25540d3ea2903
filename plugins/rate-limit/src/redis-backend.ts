/**
 * Counters in Redis, shared by every proxy (every machine) that uses the same Redis and prefix.
 *
 * The worker waits for this plugin only a few milliseconds (its call timeout), so a call must
 * fail FAST when Redis is down or slow, and never queue behind a dead connection:
 *
 *   call ──► connected? ──no──► reject at once (BACKEND_UNAVAILABLE)
 *              │yes
 *              ▼
 *            pending < max_pending? ──no──► reject at once (BACKEND_UNAVAILABLE)
 *              │yes
 *              ▼
 *            EVALSHA (one round trip) ──► answer within command_timeout ──► counts
 *                                     └─► no answer in time ──► reject (BACKEND_TIMEOUT);
 *                                         the command stays "pending" until Redis answers it or
 *                                         the connection closes, so max_pending bounds the queue
 *
 * ioredis runs with no offline queue and no per-request retries (a command is never held for a
 * later connection), and reconnects in the background with jittered exponential backoff; the
 * plugin starts before Redis is reachable and works as soon as it is.
 */
import { Redis } from 'ioredis';
import type { PluginLogger } from '@mosn/plugin-sdk';
import { redactUrl } from './config.js';
import type { RedisConfig } from './config.js';
import { reconnectDelay } from './backoff.js';
import type { Counter, CounterBackend } from './counter-backend.js';
import { RATE_LIMIT_ERROR_CODES, RateLimitError, messageOf } from './errors.js';
import { EXPIRY_GRACE_MS, INCREMENT_SCRIPT } from './redis-script.js';

const SCRIPT_COMMAND = 'mosnRateLimitIncrement';

type ScriptClient = Redis & {
  [SCRIPT_COMMAND](numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
};

export interface RedisBackendOptions {
  readonly config: RedisConfig;
  readonly logger: PluginLogger;
}

export class RedisBackend implements CounterBackend {
  readonly kind = 'redis';
  readonly #client: ScriptClient;
  readonly #config: RedisConfig;
  readonly #logger: PluginLogger;
  /** Where, for messages: the URL without credentials. */
  readonly address: string;
  #pending = 0;
  #lastError: string | undefined;
  #wasReady = false;
  #closing = false;

  constructor({ config, logger }: RedisBackendOptions) {
    this.#config = config;
    this.#logger = logger;
    this.address = redactUrl(config.url);
    const { min_delay, max_delay } = config.reconnect;
    this.#client = new Redis(config.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      connectTimeout: config.connect_timeout,
      retryStrategy: (attempt) => reconnectDelay(attempt, min_delay, max_delay),
      reconnectOnError: () => false,
      keepAlive: 10_000,
      connectionName: 'mosn-rate-limit',
    }) as ScriptClient;
    this.#client.defineCommand(SCRIPT_COMMAND, { lua: INCREMENT_SCRIPT });
    this.#client.on('ready', () => this.#onReady());
    this.#client.on('error', (error: Error) => this.#onError(error));
    this.#client.on('close', () => this.#onClose());
  }

  /** Starts connecting in the background; calls fail fast until the connection is ready. */
  start(): void {
    this.#logger.info({ redis: this.address }, `connecting to redis at ${this.address} in the background`);
    // A failed first attempt is logged by the error handler and retried by retryStrategy.
    this.#client.connect().catch(() => {});
  }

  /** Commands sent and not answered yet. */
  get pending(): number {
    return this.#pending;
  }

  /** ioredis's connection status: `ready` when calls can be served. */
  get status(): string {
    return this.#client.status;
  }

  increment(counters: readonly Counter[], hits: number, nowMs: number): Promise<readonly number[]> {
    const status = this.#client.status;
    if (status !== 'ready') {
      return Promise.reject(
        new RateLimitError(
          RATE_LIMIT_ERROR_CODES.backendUnavailable,
          `expected a connection to redis at ${this.address}, found it ${status}${this.#lastError === undefined ? '' : ` (last error: ${this.#lastError})`}`,
        ),
      );
    }
    if (this.#pending >= this.#config.max_pending) {
      return Promise.reject(
        new RateLimitError(
          RATE_LIMIT_ERROR_CODES.backendUnavailable,
          `expected fewer than ${this.#config.max_pending} commands waiting for redis at ${this.address} (max_pending), found ${this.#pending}: redis is not answering`,
        ),
      );
    }
    const args: (string | number)[] = [];
    for (const counter of counters) args.push(this.redisKey(counter));
    args.push(hits);
    for (const counter of counters) args.push(counter.windowStartMs + counter.unitMs - nowMs + EXPIRY_GRACE_MS);

    this.#pending++;
    const reply = this.#client[SCRIPT_COMMAND](counters.length, ...args);
    const timeoutMs = this.#config.command_timeout;
    return new Promise<readonly number[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new RateLimitError(
            RATE_LIMIT_ERROR_CODES.backendTimeout,
            `expected redis at ${this.address} to answer within ${timeoutMs} ms (command_timeout), found no answer`,
          ),
        );
      }, timeoutMs);
      // Settling after the timeout is a no-op for the caller; it only releases `pending`.
      reply.then(
        (value) => {
          this.#pending--;
          clearTimeout(timer);
          const counts = countsOf(value, counters.length);
          if (counts !== undefined) resolve(counts);
          else reject(new RateLimitError(RATE_LIMIT_ERROR_CODES.backendFailed, `expected ${counters.length} counts from redis at ${this.address}, found ${show(value)}`));
        },
        (error: unknown) => {
          this.#pending--;
          clearTimeout(timer);
          reject(this.#failure(error));
        },
      );
    });
  }

  /** prefix + descriptor + window: `mosn:ratelimit:edge|remote_address=10.0.0.7|second@1715600000`. */
  redisKey(counter: Counter): string {
    return `${this.#config.key_prefix}${counter.key}|${counter.unit}@${counter.windowStartMs / 1000}`;
  }

  async close(): Promise<void> {
    // Counters need no goodbye: drop the connection and stop reconnecting.
    this.#closing = true;
    this.#client.disconnect(false);
  }

  #failure(error: unknown): RateLimitError {
    const message = messageOf(error);
    // A reply error is Redis refusing the command (OOM, a key of another type, a read-only replica).
    if ((error as { name?: unknown } | null)?.name === 'ReplyError') {
      return new RateLimitError(RATE_LIMIT_ERROR_CODES.backendFailed, `expected redis at ${this.address} to count, found the error: ${message}`, { cause: error });
    }
    return new RateLimitError(RATE_LIMIT_ERROR_CODES.backendUnavailable, `expected an answer from redis at ${this.address}, found the connection lost: ${message}`, {
      cause: error,
    });
  }

  #onReady(): void {
    this.#wasReady = true;
    this.#lastError = undefined;
    this.#logger.info({ redis: this.address }, `connected to redis at ${this.address}`);
  }

  #onError(error: Error): void {
    // While Redis stays down every reconnection attempt fails the same way: say it once.
    const message = messageOf(error);
    if (message === this.#lastError) {
      this.#logger.debug({ redis: this.address, err: message }, 'redis still unavailable');
      return;
    }
    this.#lastError = message;
    this.#logger.warn(
      { redis: this.address, err: message, code: RATE_LIMIT_ERROR_CODES.backendUnavailable },
      `redis at ${this.address}: ${message}; reconnecting in the background, rate limit calls fail until it is back`,
    );
  }

  #onClose(): void {
    if (!this.#wasReady || this.#closing) return;
    this.#wasReady = false;
    this.#logger.warn({ redis: this.address, code: RATE_LIMIT_ERROR_CODES.backendUnavailable }, `lost the connection to redis at ${this.address}; reconnecting in the background`);
  }
}

function countsOf(value: unknown, length: number): number[] | undefined {
  if (!Array.isArray(value) || value.length !== length) return undefined;
  for (const count of value) if (typeof count !== 'number' || !Number.isSafeInteger(count)) return undefined;
  return value as number[];
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}
