// MOSN's `circuit_breakers` thresholds for one cluster, in one worker: connections open, requests
// waiting for a connection, requests in flight, retries in flight. A request over a limit is
// refused at once (the proxy answers 503 with `x-mosn-overloaded: true`) instead of piling up
// behind a slow upstream. 0 (or absent) means no limit.
//
// Requests wait (pending) only when max_connections are open and none is idle. They are served
// in arrival order as capacity appears: a connection of their host goes idle, or any connection
// closes. A request that waits longer than the cluster's connect_timeout is answered 503.
//
//   admit ──over max_requests / pending full──► 503 (counted)
//     │
//     ▼
//   idle connection? ──yes──► send          connection released / closed
//     │ no                                        │
//     ▼                                           ▼
//   below max_connections? ──yes──► open ──► send     drain(): oldest waiter gets an idle or new connection
//     │ no
//     ▼
//   wait (FIFO) ──connect_timeout──► 503

import type { CircuitBreakersConfig } from '@mosn/config';
import type { ConnectionPool } from './connection-pool.js';
import type { UpstreamConnection } from './upstream-connection.js';

export type OverflowLimit = 'max_connections' | 'max_pending_requests' | 'max_requests' | 'max_retries';

/** A request waiting for a connection (implemented by the proxy's exchange). */
export interface PoolWaiter {
  /** A connection for the request, ready to `send` on. */
  onPoolReady(conn: UpstreamConnection): void;
  /** No connection came within the wait limit: answer 503. */
  onPoolTimeout(waitedMs: number): void;
}

interface Waiting {
  readonly pool: ConnectionPool;
  readonly waiter: PoolWaiter;
  readonly since: number;
  live: boolean;
}

function limit(value: number | undefined): number {
  return value === undefined || value <= 0 ? Infinity : value;
}

export class CircuitBreaker {
  readonly maxConnections: number;
  readonly maxPendingRequests: number;
  readonly maxRequests: number;
  readonly maxRetries: number;
  /** Connections open (connecting, busy or idle), all hosts together. */
  connections = 0;
  /** Requests sent and not finished. */
  requests = 0;
  /** Retries started and not finished. */
  retries = 0;
  /** Requests waiting for a connection. */
  pending = 0;
  /** Requests refused (or, for max_connections, made to wait) by each limit, since start. */
  readonly overflows: Record<OverflowLimit, number> = { max_connections: 0, max_pending_requests: 0, max_requests: 0, max_retries: 0 };
  private readonly waitLimitMs: number;
  private readonly pools: () => readonly ConnectionPool[];
  private queue: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private drainScheduled = false;
  private draining = false;
  private closed = false;

  constructor(config: CircuitBreakersConfig | undefined, waitLimitMs: number, pools: () => readonly ConnectionPool[]) {
    this.maxConnections = limit(config?.max_connections);
    this.maxPendingRequests = limit(config?.max_pending_requests);
    this.maxRequests = limit(config?.max_requests);
    this.maxRetries = limit(config?.max_retries);
    this.waitLimitMs = waitLimitMs;
    this.pools = pools;
  }

  /**
   * Whether a new request to `pool` is refused, and by which limit (the refusal is counted).
   * Undefined: go ahead with `pool.acquireOrWait`.
   */
  admit(pool: ConnectionPool): OverflowLimit | undefined {
    if (this.requests + this.pending >= this.maxRequests) {
      this.overflows.max_requests++;
      return 'max_requests';
    }
    if (pool.idleCount === 0 && this.connections >= this.maxConnections && this.pending >= this.maxPendingRequests) {
      this.overflows.max_pending_requests++;
      return 'max_pending_requests';
    }
    return undefined;
  }

  /** A retry may start (counted until `retryDone`); false when max_retries are in flight (counted). */
  tryRetry(): boolean {
    if (this.retries >= this.maxRetries) {
      this.overflows.max_retries++;
      return false;
    }
    this.retries++;
    return true;
  }

  retryDone(): void {
    if (this.retries > 0) this.retries--;
  }

  canOpen(): boolean {
    return this.connections < this.maxConnections;
  }

  wait(pool: ConnectionPool, waiter: PoolWaiter): void {
    this.overflows.max_connections++;
    this.queue.push({ pool, waiter, since: Date.now(), live: true });
    this.pending++;
    if (this.timer === undefined) this.armTimer();
    // An idle connection to another host can make room now; nothing else would wake this waiter
    // before a connection is released or closed.
    this.onCapacity();
  }

  /** The waiter gave up (its client went away). */
  cancel(waiter: PoolWaiter): void {
    for (const w of this.queue) {
      if (w.live && w.waiter === waiter) {
        w.live = false;
        this.pending--;
        return;
      }
    }
  }

  /** A connection went idle or closed: waiters may be served (soon, outside the caller's stack). */
  onCapacity(): void {
    if (this.pending === 0 || this.drainScheduled || this.closed) return;
    this.drainScheduled = true;
    queueMicrotask(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.pending = 0;
  }

  private drain(): void {
    if (this.draining || this.closed) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0] as Waiting;
        if (!head.live) {
          this.queue.shift();
          continue;
        }
        const conn = head.pool.takeIdle() ?? (this.canOpen() || this.closeIdleElsewhere(head.pool) ? head.pool.open() : undefined);
        if (conn === undefined) break;
        this.queue.shift();
        head.live = false;
        this.pending--;
        head.waiter.onPoolReady(conn);
      }
    } finally {
      this.draining = false;
    }
    this.rearm();
  }

  /** At max_connections, an idle connection to another host is closed to make room. */
  private closeIdleElsewhere(except: ConnectionPool): boolean {
    for (const pool of this.pools()) {
      if (pool !== except && pool.closeOneIdle()) return this.canOpen();
    }
    return false;
  }

  private rearm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending > 0) this.armTimer();
  }

  private armTimer(): void {
    const head = this.queue.find((w) => w.live);
    if (head === undefined) return;
    const delay = Math.max(1, head.since + this.waitLimitMs - Date.now());
    this.timer = setTimeout(() => this.onTimer(), delay);
    this.timer.unref();
  }

  private onTimer(): void {
    this.timer = undefined;
    const now = Date.now();
    while (this.queue.length > 0) {
      const head = this.queue[0] as Waiting;
      if (head.live && head.since + this.waitLimitMs > now) break;
      this.queue.shift();
      if (!head.live) continue;
      head.live = false;
      this.pending--;
      head.waiter.onPoolTimeout(now - head.since);
    }
    this.rearm();
  }
}
