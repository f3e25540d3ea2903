// Keep-alive connections to one upstream host. Idle connections are a stack: the most recently
// used goes out first, so under light load the others age out through the idle timeout. That
// timeout needs one timer per pool, armed for the oldest idle connection (the bottom of the stack).

import type { HostConfig } from '@mosn/config';
import type { Logger } from 'pino';
import type { HttpLimits } from '../codec/http1/limits.js';
import { UpstreamConnection } from './upstream-connection.js';

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
}

export class ConnectionPool {
  readonly clusterName: string;
  readonly host: HostConfig;
  readonly connectTimeoutMs: number;
  readonly limits: HttpLimits;
  readonly logger: Logger;
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
  }

  get idleCount(): number {
    return this.idle.length;
  }

  get size(): number {
    return this.all.size;
  }

  /** An idle connection, or a new one (already connecting; writes queue until it is up). */
  acquire(): UpstreamConnection {
    const conn = this.idle.pop();
    if (conn !== undefined) return conn;
    const fresh = new UpstreamConnection(this);
    this.all.add(fresh);
    this.connectionsOpened++;
    return fresh;
  }

  /** A new connection even when idle ones exist (for a retry after a stale keep-alive connection failed). */
  acquireFresh(): UpstreamConnection {
    const fresh = new UpstreamConnection(this);
    this.all.add(fresh);
    this.connectionsOpened++;
    return fresh;
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
  }

  /** Forget a connection that closed or was destroyed. */
  remove(conn: UpstreamConnection): void {
    if (!this.all.delete(conn)) return;
    const i = this.idle.lastIndexOf(conn);
    if (i !== -1) this.idle.splice(i, 1);
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
