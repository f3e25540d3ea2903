// Counters for `mosnctl status`: plain numbers bumped on the hot path, read on demand.

export interface WorkerCountersSnapshot {
  connectionsActive: number;
  connectionsTotal: number;
  requestsTotal: number;
  /** Requests sent again by a route's retry_policy (each retry counts once). */
  retriesTotal: number;
  /** Connections turned into a tunnel by a protocol upgrade (WebSocket). */
  tunnelsTotal: number;
  /** Requests answered 503 `x-mosn-overloaded: true` by a cluster's circuit breakers. */
  upstreamOverflowTotal: number;
  /** Access log records dropped (queue full, logging plugin away or not acknowledging). */
  accessLogDropped: number;
}

export class WorkerStats {
  connectionsActive = 0;
  connectionsTotal = 0;
  requestsTotal = 0;
  retriesTotal = 0;
  tunnelsTotal = 0;
  upstreamOverflowTotal = 0;

  snapshot(): WorkerCountersSnapshot {
    return {
      connectionsActive: this.connectionsActive,
      connectionsTotal: this.connectionsTotal,
      requestsTotal: this.requestsTotal,
      retriesTotal: this.retriesTotal,
      tunnelsTotal: this.tunnelsTotal,
      upstreamOverflowTotal: this.upstreamOverflowTotal,
      // Kept by the access log batchers; the worker server adds them in.
      accessLogDropped: 0,
    };
  }
}
