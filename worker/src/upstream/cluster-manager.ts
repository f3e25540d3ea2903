// Clusters by name, each with its load balancer, one connection pool per host, and the state that
// decides which hosts may be chosen: active health checks, outlier ejection, circuit breakers.
// Built once per WorkerServer from the validated config; the per-request work is a map lookup
// and a balancer step (with every host usable, the balancers take their fast path).
//
// Choosing a host — the API the proxy (and its retries) use:
// `cluster.pickPool()` returns the pool of the host the cluster's `lb_type` chooses among the
// hosts that may take traffic (healthy and not ejected), or undefined when the cluster has no
// host. `cluster.pickPool({ exclude, hashKey })` does the same, except that the pools in
// `exclude` (the hosts a request already tried) are never returned — undefined then means no
// other host is left, and the caller decides whether to give up or call again without
// `exclude` — and that `hashKey` (from `requestHashKey(route's hash_policy, …)`) steers a
// hashing balancer (LB_MAGLEV). When every host is unhealthy or ejected, hosts are chosen as if
// all were healthy (Envoy's panic routing): trying a host beats a certain 503. A retry first asks
// `cluster.breaker.tryRetry()` (false: max_retries in flight, do not retry) and calls
// `cluster.breaker.retryDone()` when that retry ends. Before sending, `cluster.breaker.admit(pool)`
// says whether a limit refuses the request; then `pool.acquireOrWait(waiter)` gives a connection
// or queues the request (see circuit-breaker.ts).

import type { ClusterConfig, HostConfig } from '@mosn/config';
import type { Logger } from 'pino';
import type { HttpLimits } from '../codec/http1/limits.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { ConnectionPool } from './connection-pool.js';
import { HealthChecker } from './health-checker.js';
import { type HostSet, type LoadBalancer, createLoadBalancer, usesHashKey } from './lb/load-balancer.js';
import { OutlierDetector } from './outlier-detector.js';
import { clientTlsOptions } from './upstream-tls.js';

export interface PickOptions {
  /** Pools of hosts already tried by this request: not chosen again. */
  readonly exclude?: readonly ConnectionPool[] | undefined;
  /** The request's hash key, for LB_MAGLEV. */
  readonly hashKey?: string | undefined;
}

/** Why a host may not take traffic (bits of Cluster.down). */
const DOWN_HEALTH = 1;
const DOWN_EJECTED = 2;

/** How long a request may wait for a connection when connect_timeout is 0 (none). */
const DEFAULT_WAIT_LIMIT_MS = 3_000;

export class Cluster implements HostSet {
  readonly name: string;
  readonly config: ClusterConfig;
  readonly pools: readonly ConnectionPool[];
  readonly breaker: CircuitBreaker;
  /** The balancer uses a hash key: compute one per request from the route's hash_policy. */
  readonly hashing: boolean;
  readonly healthChecker: HealthChecker | undefined;
  /** Counted for metrics (read when collected). */
  timeouts = 0;
  retries = 0;
  overflows = 0;
  readonly outlierDetector: OutlierDetector | undefined;
  private readonly lb: LoadBalancer;
  private readonly down: Uint8Array;
  private downCount = 0;
  private readonly logger: Logger;
  // Per pick (the event loop runs one at a time): what `usable` consults.
  private excluded: readonly ConnectionPool[] | undefined;
  private panic = false;
  private fast = true;

  constructor(config: ClusterConfig, limits: HttpLimits, logger: Logger) {
    this.name = config.name;
    this.config = config;
    const log = logger.child({ component: 'cluster', cluster: config.name });
    this.logger = log;
    const waitLimit = config.connect_timeout > 0 ? config.connect_timeout : DEFAULT_WAIT_LIMIT_MS;
    this.breaker = new CircuitBreaker(config.circuit_breakers, waitLimit, () => this.pools);
    const outlier = config.outlier_detection;
    const onOutcome = outlier === undefined ? undefined : (pool: ConnectionPool, ok: boolean) => this.outlierDetector?.report(pool.index, ok);
    const tlsOptions = config.tls_context === undefined ? undefined : clientTlsOptions(config.name, config.tls_context);
    this.pools = config.hosts.map(
      (host, index) =>
        new ConnectionPool({
          clusterName: config.name,
          host,
          connectTimeoutMs: config.connect_timeout,
          idleTimeoutMs: config.idle_timeout,
          maxRequestsPerConnection: config.max_request_per_conn,
          limits,
          logger: log,
          index,
          breaker: this.breaker,
          ...(onOutcome === undefined ? {} : { onOutcome }),
          ...(tlsOptions === undefined ? {} : { tls: tlsOptions(host) }),
        }),
    );
    this.down = new Uint8Array(config.hosts.length);
    this.lb = createLoadBalancer(
      config.lb_type,
      config.hosts.map((h) => h.weight),
      config.hosts.map((h) => h.address),
    );
    this.hashing = usesHashKey(config.lb_type);
    this.outlierDetector = outlier === undefined ? undefined : new OutlierDetector(this.ejectionTarget(), outlier, log);
    const hc = config.health_check;
    this.healthChecker = hc === undefined ? undefined : new HealthChecker(this, hc, log.child({ healthCheck: hc.service_name ?? config.name }), tlsOptions);
    this.healthChecker?.start();
  }

