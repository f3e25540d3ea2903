// A worker's metrics: one private prom-client Registry (no global singleton), families named as
// the management plugin and Prometheus users expect (mosn_*). The hot path bumps children it was
// handed when its listener was built; state that lives elsewhere (pools, health, filters, access
// log batchers) is read only when the registry is collected (a report every flush interval).
import { Registry } from 'prom-client';
import type { AccessLogBatcher } from '../../access-log/access-log-batcher.js';
import { LocalRateLimitFilter } from '../../filter/stream/local-rate-limit-filter.js';
import { PluginCheckFilter } from '../../filter/stream/plugin-check-filter.js';
import { RateLimitFilter } from '../../filter/stream/rate-limit-filter.js';
import type { StreamFilterChain } from '../../filter/stream/stream-filter-chain.js';
import type { ClusterManager } from '../../upstream/cluster-manager.js';
import type { PluginClient } from '../../plugin/plugin-client.js';
import { HistogramFamily, LATENCY_BUCKETS, ValueFamily, type HistogramChild, type RegistrableMetric, type ValueChild } from './metric-family.js';

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** Requests of one listener by virtual host and status class, and their latency. */
export class HttpMetrics {
  readonly #byVhost = new Map<string, { byClass: ValueChild[]; duration: HistogramChild }>();

  constructor(
    private readonly listener: string,
    private readonly requests: ValueFamily,
    private readonly durations: HistogramFamily,
    readonly bytesReceived: ValueChild,
    readonly bytesSent: ValueChild,
  ) {}

  record(virtualHost: string, status: number, seconds: number): void {
    let children = this.#byVhost.get(virtualHost);
    if (children === undefined) {
      const labels = { listener: this.listener, virtual_host: virtualHost };
      children = {
        byClass: STATUS_CLASSES.map((c) => this.requests.child({ ...labels, status_class: c })),
        duration: this.durations.child(labels),
      };
      this.#byVhost.set(virtualHost, children);
    }
    const klass = Math.floor(status / 100) - 1;
    const child = children.byClass[klass < 0 ? 0 : klass > 4 ? 4 : klass] as ValueChild;
    child.value += 1;
    children.duration.observe(seconds);
  }
}

export interface ListenerMetrics {
  readonly connectionsActive: ValueChild;
  readonly connectionsTotal: ValueChild;
  readonly http: HttpMetrics;
}

export class WorkerMetrics {
  readonly registry = new Registry();
  readonly #connectionsActive = new ValueFamily('mosn_listener_connections_active', 'Downstream connections open now.', 'gauge');
  readonly #connectionsTotal = new ValueFamily('mosn_listener_connections_total', 'Downstream connections accepted.', 'counter');
  readonly #bytesReceived = new ValueFamily('mosn_listener_bytes_received_total', 'Bytes read from downstream clients (HTTP listeners: counted per response).', 'counter');
  readonly #bytesSent = new ValueFamily('mosn_listener_bytes_sent_total', 'Bytes written to downstream clients (HTTP listeners: counted per response).', 'counter');
  readonly #pluginClientCalls = new ValueFamily('mosn_plugin_client_calls_total', 'Hook calls a worker sent to a plugin.', 'counter');
  readonly #pluginClientErrors = new ValueFamily('mosn_plugin_client_errors_total', 'Hook calls a plugin answered with an error, or never (unavailable).', 'counter');
  readonly #pluginClientTimeouts = new ValueFamily('mosn_plugin_client_timeouts_total', 'Hook calls a plugin did not answer within its timeout.', 'counter');
  readonly #httpRequests = new ValueFamily('mosn_http_requests_total', 'HTTP requests answered, by virtual host and status class.', 'counter');
  readonly #httpDuration = new HistogramFamily('mosn_http_request_duration_seconds', 'Time from the request head to the end of the response.', LATENCY_BUCKETS);
  readonly #clusterRequests = new ValueFamily('mosn_cluster_requests_total', 'Requests sent upstream, by cluster.', 'counter');
  readonly #connectFailures = new ValueFamily('mosn_cluster_upstream_connect_failures_total', 'Upstream connections that could not be established.', 'counter');
  readonly #timeouts = new ValueFamily('mosn_cluster_timeouts_total', 'Route or idle timeouts while waiting for an upstream.', 'counter');
  readonly #retries = new ValueFamily('mosn_cluster_retries_total', 'Requests sent again by a retry policy.', 'counter');
  readonly #overflows = new ValueFamily('mosn_cluster_overflow_total', 'Requests refused by a circuit breaker.', 'counter');
  readonly #hostRequests = new ValueFamily('mosn_host_requests_total', 'Requests sent to each upstream host.', 'counter');
  readonly #hostHealthy = new ValueFamily('mosn_host_healthy', 'Active health check verdict (1 healthy).', 'gauge');
  readonly #hostEjected = new ValueFamily('mosn_host_ejected', 'Ejected by outlier detection (1 ejected).', 'gauge');
  readonly #hostActive = new ValueFamily('mosn_host_active_requests', 'Requests in flight to each host.', 'gauge');
  readonly #hostConnections = new ValueFamily('mosn_host_pool_connections', 'Upstream connections open to each host.', 'gauge');
  readonly #pluginCalls = new ValueFamily('mosn_plugin_calls_total', 'Calls to a plugin by stream filters.', 'counter');
  readonly #pluginFailures = new ValueFamily('mosn_plugin_failures_total', 'Calls a plugin could not answer, by the failure mode applied.', 'counter');
  readonly #pluginDuration = new HistogramFamily('mosn_plugin_call_duration_seconds', 'Time a plugin took to answer a call.', LATENCY_BUCKETS);
  readonly #accessLogRecords = new ValueFamily('mosn_access_log_records_total', 'Access log records produced.', 'counter');
  readonly #accessLogDropped = new ValueFamily('mosn_access_log_dropped_total', 'Access log records dropped (queue full, plugin away).', 'counter');
  readonly #rateLimit = new ValueFamily('mosn_rate_limit_decisions_total', 'Rate limit decisions, by domain and decision.', 'counter');

