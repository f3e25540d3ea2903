// Keep-alive connections to one upstream host. Idle connections are a stack: the most recently
// used goes out first, so under light load the others age out through the idle timeout. That
// timeout needs one timer per pool, armed for the oldest idle connection (the bottom of the stack).
// The pool also counts its host's requests in flight (LB_LEAST_REQUEST), reports each exchange's
// outcome (outlier detection), and keeps the cluster's circuit breaker counts.

import type { HostConfig } from '@mosn/config';
import type tls from 'node:tls';
import type { Logger } from 'pino';
import type { HttpLimits } from '../codec/http1/limits.js';
import { CircuitBreaker, type PoolWaiter } from './circuit-breaker.js';
import { UpstreamConnection } from './upstream-connection.js';

/** Told about each exchange's outcome: a response below 500 is a success; 5xx, connect or reset failures are not. */
export type OutcomeListener = (pool: ConnectionPool, success: boolean) => void;

export interface ConnectionPoolOptions {
  clusterName: string;
  host: HostConfig;
  connectTimeoutMs: number;
  /** 0 = idle connections are kept until the upstream closes them. */
  idleTimeoutMs: number;
  /** 0 = unlimited. */
  maxRequestsPerConnection: number;
  limits: HttpLimits;
  logger: Logger;
  /** TLS to the host (the cluster's tls_context); undefined: plain TCP. */
  tls?: tls.ConnectionOptions | undefined;
  /** The host's position in its cluster. Default 0. */
  index?: number;
  /** The cluster's limits; default: none. */
  breaker?: CircuitBreaker;
  onOutcome?: OutcomeListener;
}

export class ConnectionPool {
  readonly clusterName: string;
  readonly host: HostConfig;
  readonly connectTimeoutMs: number;
  readonly limits: HttpLimits;
  readonly logger: Logger;
  readonly tls: tls.ConnectionOptions | undefined;
  /** The host's position in its cluster. */
  readonly index: number;
  readonly breaker: CircuitBreaker;
  /** Requests sent to this host and not finished. */
  activeRequests = 0;
  /** Counted for metrics (read when collected). */
  requestsTotal = 0;
  connectFailures = 0;
  private readonly onOutcome: OutcomeListener | undefined;
  private readonly idleTimeoutMs: number;
  private readonly maxRequests: number;
  private readonly idle: UpstreamConnection[] = [];
  private readonly all = new Set<UpstreamConnection>();
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Connections opened since start (for tests and stats). */
  connectionsOpened = 0;

  constructor(o: ConnectionPoolOptions) {
    this.clusterName = o.clusterName;
    this.host = o.host;
    this.connectTimeoutMs = o.connectTimeoutMs;
    this.idleTimeoutMs = o.idleTimeoutMs;
    this.maxRequests = o.maxRequestsPerConnection;
    this.limits = o.limits;
    this.logger = o.logger;
    this.tls = o.tls;
    this.index = o.index ?? 0;
    this.breaker = o.breaker ?? new CircuitBreaker(undefined, 0, () => [this]);
    this.onOutcome = o.onOutcome;
  }

  get idleCount(): number {
    return this.idle.length;
  }

  get size(): number {
    return this.all.size;
  }

  /** An idle connection, or a new one (already connecting; writes queue until it is up). Ignores max_connections. */
  acquire(): UpstreamConnection {
    return this.idle.pop() ?? this.open();
  }

  /**
   * An idle connection, or a new one while the cluster is below max_connections; otherwise
   * `waiter` waits for one (undefined is returned, and `waiter.onPoolReady` is called later, or
   * `onPoolTimeout`). Call `breaker.admit(pool)` first.
   */
  acquireOrWait(waiter: PoolWaiter): UpstreamConnection | undefined {
    const conn = this.idle.pop();
    if (conn !== undefined) return conn;
    if (this.breaker.canOpen()) return this.open();
    this.breaker.wait(this, waiter);
    return undefined;
  }

  /** A new connection even when idle ones exist (for a retry after a stale keep-alive connection failed). */
  acquireFresh(): UpstreamConnection {
    return this.open();
  }

  /** The most recently used idle connection, if any. */
  takeIdle(): UpstreamConnection | undefined {
    return this.idle.pop();
  }

  /** A new connection, counted against the cluster's connections. */
  open(): UpstreamConnection {
    const fresh = new UpstreamConnection(this);
    this.all.add(fresh);
    this.connectionsOpened++;
    this.breaker.connections++;
    return fresh;
  }

  /** Closes the least recently used idle connection; false when there is none. */
  closeOneIdle(): boolean {
    const conn = this.idle.shift();
    if (conn === undefined) return false;
    conn.destroy();
    return true;
  }

  release(conn: UpstreamConnection): void {
    if (this.closed || (this.maxRequests > 0 && conn.requests >= this.maxRequests)) {
      conn.destroy();
      return;
    }
    this.idle.push(conn);
    if (this.idleTimeoutMs > 0) {
      conn.idleSince = Date.now();
      if (this.idleTimer === undefined) this.armIdleTimer(this.idleTimeoutMs);
    }
    this.breaker.onCapacity();
  }

  /** Forget a connection that closed or was destroyed. */
  /**
   * The connection became a tunnel (WebSocket): no longer pooled, but still open to the host, so
   * it counts against max_connections until its socket closes.
   */
  removeAsTunnel(conn: UpstreamConnection, socket: { once(event: 'close', listener: () => void): unknown }): void {
    if (!this.all.delete(conn)) return;
    const i = this.idle.lastIndexOf(conn);
    if (i !== -1) this.idle.splice(i, 1);
    socket.once('close', () => {
      this.breaker.connections--;
      this.breaker.onCapacity();
    });
  }

  remove(conn: UpstreamConnection): void {
    if (!this.all.delete(conn)) return;
    const i = this.idle.lastIndexOf(conn);
    if (i !== -1) this.idle.splice(i, 1);
    this.breaker.connections--;
    this.breaker.onCapacity();
  }

  /** An exchange started on one of this pool's connections. */
  requestStarted(): void {
    this.activeRequests++;
    this.requestsTotal++;
    this.breaker.requests++;
  }

  /** An exchange ended (complete, failed or abandoned). */
  requestEnded(): void {
    this.activeRequests--;
    this.breaker.requests--;
  }

  /** The upstream answered (`success`: status below 500) or failed (connect, reset, protocol). */
  reportOutcome(success: boolean): void {
    this.onOutcome?.(this, success);
  }

  close(): void {
    this.closed = true;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    for (const conn of [...this.all]) conn.destroy();
    this.idle.length = 0;
  }

  private armIdleTimer(delayMs: number): void {
    this.idleTimer = setTimeout(() => this.onIdleTimer(), Math.max(1, delayMs));
    this.idleTimer.unref();
  }

  private onIdleTimer(): void {
    this.idleTimer = undefined;
    const now = Date.now();
    while (this.idle.length > 0) {
      const oldest = this.idle[0] as UpstreamConnection;
      const expiresAt = oldest.idleSince + this.idleTimeoutMs;
      if (expiresAt > now) {
        this.armIdleTimer(expiresAt - now);
        return;
      }
      this.idle.shift();
      oldest.destroy();
    }
  }
}
