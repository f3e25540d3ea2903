// Metrics reports as the workers and the supervisor send them, built with real prom-client
// registries (getMetricsAsJSON), so that the plugin sees exactly what the proxy would send.
// (The test runner also loads this file as a test file; it has no side effects.)
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricJson, MetricsReport } from '@mosn/plugin-sdk';

export type HostState = NonNullable<MetricsReport['state']>;

export interface WorkerFigures {
  /** mosn_http_requests_total{listener="ingress",virtual_host="vh",status_class="2xx"} */
  readonly requests: number;
  /** mosn_listener_connections_active{listener="ingress"} */
  readonly active?: number;
  /** mosn_host_requests_total{cluster="backend",host="10.0.0.1:8080"} */
  readonly hostRequests?: number;
  /** mosn_host_healthy / mosn_host_ejected of 10.0.0.1:8080 */
  readonly healthy?: 0 | 1;
  readonly ejected?: 0 | 1;
  /** Observed by mosn_http_request_duration_seconds{listener="ingress"}. */
  readonly durations?: readonly number[];
}

/** A worker's private registry with the proxy's metric names. */
export function workerRegistry(figures: WorkerFigures): Registry {
  const registry = new Registry();
  const registers = [registry];
  new Counter({ name: 'mosn_http_requests_total', help: 'HTTP requests answered.', labelNames: ['listener', 'virtual_host', 'status_class'], registers })
    .labels({ listener: 'ingress', virtual_host: 'vh', status_class: '2xx' })
    .inc(figures.requests);
  new Gauge({ name: 'mosn_listener_connections_active', help: 'Downstream connections open now.', labelNames: ['listener'], registers }).set({ listener: 'ingress' }, figures.active ?? 0);
  new Counter({ name: 'mosn_cluster_requests_total', help: 'Requests sent upstream.', labelNames: ['cluster'], registers }).inc({ cluster: 'backend' }, figures.hostRequests ?? 0);
  const host = { cluster: 'backend', host: '10.0.0.1:8080' };
  new Counter({ name: 'mosn_host_requests_total', help: 'Requests per host.', labelNames: ['cluster', 'host'], registers }).inc(host, figures.hostRequests ?? 0);
  new Gauge({ name: 'mosn_host_healthy', help: 'Health check verdict.', labelNames: ['cluster', 'host'], registers }).set(host, figures.healthy ?? 1);
  new Gauge({ name: 'mosn_host_ejected', help: 'Outlier ejection.', labelNames: ['cluster', 'host'], registers }).set(host, figures.ejected ?? 0);
  const histogram = new Histogram({ name: 'mosn_http_request_duration_seconds', help: 'Request latency.', labelNames: ['listener'], buckets: [0.005, 0.05, 0.5], registers });
  for (const seconds of figures.durations ?? []) histogram.observe({ listener: 'ingress' }, seconds);
  return registry;
}

export async function metricsOf(registry: Registry): Promise<MetricJson[]> {
  return (await registry.getMetricsAsJSON()) as unknown as MetricJson[];
}

export async function workerReport(pid: number, registry: Registry, options: { seq?: number; generation?: number; workerId?: number; at?: number } = {}): Promise<MetricsReport> {
  return {
    source: 'worker',
    workerId: options.workerId ?? pid % 100,
    pid,
    generation: options.generation ?? 1,
    seq: options.seq ?? 1,
    at: options.at ?? Date.now(),
    metrics: await metricsOf(registry),
  };
}

export interface WorkerListing {
  readonly pid: number;
  readonly state?: 'starting' | 'ready' | 'draining' | 'exited';
  readonly generation?: number;
}

export function hostState(options: { workers: readonly WorkerListing[]; generation?: number; ready?: boolean; config?: unknown; logLevel?: string; stage?: string }): HostState {
  const generation = options.generation ?? 1;
  return {
    supervisor: {
      pid: 4242,
      version: '0.1.0',
      configPath: '/etc/mosn/mosn.json',
      startedAt: 1_700_000_000_000,
      generation,
      state: options.stage ?? 'running',
      reloads: { ok: generation - 1, failed: 0 },
      totals: { requests: 0, connections: 0, accessLogDropped: 0 },
    },
    // Cast: WorkerStatus grows fields the plugin does not read (it is the supervisor's status type).
    workers: options.workers.map((w, i) => ({
      id: i + 1,
      pid: w.pid,
      generation: w.generation ?? generation,
      state: w.state ?? 'ready',
      startedAt: 1_700_000_000_000,
      restarts: 0,
      connectionsActive: 0,
      connectionsTotal: 0,
      requestsTotal: 0,
      accessLogDropped: 0,
      requestsPerSecond: 0,
    })) as unknown as HostState['workers'],
    listeners: [{ name: 'ingress', address: '127.0.0.1:8080', port: 8080 }],
    plugins: [
      { name: 'management', pid: 5000, state: 'running', restarts: 0, lastExit: null, socket: '/run/mosn/management.sock' },
      { name: 'auth', pid: 5001, state: 'backoff', restarts: 2, lastExit: 'exit code 1', socket: null },
    ],
    ready: options.ready ?? true,
    config: options.config ?? { listeners: [], routers: [], clusters: [] },
    logLevel: options.logLevel ?? 'info',
  };
}

export async function hostReport(state: HostState, options: { seq?: number; retired?: Registry; metrics?: Registry; at?: number } = {}): Promise<MetricsReport> {
  return {
    source: 'host',
    workerId: 0,
    pid: state.supervisor.pid,
    generation: state.supervisor.generation,
    seq: options.seq ?? 1,
    at: options.at ?? Date.now(),
    metrics: options.metrics === undefined ? [] : await metricsOf(options.metrics),
    retired: options.retired === undefined ? [] : await metricsOf(options.retired),
    state,
  };
}

/** The supervisor's own figures. */
export function supervisorRegistry(options: { generation: number; reloadsOk: number; workerRestarts: number }): Registry {
  const registry = new Registry();
  const registers = [registry];
  new Gauge({ name: 'mosn_supervisor_generation', help: 'Current worker generation.', registers }).set(options.generation);
  new Counter({ name: 'mosn_supervisor_reloads_total', help: 'Reloads by result.', labelNames: ['result'], registers }).inc({ result: 'ok' }, options.reloadsOk);
  new Counter({ name: 'mosn_supervisor_worker_restarts_total', help: 'Workers restarted after a crash.', registers }).inc(options.workerRestarts);
  return registry;
}
