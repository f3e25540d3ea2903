/**
 * Metrics and admin state for a management plugin (the admin API runs out of the supervisor and
 * out of the workers on purpose: a slow scrape never touches forwarding).
 *
 *   each worker ──plugin/metrics {source: worker, metrics}────────────► plugin that serves `metrics`
 *   supervisor  ──plugin/metrics {source: host, metrics, retired, state}─┘   (every flush interval)
 *   plugin ──host/setLogLevel {level}──► supervisor ──► every worker      (admin actions, host connection)
 *
 * `metrics` is prom-client's `registry.getMetricsAsJSON()` of the sender's private registry,
 * cumulative since the sender started; a plugin sums the workers' latest reports (prom-client's
 * AggregatorRegistry.aggregate does exactly that) and adds the host's `retired` (the final figures
 * of workers that exited), so that totals never go back when a worker is replaced.
 */
import { NotificationType, ParameterStructures, RequestType } from 'vscode-jsonrpc/node';
import type { ListenerStatus, PluginStatus, SupervisorStatus, WorkerStatus } from './control.js';
import type { PluginErrorData } from './plugin.js';

/** One metric as prom-client's getMetricsAsJSON() gives it. */
export interface MetricJson {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary';
  readonly aggregator: string;
  readonly values: readonly { readonly value: number; readonly labels: Readonly<Record<string, string | number>>; readonly metricName?: string }[];
}

/** What the admin API shows besides metrics; sent by the host. */
export interface HostState {
  readonly supervisor: SupervisorStatus;
  readonly workers: readonly WorkerStatus[];
  readonly listeners: readonly ListenerStatus[];
  readonly plugins: readonly PluginStatus[];
  /** Every worker of the current generation is ready. */
  readonly ready: boolean;
  /** The effective config, with TLS private keys and plugin secrets redacted. */
  readonly config: unknown;
  readonly logLevel: string;
}

export interface MetricsReport {
  readonly source: 'worker' | 'host';
  /** 0 for the host. */
  readonly workerId: number;
  readonly pid: number;
  readonly generation: number;
  /** Per sender, from 1. */
  readonly seq: number;
  /** Epoch milliseconds when the report was taken. */
  readonly at: number;
  /** The sender's flush interval (`metrics.flush_interval`): the next report is due this long after. */
  readonly intervalMs?: number;
  readonly metrics: readonly MetricJson[];
  /** Host only: the final metrics of every worker that exited, summed. */
  readonly retired?: readonly MetricJson[];
  /** Host only. */
  readonly state?: HostState;
}

/** `plugin/metrics`: a report from a worker or the host (notification). */
export const PluginMetrics = new NotificationType<MetricsReport>('plugin/metrics', ParameterStructures.byName);

export const LOG_LEVELS = Object.freeze(['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const);

export interface SetLogLevelParams {
  readonly level: (typeof LOG_LEVELS)[number];
}

export interface SetLogLevelResult {
  /** The level before the change. */
  readonly previous: string;
  readonly level: string;
}

/** `host/setLogLevel`: plugin → supervisor on the host connection; applies to the supervisor and every worker. */
export const HostSetLogLevel = new RequestType<SetLogLevelParams, SetLogLevelResult, PluginErrorData>('host/setLogLevel', ParameterStructures.byName);