  constructor() {
    const all: RegistrableMetric[] = [
      this.#connectionsActive, this.#connectionsTotal, this.#httpRequests, this.#httpDuration, this.#clusterRequests, this.#connectFailures,
      this.#timeouts, this.#retries, this.#overflows, this.#hostRequests, this.#hostHealthy, this.#hostEjected, this.#hostActive,
      this.#hostConnections, this.#pluginCalls, this.#pluginFailures, this.#pluginDuration, this.#accessLogRecords, this.#accessLogDropped,
      this.#rateLimit, this.#bytesReceived, this.#bytesSent, this.#pluginClientCalls, this.#pluginClientErrors, this.#pluginClientTimeouts,
    ];
    // prom-client types expect its own Metric class; any object with name/get/reset is collected.
    for (const metric of all) this.registry.registerMetric(metric as never);
  }

  listener(name: string): ListenerMetrics {
    return {
      connectionsActive: this.#connectionsActive.child({ listener: name }),
      connectionsTotal: this.#connectionsTotal.child({ listener: name }),
      http: new HttpMetrics(
        name,
        this.#httpRequests,
        this.#httpDuration,
        this.#bytesReceived.child({ listener: name }),
        this.#bytesSent.child({ listener: name }),
      ),
    };
  }

  /** A plugin client's calls, errors, timeouts (read when collected) and its latency histogram. */
  watchPluginClient(client: PluginClient): void {
    const plugin = client.name;
    client.duration = this.#pluginDuration.child({ plugin });
    this.#pluginClientCalls.collect((add) => add({ plugin }, client.counters.calls));
    this.#pluginClientErrors.collect((add) => add({ plugin }, client.counters.errors));
    this.#pluginClientTimeouts.collect((add) => add({ plugin }, client.counters.timeouts));
  }

  watchClusters(clusters: ClusterManager): void {
    const each = (fn: (cluster: ReturnType<ClusterManager['list']>[number]) => void) => () => clusters.list().forEach(fn);
    this.#clusterRequests.collect((add) => each((c) => add({ cluster: c.name }, c.pools.reduce((n, p) => n + p.requestsTotal, 0)))());
    this.#connectFailures.collect((add) => each((c) => add({ cluster: c.name }, c.pools.reduce((n, p) => n + p.connectFailures, 0)))());
    this.#timeouts.collect((add) => each((c) => add({ cluster: c.name }, c.timeouts))());
    this.#retries.collect((add) => each((c) => add({ cluster: c.name }, c.retries))());
    this.#overflows.collect((add) => each((c) => add({ cluster: c.name }, c.overflows))());
    const perHost = (family: ValueFamily, read: (c: ReturnType<ClusterManager['list']>[number], i: number) => number): void =>
      family.collect((add) => {
        for (const c of clusters.list()) c.pools.forEach((p, i) => add({ cluster: c.name, host: p.host.address }, read(c, i)));
      });
    perHost(this.#hostRequests, (c, i) => c.pools[i]?.requestsTotal ?? 0);
    perHost(this.#hostHealthy, (c, i) => (c.isHealthy(i) ? 1 : 0));
    perHost(this.#hostEjected, (c, i) => (c.isEjected(i) ? 1 : 0));
    perHost(this.#hostActive, (c, i) => c.pools[i]?.activeRequests ?? 0);
    perHost(this.#hostConnections, (c, i) => c.pools[i]?.size ?? 0);
  }

  watchFilters(chain: StreamFilterChain): void {
    for (const filter of chain.filters) {
      if (filter instanceof PluginCheckFilter) {
        const plugin = filter.pluginName;
        this.#pluginCalls.collect((add) => add({ plugin, filter: filter.type }, filter.counters.calls));
        this.#pluginFailures.collect((add) => {
          add({ plugin, filter: filter.type, mode: 'open' }, filter.counters.failedOpen);
          add({ plugin, filter: filter.type, mode: 'closed' }, filter.counters.failedClosed);
        });
      } else if (filter instanceof RateLimitFilter) {
        const { plugin, domain } = filter.config;
        const c = filter.counters;
        this.#pluginCalls.collect((add) => add({ plugin, filter: 'rate_limit' }, c.calls));
        this.#pluginFailures.collect((add) => {
          add({ plugin, filter: 'rate_limit', mode: 'open' }, c.failedOpen);
          add({ plugin, filter: 'rate_limit', mode: 'closed' }, c.failedClosed);
        });
        this.#rateLimit.collect((add) => {
          add({ domain, decision: 'ok' }, c.ok);
          add({ domain, decision: 'over_limit' }, c.overLimit);
          add({ domain, decision: 'failure_open' }, c.failedOpen);
          add({ domain, decision: 'failure_closed' }, c.failedClosed);
        });
      } else if (filter instanceof LocalRateLimitFilter) {
        this.#rateLimit.collect((add) => {
          add({ domain: 'local', decision: 'ok' }, filter.counters.allowed);
          add({ domain: 'local', decision: 'over_limit' }, filter.counters.limited);
        });
      }
    }
  }

  watchAccessLog(batcher: AccessLogBatcher, plugin: string): void {
    this.#accessLogRecords.collect((add) => add({ plugin }, batcher.counters.records));
    this.#accessLogDropped.collect((add) => add({ plugin }, batcher.counters.dropped));
  }
}
