// Clusters by name, each with its load balancer and one connection pool per host.
// Built once per WorkerServer from the validated config; the per-request work is a map lookup
// and a round-robin step.

import type { ClusterConfig } from '@mosn/config';
import type { Logger } from 'pino';
import type { HttpLimits } from '../codec/http1/limits.js';
import { ConnectionPool } from './connection-pool.js';
import { RoundRobin } from './round-robin.js';

export class Cluster {
  readonly name: string;
  readonly config: ClusterConfig;
  readonly pools: readonly ConnectionPool[];
  private readonly lb: RoundRobin;

  constructor(config: ClusterConfig, limits: HttpLimits, logger: Logger) {
    this.name = config.name;
    this.config = config;
    const log = logger.child({ component: 'cluster', cluster: config.name });
    this.pools = config.hosts.map(
      (host) =>
        new ConnectionPool({
          clusterName: config.name,
          host,
          connectTimeoutMs: config.connect_timeout,
          idleTimeoutMs: config.idle_timeout,
          maxRequestsPerConnection: config.max_request_per_conn,
          limits,
          logger: log,
        }),
    );
    this.lb = new RoundRobin(config.hosts.map((h) => h.weight));
  }

  /** The pool of the next host in turn, or undefined when the cluster has no host. */
  pickPool(): ConnectionPool | undefined {
    const i = this.lb.pick();
    return i < 0 ? undefined : this.pools[i];
  }

  /** The next host in turn (TCP proxy: it opens its own connections). */
  pickHost(): ClusterConfig['hosts'][number] | undefined {
    const i = this.lb.pick();
    return i < 0 ? undefined : this.config.hosts[i];
  }

  close(): void {
    for (const pool of this.pools) pool.close();
  }
}

export class ClusterManager {
  private readonly clusters = new Map<string, Cluster>();

  constructor(configs: readonly ClusterConfig[], limits: HttpLimits, logger: Logger) {
    const log = logger.child({ component: 'cluster-manager' });
    for (const config of configs) this.clusters.set(config.name, new Cluster(config, limits, log));
  }

  get(name: string): Cluster | undefined {
    return this.clusters.get(name);
  }

  has(name: string): boolean {
    return this.clusters.has(name);
  }

  close(): void {
    for (const cluster of this.clusters.values()) cluster.close();
  }
}
