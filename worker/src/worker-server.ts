// The forwarding plane of one worker process: listeners and their network filters, the router
// tables, the cluster manager, stats, and the connection tracker used by drain and close.
// The process entry (main.ts) drives it from the supervisor's messages; tests and benches use it
// in-process with `{ host, port }` sources.

import type net from 'node:net';
import type { ListenerConfig, MosnConfig } from '@mosn/config';
import type { Logger } from 'pino';
import { type HttpLimits, listenerLimits, resolveLimits } from './codec/http1/limits.js';
import { MosnWorkerError } from './errors.js';
import { type HttpProxyContext, httpProxyFilter } from './filter/network/http-proxy.js';
import { TcpProxySession, type TcpProxyContext } from './filter/network/tcp-proxy.js';
import { RequestIdGenerator } from './filter/network/request-id.js';
import { ConnectionTracker } from './listener/connection-tracker.js';
import { type ListenSource, Listener, type NetworkFilter } from './listener/listener.js';
import { type RouteTable, compileRouteTables } from './router/index.js';
import { WorkerStats, type WorkerCountersSnapshot } from './stats/worker-stats.js';
import { ClusterManager } from './upstream/cluster-manager.js';
import { StreamFilterChain } from './filter/stream/stream-filter-chain.js';
import { PluginClients } from './plugin/plugin-clients.js';
import { AccessLogBatcher } from './access-log/access-log-batcher.js';
import { AccessLogRecorder } from './access-log/access-log-recorder.js';
import { WorkerMetrics } from './stats/metrics/worker-metrics.js';
import { MetricsReporter } from './stats/metrics/metrics-reporter.js';
import type { MetricJson } from './stats/metrics/metric-json.js';

export interface WorkerServerOptions {
  config: MosnConfig;
  logger: Logger;
  /** Codec limits and downstream timeouts; defaults in DEFAULT_HTTP_LIMITS (tests shorten them). */
  limits?: Partial<HttpLimits>;
  /** Clients of the configured plugins, for the listeners' stream filters (none: no plugins). */
  plugins?: PluginClients;
  /** This worker's id, sent with its access log batches and metrics reports. */
  workerId?: number;
  generation?: number;
  /** Each metrics snapshot, before the plugins get it (the worker process sends it to the supervisor). */
  onMetricsSnapshot?: (metrics: MetricJson[]) => void;
}

export class WorkerServer {
  private readonly config: MosnConfig;
  private readonly logger: Logger;
  private readonly limits: HttpLimits;
  private readonly stats_ = new WorkerStats();
  private readonly tracker = new ConnectionTracker();
  private readonly requestIds = new RequestIdGenerator();
  private readonly clusters: ClusterManager;
  private readonly routeTables: Map<string, RouteTable>;
  private readonly listeners = new Map<string, Listener>();
  private readonly plugins: PluginClients;
  /** One access log batcher per logging plugin, shared by the listeners that log to it. */
  private readonly accessLogBatchers = new Map<string, AccessLogBatcher>();
  private readonly workerId: number;
  /** Undefined when `metrics.enabled` is false: then nothing is recorded per request. */
  readonly metrics: WorkerMetrics | undefined;
  private readonly reporter: MetricsReporter | undefined;
  private draining = false;
  private closed = false;
  private drainSpreadMs = 0;

  constructor(options: WorkerServerOptions) {
    this.config = options.config;
    this.logger = options.logger.child({ component: 'worker-server' });
    this.limits = resolveLimits(options.limits);
    this.clusters = new ClusterManager(this.config.clusters, this.limits, options.logger);
    this.plugins = options.plugins ?? new PluginClients([], 0, options.logger);
    this.workerId = options.workerId ?? 0;
    if (this.config.metrics.enabled) {
      this.metrics = new WorkerMetrics();
      this.metrics.watchClusters(this.clusters);
      for (const client of this.plugins.all()) this.metrics.watchPluginClient(client);
      this.reporter = new MetricsReporter(
        this.metrics,
        this.plugins,
        { workerId: this.workerId, generation: options.generation ?? 0 },
        this.config.metrics.flush_interval,
        this.logger,
        options.onMetricsSnapshot,
      );
    } else {
      this.metrics = undefined;
      this.reporter = undefined;
    }
    this.routeTables = compileRouteTables(this.config.routers);
  }

  async listen(name: string, source: ListenSource): Promise<{ port: number }> {
    if (this.closed) throw new MosnWorkerError('MOSN_ERR_WORKER_CLOSED', 'listen("' + name + '") after close()');
    const config = this.config.listeners.find((l) => l.name === name);
    if (config === undefined) {
      const known = this.config.listeners.map((l) => '"' + l.name + '"').join(', ') || 'none';
      throw new MosnWorkerError('MOSN_ERR_LISTEN', 'no listener named "' + name + '" in the config (listeners: ' + known + ')');
    }
    if (this.listeners.has(name)) throw new MosnWorkerError('MOSN_ERR_LISTEN', 'listener "' + name + '" is already listening');
    const listener = new Listener(config, this.createFilter(config), this.logger.child({ component: 'listener', listener: name }), this.tracker);
    this.listeners.set(name, listener);
    try {
      return await listener.listen(source);
    } catch (err) {
      this.listeners.delete(name);
      throw err;
    }
  }

  async stopAccepting(): Promise<void> {
    for (const listener of this.listeners.values()) listener.stopAccepting();
  }