  get hosts(): readonly HostConfig[] {
    return this.config.hosts;
  }

  /** The pool of the host the balancer chooses, or undefined (no host, or none left outside `exclude`). */
  pickPool(options?: PickOptions): ConnectionPool | undefined {
    const i = this.pick(options?.exclude, options?.hashKey);
    return i < 0 ? undefined : this.pools[i];
  }

  /** The host the balancer chooses (TCP proxy: it opens its own connections). */
  pickHost(): HostConfig | undefined {
    const i = this.pick(undefined, undefined);
    return i < 0 ? undefined : this.config.hosts[i];
  }

  /** Whether the host may take traffic (healthy and not ejected). */
  isAvailable(index: number): boolean {
    return this.down[index] === 0;
  }

  isHealthy(index: number): boolean {
    return ((this.down[index] ?? 0) & DOWN_HEALTH) === 0;
  }

  isEjected(index: number): boolean {
    return ((this.down[index] ?? 0) & DOWN_EJECTED) !== 0;
  }

  setHealthy(index: number, healthy: boolean): void {
    this.setDown(index, DOWN_HEALTH, !healthy);
  }

  setEjected(index: number, ejected: boolean): void {
    this.setDown(index, DOWN_EJECTED, ejected);
  }

  // ── HostSet (for the balancer) ─────────────────────────────────────────────────────────────

  get size(): number {
    return this.pools.length;
  }

  get allUsable(): boolean {
    return this.fast;
  }

  usable(index: number): boolean {
    const pool = this.pools[index];
    if (pool === undefined) return false;
    if (this.excluded !== undefined && this.excluded.includes(pool)) return false;
    return this.panic || this.down[index] === 0;
  }

  weight(index: number): number {
    return this.config.hosts[index]?.weight ?? 1;
  }

  activeRequests(index: number): number {
    return this.pools[index]?.activeRequests ?? 0;
  }

  close(): void {
    this.healthChecker?.close();
    this.outlierDetector?.close();
    this.breaker.close();
    for (const pool of this.pools) pool.close();
  }

  private pick(exclude: readonly ConnectionPool[] | undefined, hashKey: string | undefined): number {
    const excluding = exclude !== undefined && exclude.length > 0;
    if (this.downCount === 0 && !excluding) return this.lb.pick(this, hashKey);
    this.fast = false;
    this.excluded = excluding ? exclude : undefined;
    try {
      let i = this.lb.pick(this, hashKey);
      if (i < 0 && this.downCount > 0) {
        // Every host left is unhealthy or ejected: use them anyway (panic routing).
        this.panic = true;
        i = this.lb.pick(this, hashKey);
      }
      return i;
    } finally {
      this.fast = true;
      this.panic = false;
      this.excluded = undefined;
    }
  }

  private setDown(index: number, bit: number, on: boolean): void {
    const before = this.down[index];
    if (before === undefined) return;
    const after = on ? before | bit : before & ~bit;
    if (after === before) return;
    this.down[index] = after;
    if (before === 0) this.downCount++;
    else if (after === 0) this.downCount--;
  }

  private ejectionTarget() {
    return {
      size: this.config.hosts.length,
      setEjected: (index: number, ejected: boolean) => this.setEjected(index, ejected),
      hostName: (index: number) => this.config.hosts[index]?.address ?? String(index),
    };
  }
}

export class ClusterManager {
  private readonly clusters = new Map<string, Cluster>();

  constructor(configs: readonly ClusterConfig[], limits: HttpLimits, logger: Logger) {
    const log = logger.child({ component: 'cluster-manager' });
    for (const config of configs) this.clusters.set(config.name, new Cluster(config, limits, log));
  }

  list(): Cluster[] {
    return [...this.clusters.values()];
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
