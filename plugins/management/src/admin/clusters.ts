/**
 * `/clusters`, after Envoy's admin endpoint: every upstream host with its health and stats, from
 * the workers' metrics. Text by default, one `cluster::host::stat::value` line each:
 *
 *   backend::upstream_rq_total::42
 *   backend::10.0.0.1:8080::rq_total::40
 *   backend::10.0.0.1:8080::health_flags::healthy
 *
 * `?format=json` gives `{ cluster_statuses: [{ name, stats, host_statuses: [{ address, health_flags, … }] }] }`.
 *
 * Counts are the aggregated figures (live workers + retired). Health is per worker (each runs its
 * own health checks and outlier detection), so it is read from the live workers' own reports:
 * `/failed_active_hc` when any worker's health check says unhealthy, `/failed_outlier_check` when
 * any worker ejected the host, `healthy` otherwise; `workers_*` say how many agree.
 */
import type { MetricJson } from '../metrics/metric-json.js';
import type { WorkerEntry } from '../metrics/report-store.js';

const CLUSTER_STATS: Readonly<Record<string, string>> = {
  mosn_cluster_requests_total: 'upstream_rq_total',
  mosn_cluster_upstream_connect_failures_total: 'upstream_cx_connect_fail',
  mosn_cluster_timeouts_total: 'upstream_rq_timeout',
  mosn_cluster_retries_total: 'upstream_rq_retry',
  mosn_cluster_overflow_total: 'upstream_rq_pending_overflow',
};

const HOST_STATS: Readonly<Record<string, string>> = {
  mosn_host_requests_total: 'rq_total',
  mosn_host_active_requests: 'rq_active',
  mosn_host_pool_connections: 'cx_active',
};

const HEALTHY = 'mosn_host_healthy';
const EJECTED = 'mosn_host_ejected';

export interface HostStatus {
  address: string;
  health_flags: string;
  healthy: boolean;
  ejected: boolean;
  /** Live workers that report this host, and how many of them see it healthy / ejected. */
  workers: { reporting: number; healthy: number; ejected: number };
  stats: Record<string, number>;
}

export interface ClusterStatus {
  name: string;
  stats: Record<string, number>;
  host_statuses: HostStatus[];
}

export function clusterStatuses(aggregated: readonly MetricJson[], workers: readonly WorkerEntry[]): ClusterStatus[] {
  const clusters = new Map<string, { stats: Record<string, number>; hosts: Map<string, HostStatus> }>();
  const cluster = (name: string) => {
    let entry = clusters.get(name);
    if (entry === undefined) {
      entry = { stats: {}, hosts: new Map() };
      clusters.set(name, entry);
    }
    return entry;
  };
  const host = (clusterName: string, address: string): HostStatus => {
    const hosts = cluster(clusterName).hosts;
    let entry = hosts.get(address);
    if (entry === undefined) {
      entry = { address, health_flags: 'healthy', healthy: true, ejected: false, workers: { reporting: 0, healthy: 0, ejected: 0 }, stats: {} };
      hosts.set(address, entry);
    }
    return entry;
  };

  for (const metric of aggregated) {
    if (metric.name === HEALTHY || metric.name === EJECTED) continue;
    const hostStat = HOST_STATS[metric.name] ?? (metric.name.startsWith('mosn_host_') ? metric.name.slice('mosn_host_'.length) : undefined);
    const clusterStat = CLUSTER_STATS[metric.name] ?? (metric.name.startsWith('mosn_cluster_') ? metric.name.slice('mosn_cluster_'.length) : undefined);
    for (const { value, labels, metricName } of metric.values) {
      if (metricName !== undefined && metricName !== metric.name) continue; // histogram parts
      const clusterName = labels.cluster;
      if (clusterName === undefined) continue;
      const address = labels.host;
      if (hostStat !== undefined && address !== undefined) {
        const stats = host(String(clusterName), String(address)).stats;
        stats[hostStat] = (stats[hostStat] ?? 0) + value;
      } else if (clusterStat !== undefined && address === undefined) {
        const stats = cluster(String(clusterName)).stats;
        stats[clusterStat] = (stats[clusterStat] ?? 0) + value;
      }
    }
  }

  for (const worker of workers) {
    const verdicts = new Map<string, { healthy?: boolean; ejected?: boolean; clusterName: string; address: string }>();
    for (const metric of worker.metrics) {
      if (metric.name !== HEALTHY && metric.name !== EJECTED) continue;
      for (const { value, labels } of metric.values) {
        if (labels.cluster === undefined || labels.host === undefined) continue;
        const clusterName = String(labels.cluster);
        const address = String(labels.host);
        const key = `${clusterName}\u0000${address}`;
        const verdict = verdicts.get(key) ?? { clusterName, address };
        if (metric.name === HEALTHY) verdict.healthy = value > 0;
        else verdict.ejected = value > 0;
        verdicts.set(key, verdict);
      }
    }
    for (const verdict of verdicts.values()) {
      const status = host(verdict.clusterName, verdict.address);
      status.workers.reporting++;
      if (verdict.healthy !== false) status.workers.healthy++;
      if (verdict.ejected === true) status.workers.ejected++;
    }
  }

  const result: ClusterStatus[] = [];
  for (const [name, entry] of [...clusters].sort(([a], [b]) => a.localeCompare(b))) {
    const hosts = [...entry.hosts.values()].sort((a, b) => a.address.localeCompare(b.address));
    for (const status of hosts) {
      const failedHc = status.workers.healthy < status.workers.reporting;
      status.ejected = status.workers.ejected > 0;
      status.healthy = !failedHc && !status.ejected;
      status.health_flags = status.healthy ? 'healthy' : `${failedHc ? '/failed_active_hc' : ''}${status.ejected ? '/failed_outlier_check' : ''}`;
    }
    result.push({ name, stats: entry.stats, host_statuses: hosts });
  }
  return result;
}

/** Envoy's text form of /clusters. */
export function clustersText(clusters: readonly ClusterStatus[]): string {
  const lines: string[] = [];
  for (const cluster of clusters) {
    for (const [stat, value] of Object.entries(cluster.stats)) lines.push(`${cluster.name}::${stat}::${value}`);
    for (const host of cluster.host_statuses) {
      const prefix = `${cluster.name}::${host.address}`;
      for (const [stat, value] of Object.entries(host.stats)) lines.push(`${prefix}::${stat}::${value}`);
      lines.push(`${prefix}::health_flags::${host.health_flags}`);
      lines.push(`${prefix}::workers_reporting::${host.workers.reporting}`);
      lines.push(`${prefix}::workers_healthy::${host.workers.healthy}`);
      lines.push(`${prefix}::workers_ejected::${host.workers.ejected}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
