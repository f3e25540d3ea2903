// Network filter `tcp_proxy`: each downstream connection is paired with a new connection to the
// next host of the cluster, and bytes flow both ways with backpressure (stream.pipe pauses the
// reader when the writer's buffer is full). Half-close is carried through: both sockets allow
// half-open, so when one side ends its writes, we end the other side's writes and keep reading.
//
//   client ──data/FIN──► downstream ══pipe══► upstream ──► host
//   client ◄──data/FIN── downstream ◄══pipe══ upstream ◄── host
//   error or reset on either side → both destroyed; idle_timeout without a byte → both destroyed

import net from 'node:net';
import type { Logger } from 'pino';
import type { ConnectionTracker, TrackedConnection } from '../../listener/connection-tracker.js';
import type { WorkerStats } from '../../stats/worker-stats.js';
import type { Cluster } from '../../upstream/cluster-manager.js';
import { describeSystemError } from '../../errors.js';

export interface TcpProxyContext {
  readonly listenerName: string;
  readonly cluster: Cluster;
  /** 0 = never. */
  readonly idleTimeoutMs: number;
  readonly stats: WorkerStats;
  readonly logger: Logger;
  /** Undefined when metrics are off. */
  readonly listenerMetrics?: { connectionsActive: { value: number }; connectionsTotal: { value: number } } | undefined;
}

export class TcpProxySession implements TrackedConnection {
  private readonly downstream: net.Socket;
  private upstream: net.Socket | undefined;
  private readonly tracker: ConnectionTracker;
  private readonly ctx: TcpProxyContext;
  private connectTimer: NodeJS.Timeout | undefined;
  private open = 2;

  constructor(ctx: TcpProxyContext, downstream: net.Socket, tracker: ConnectionTracker) {
    this.ctx = ctx;
    this.downstream = downstream;
    this.tracker = tracker;
    ctx.stats.connectionsActive++;
    if (ctx.listenerMetrics !== undefined) {
      ctx.listenerMetrics.connectionsActive.value++;
      ctx.listenerMetrics.connectionsTotal.value++;
    }
    ctx.stats.connectionsTotal++;
    tracker.add(this);
    downstream.on('error', (err) => this.onError('client', err));
    downstream.on('close', () => this.onSideClosed('client'));

    const host = ctx.cluster.pickHost();
    if (host === undefined) {
      ctx.logger.warn({ cluster: ctx.cluster.name }, 'tcp_proxy: no host in cluster, closing the client');
      this.open = 1;
      downstream.destroy();
      return;
    }
    const upstream = net.connect({ host: host.host, port: host.port, noDelay: true, allowHalfOpen: true });
    this.upstream = upstream;
    upstream.on('error', (err) => this.onError('upstream ' + host.address, err));
    upstream.on('close', () => this.onSideClosed('upstream'));
    const connectMs = ctx.cluster.config.connect_timeout;
    if (connectMs > 0) {
      this.connectTimer = setTimeout(() => {
        ctx.logger.debug({ cluster: ctx.cluster.name, host: host.address }, 'tcp_proxy: connect timeout');
        this.destroy();
      }, connectMs);
      this.connectTimer.unref();
      upstream.once('connect', () => clearTimeout(this.connectTimer));
    }
    downstream.setNoDelay(true);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
    if (ctx.idleTimeoutMs > 0) {
      // Bytes either way touch the downstream socket (read or written), so its inactivity timer is the pair's.
      downstream.setTimeout(ctx.idleTimeoutMs);
      downstream.on('timeout', () => {
        ctx.logger.debug({ listener: ctx.listenerName }, 'tcp_proxy: idle timeout');
        this.destroy();
      });
    }
  }

  /** TCP pairs have no request boundary to stop at: they are kept until they end (or the drain deadline). */
  drain(): void {}

  destroy(): void {
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.downstream.destroy();
    this.upstream?.destroy();
  }

  private onError(side: string, err: Error): void {
    this.ctx.logger.debug({ listener: this.ctx.listenerName, side, err: describeSystemError(err) }, 'tcp_proxy: connection error');
    this.destroy();
  }

  private onSideClosed(side: 'client' | 'upstream'): void {
    // One side is gone for good: finish writing what the other side still has to send, then close it.
    const other = side === 'client' ? this.upstream : this.downstream;
    if (other !== undefined && !other.destroyed) other.end(() => other.destroy());
    if (--this.open === 0) {
      if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
      this.ctx.stats.connectionsActive--;
      if (this.ctx.listenerMetrics !== undefined) this.ctx.listenerMetrics.connectionsActive.value--;
      this.tracker.remove(this);
    }
  }
}
