// Counters for `mosnctl status`: plain numbers bumped on the hot path, read on demand.

export interface WorkerCountersSnapshot {
  connectionsActive: number;
  connectionsTotal: number;
  requestsTotal: number;
}

export class WorkerStats {
  connectionsActive = 0;
  connectionsTotal = 0;
  requestsTotal = 0;

  snapshot(): WorkerCountersSnapshot {
    return {
      connectionsActive: this.connectionsActive,
      connectionsTotal: this.connectionsTotal,
      requestsTotal: this.requestsTotal,
    };
  }
}
