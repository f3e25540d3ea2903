/**
 * `/api/v1/stats` in MOSN's console format (pkg/metrics/sink/console):
 *
 *   { "<type>": { "<namespace>": { "<metric>": "<value as a string>" } } }
 *
 * `type` groups families the way MOSN does (`downstream`: listeners and HTTP; `upstream`: clusters
 * and hosts; then `plugin`, `access_log`, `rate_limit`, `supervisor`; any other name by its first
 * word after `mosn_`). `namespace` is the series' labels sorted by name, `name.value` joined with
 * dots (`cluster.backend.host.10.0.0.1:8080`), `global` without labels. Histograms and summaries
 * give `<name>_count` and `<name>_sum` (their buckets are in /stats/prometheus).
 * `?key=<type>.<namespace>` (MOSN's filter) or `?key=<type>` keeps one part.
 */
import type { MetricJson } from '../metrics/metric-json.js';

export type ConsoleStats = Record<string, Record<string, Record<string, string>>>;

const TYPES: readonly (readonly [prefix: string, type: string])[] = [
  ['mosn_listener_', 'downstream'],
  ['mosn_http_', 'downstream'],
  ['mosn_cluster_', 'upstream'],
  ['mosn_host_', 'upstream'],
  ['mosn_plugin_', 'plugin'],
  ['mosn_access_log_', 'access_log'],
  ['mosn_rate_limit_', 'rate_limit'],
  ['mosn_supervisor_', 'supervisor'],
];

export function statsType(name: string): string {
  for (const [prefix, type] of TYPES) if (name.startsWith(prefix)) return type;
  const bare = name.startsWith('mosn_') ? name.slice('mosn_'.length) : name;
  return bare.split('_')[0] || 'other';
}

export function namespaceOf(labels: Readonly<Record<string, string | number>>): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return 'global';
  return names.map((name) => `${name}.${String(labels[name])}`).join('.');
}

export function consoleStats(metrics: readonly MetricJson[]): ConsoleStats {
  const all: ConsoleStats = {};
  for (const metric of metrics) {
    const type = statsType(metric.name);
    const byNamespace = (all[type] ??= {});
    for (const value of metric.values) {
      let key = metric.name;
      let labels = value.labels;
      if (metric.type === 'histogram' || metric.type === 'summary') {
        // Buckets and quantiles stay in the exposition; count and sum keep their series' labels.
        if (value.metricName !== `${metric.name}_count` && value.metricName !== `${metric.name}_sum`) continue;
        key = value.metricName;
      }
      if ('le' in labels || 'quantile' in labels) {
        const { le: _le, quantile: _q, ...rest } = labels;
        labels = rest;
      }
      (byNamespace[namespaceOf(labels)] ??= {})[key] = formatValue(value.value);
    }
  }
  return all;
}

/** The part of `stats` that `key` names (`type` or `type.namespace`); undefined when none. */
export function filterStats(stats: ConsoleStats, key: string): ConsoleStats | undefined {
  const whole = stats[key];
  if (whole !== undefined) return { [key]: whole };
  const dot = key.indexOf('.');
  if (dot === -1) return undefined;
  const type = key.slice(0, dot);
  const namespace = key.slice(dot + 1);
  const data = stats[type]?.[namespace];
  return data === undefined ? undefined : { [type]: { [namespace]: data } };
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