  async drain(deadlineMs: number): Promise<{ forced: number }> {
    this.draining = true;
    const left = deadlineMs - Date.now();
    this.drainSpreadMs = Math.max(0, Math.min(1000, Math.floor(left / 4)));
    this.tracker.drainAll(this.drainSpreadMs);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), Math.max(0, left));
    });
    const outcome = await Promise.race([this.tracker.whenEmpty().then(() => 'empty' as const), deadline]);
    clearTimeout(timer);
    const forced = outcome === 'deadline' ? this.tracker.destroyAll() : 0;
    if (forced > 0) this.logger.warn({ forced }, 'drain deadline reached: connections destroyed');
    return { forced };
  }

  stats(): WorkerCountersSnapshot {
    const snapshot = this.stats_.snapshot();
    for (const batcher of this.accessLogBatchers.values()) snapshot.accessLogDropped += batcher.counters.dropped;
    return snapshot;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.listeners.values()) listener.stopAccepting();
    this.tracker.destroyAll();
    this.clusters.close();
    for (const batcher of this.accessLogBatchers.values()) batcher.close();
    this.reporter?.close();
  }

  /** Access log batches out and acknowledged (bounded by `ms`) before the worker's last report. */
  async settleAccessLogs(ms: number): Promise<void> {
    await Promise.all([...this.accessLogBatchers.values()].map((b) => b.settle(ms)));
  }

  /** The registry as prom-client JSON (for the supervisor, which keeps the figures of exited workers). */
  async metricsSnapshot(): Promise<MetricJson[] | undefined> {
    return this.reporter?.snapshot();
  }

  private filterChain(listener: ListenerConfig, logger: Logger): StreamFilterChain | undefined {
    if (listener.stream_filters.length === 0) return undefined;
    const chain = new StreamFilterChain(listener.stream_filters, this.plugins, logger);
    if (chain.empty) return undefined;
    this.metrics?.watchFilters(chain);
    return chain;
  }

  private accessLog(listener: ListenerConfig): AccessLogRecorder | undefined {
    const filter = listener.stream_filters.find((f) => f.type === 'access_log');
    if (filter === undefined || filter.type !== 'access_log' || listener.access_logs.length === 0) return undefined;
    const { plugin, batch_size, flush_interval, queue_size } = filter.config;
    let batcher = this.accessLogBatchers.get(plugin);
    if (batcher === undefined) {
      const client = this.plugins.get(plugin);
      if (client === undefined) throw new MosnWorkerError('MOSN_ERR_WORKER_CONFIG', `access_log filter of listener "${listener.name}" names plugin "${plugin}", which is not configured`);
      batcher = new AccessLogBatcher(
        client,
        { batchSize: batch_size, flushIntervalMs: flush_interval, queueSize: queue_size, workerId: this.workerId },
        this.logger.child({ component: 'access-log', plugin }),
      );
      this.accessLogBatchers.set(plugin, batcher);
      this.metrics?.watchAccessLog(batcher, plugin);
    }
    return new AccessLogRecorder(listener.access_logs, batcher, this.requestIds);
  }

  private createFilter(listener: ListenerConfig): NetworkFilter {
    const filters = listener.filter_chains[0]?.filters ?? [];
    const filter = filters[0];
    if (filter === undefined || filters.length !== 1 || listener.filter_chains.length !== 1) {
      throw new MosnWorkerError(
        'MOSN_ERR_WORKER_CONFIG',
        'listener "' + listener.name + '": expected one filter chain with one network filter (proxy or tcp_proxy), found ' +
          listener.filter_chains.length + ' chain(s) with ' + filters.length + ' filter(s) in the first',
      );
    }
    const tracker = this.tracker;
    const logger = this.logger.child({ listener: listener.name });
    if (filter.type === 'proxy') {
      const routes = this.routeTables.get(filter.config.router_config_name);
      if (routes === undefined) {
        throw new MosnWorkerError('MOSN_ERR_WORKER_CONFIG', 'listener "' + listener.name + '": no router named "' + filter.config.router_config_name + '"');
      }
      const ctx: HttpProxyContext = {
        listenerName: listener.name,
        routes,
        clusters: this.clusters,
        limits: listenerLimits(this.limits, listener),
        stats: this.stats_,
        requestIds: this.requestIds,
        logger: logger.child({ component: 'http-proxy' }),
        // Built once per config; a listener without stream filters pays nothing per request.
        streamFilters: this.filterChain(listener, logger),
        accessLog: this.accessLog(listener),
        listenerMetrics: this.metrics?.listener(listener.name),
      };
      const accept = httpProxyFilter(ctx, tracker);
      return {
        onConnection: (socket: net.Socket) => {
          const conn = accept(socket);
          if (this.draining) conn.drain(this.drainSpreadMs); // accepted before stopAccepting took effect
        },
      };
    }
    const cluster = this.clusters.get(filter.config.cluster);
    if (cluster === undefined) {
      throw new MosnWorkerError('MOSN_ERR_WORKER_CONFIG', 'listener "' + listener.name + '": tcp_proxy cluster "' + filter.config.cluster + '" is not configured');
    }
    const ctx: TcpProxyContext = {
      listenerName: listener.name,
      cluster,
      idleTimeoutMs: filter.config.idle_timeout,
      stats: this.stats_,
      logger: logger.child({ component: 'tcp-proxy' }),
      listenerMetrics: this.metrics?.listener(listener.name),
    };
    return { onConnection: (socket: net.Socket) => void new TcpProxySession(ctx, socket, tracker) };
  }
}
