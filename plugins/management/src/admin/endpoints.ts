/**
 * The admin endpoints, one entry each: path, method, the query parameters it takes, one line of
 * description (what `/` and a 404 list), and the handler. Paths follow MOSN's admin API
 * (pkg/admin/server) and Envoy's (/ready, /clusters, /stats/prometheus).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HostApi, PluginLogger } from '@mosn/plugin-sdk';
import { MANAGEMENT_ERROR_CODES, ManagementError } from '../errors.js';
import type { MetricsView } from '../metrics/aggregation.js';
import type { HostEntry, ReportStore } from '../metrics/report-store.js';
import { clusterStatuses, clustersText } from './clusters.js';
import { CONFIG_DUMP_PARAMS, configDump } from './config-dump.js';
import { consoleStats, filterStats } from './console-stats.js';
import { CONTENT_TYPES, send, sendJson, sendText } from './http-io.js';
import { getLogLevel, updateLogLevel } from './log-level.js';
import type { LogLevelMemo } from './log-level.js';

export interface AdminContext {
  readonly store: ReportStore;
  readonly view: MetricsView;
  readonly host: HostApi;
  readonly logger: PluginLogger;
  /** The plugin's name in the proxy config, and its version. */
  readonly plugin: { readonly name: string; readonly version: string };
  readonly logLevel: LogLevelMemo;
}

export interface Endpoint {
  readonly path: string;
  /** GET endpoints also answer HEAD. POST endpoints change state: they need the admin token when one is configured. */
  readonly method: 'GET' | 'POST';
  /** Query parameters it takes; any other is a 400. */
  readonly params: readonly string[];
  readonly description: string;
  handle(context: AdminContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> | void;
}

export const ENDPOINTS: readonly Endpoint[] = [
  {
    path: '/',
    method: 'GET',
    params: [],
    description: 'this list',
    handle: (_c, _req, res) => sendText(res, 200, endpointList()),
  },
  {
    path: '/api/v1/stats',
    method: 'GET',
    params: ['key'],
    description: 'every metric in MOSN\'s console format ({type: {namespace: {metric: "value"}}}); ?key=TYPE or ?key=TYPE.NAMESPACE keeps one part',
    async handle(context, _req, res, url) {
      // Totals need the supervisor's retired figures: without them a restarted plugin would show
      // a dip that a scraper takes for a counter reset.
      requireHost(context);
      const stats = consoleStats((await context.view.snapshot()).metrics);
      const key = url.searchParams.get('key');
      if (key === null) return sendJson(res, 200, stats);
      const part = filterStats(stats, key);
      if (part === undefined) throw new ManagementError(MANAGEMENT_ERROR_CODES.unknownKey, `no metrics key: ${key} (expected a type such as ${Object.keys(stats).join(', ') || 'downstream'}, or TYPE.NAMESPACE)`);
      sendJson(res, 200, part);
    },
  },
  {
    path: '/stats/prometheus',
    method: 'GET',
    params: [],
    description: 'every metric in the Prometheus text format 0.0.4, summed over the workers (live and exited) and the supervisor',
    async handle(context, _req, res) {
      requireHost(context); // see /api/v1/stats
      send(res, 200, CONTENT_TYPES.prometheus, await (await context.view.snapshot()).registry.metrics());
    },
  },
  {
    path: '/api/v1/config_dump',
    method: 'GET',
    params: CONFIG_DUMP_PARAMS,
    description: 'the effective config, secrets redacted; one of ?mosnconfig, ?alllisteners, ?allrouters, ?allclusters, ?listener=NAME, ?router=NAME, ?cluster=NAME',
    handle: (context, _req, res, url) => sendJson(res, 200, configDump(requireHost(context).state.config, url.searchParams)),
  },
  {
    path: '/api/v1/version',
    method: 'GET',
    params: [],
    description: 'the proxy\'s version and this plugin\'s',
    handle(context, _req, res) {
      const host = context.store.host;
      sendJson(res, 200, { version: host?.state.supervisor.version ?? null, management_plugin: context.plugin });
    },
  },
  {
    path: '/api/v1/states',
    method: 'GET',
    params: [],
    description: 'the supervisor (pid, stage, generation, reloads), its workers, listeners, and readiness',
    handle(context, _req, res) {
      const host = requireHost(context);
      const { supervisor, workers, listeners, ready, logLevel } = host.state;
      sendJson(res, 200, { pid: supervisor.pid, state: supervisor.state, generation: supervisor.generation, ready, log_level: logLevel, supervisor, workers, listeners, reported: reportAge(context, host) });
    },
  },
  {
    path: '/api/v1/plugin',
    method: 'GET',
    params: ['status', 'enable', 'disable'],
    description: 'plugin processes and their state: ?status=all (default) or ?status=NAME',
    handle(context, _req, res, url) {
      if (url.searchParams.has('enable') || url.searchParams.has('disable')) {
        throw new ManagementError(MANAGEMENT_ERROR_CODES.badRequest, 'expected ?status=all or ?status=NAME; enabling or disabling a plugin is not supported (restart one with `mosnctl plugin restart NAME`)');
      }
      const plugins = requireHost(context).state.plugins;
      const status = url.searchParams.get('status') ?? 'all';
      if (status === 'all') return sendJson(res, 200, { plugins });
      const plugin = plugins.find((p) => p.name === status);
      if (plugin === undefined) throw new ManagementError(MANAGEMENT_ERROR_CODES.unknownKey, `plugin ${status} is not configured (expected one of ${plugins.map((p) => p.name).join(', ') || 'none: no plugins'})`);
      sendJson(res, 200, plugin);
    },
  },
  {
    path: '/ready',
    method: 'GET',
    params: [],
    description: '200 LIVE when every worker of the current generation is ready, else 503 with the reason',
    handle(context, _req, res) {
      const reason = notReadyReason(context);
      if (reason === undefined) sendText(res, 200, 'LIVE\n');
      else sendText(res, 503, `NOT READY: ${reason}\n`);
    },
  },
  {
    path: '/clusters',
    method: 'GET',
    params: ['format'],
    description: 'upstream hosts with health and stats (Envoy\'s cluster::host::stat::value lines); ?format=json',
    async handle(context, _req, res, url) {
      const format = url.searchParams.get('format') ?? 'text';
      if (format !== 'text' && format !== 'json') throw new ManagementError(MANAGEMENT_ERROR_CODES.badRequest, `expected format "text" or "json", found ${JSON.stringify(format)}`);
      const clusters = clusterStatuses((await context.view.snapshot()).metrics, context.store.liveWorkers());
      if (format === 'json') sendJson(res, 200, { cluster_statuses: clusters });
      else sendText(res, 200, clustersText(clusters));
    },
  },
  {
    path: '/api/v1/get_loglevel',
    method: 'GET',
    params: [],
    description: 'the log level of the supervisor and the workers',
    handle: (context, _req, res) => sendJson(res, 200, getLogLevel(context)),
  },
  {
    path: '/api/v1/update_loglevel',
    method: 'POST',
    params: [],
    description: 'sets the log level of the supervisor and every worker: body {"level":"debug"} or MOSN\'s {"log_level":"DEBUG"}',
    async handle(context, req, res) {
      sendJson(res, 200, await updateLogLevel(context, req));
    },
  },
];

/** One line per endpoint: method, path, description. */
export function endpointList(): string {
  return `${ENDPOINTS.map((e) => `${e.method.padEnd(4)} ${e.path.padEnd(24)} ${e.description}`).join('\n')}\n`;
}

export function requireHost(context: AdminContext): HostEntry {
  const host = context.store.host;
  if (host === undefined) throw new ManagementError(MANAGEMENT_ERROR_CODES.noHostState, 'no state from the supervisor yet (it reports every flush interval); try again in a moment');
  return host;
}

function reportAge(context: AdminContext, host: HostEntry): { at: string; age_ms: number; seq: number } {
  return { at: new Date(host.report.at).toISOString(), age_ms: Math.max(0, context.store.now() - host.receivedAt), seq: host.report.seq };
}

/** undefined when ready; else why not, for the 503 body. */
export function notReadyReason(context: AdminContext): string | undefined {
  const host = context.store.host;
  if (host === undefined) return 'no state from the supervisor yet';
  if (context.store.isStale(host.receivedAt)) return `the supervisor's last report is ${context.store.now() - host.receivedAt} ms old (expected one every ${context.store.intervalMs} ms)`;
  const { supervisor, workers, ready } = host.state;
  const current = workers.filter((w) => w.generation === supervisor.generation && w.state !== 'exited');
  const readyCount = current.filter((w) => w.state === 'ready').length;
  if (!ready || current.length === 0 || readyCount < current.length) {
    return `${readyCount} of ${current.length} workers of generation ${supervisor.generation} ready (supervisor ${supervisor.state})`;
  }
  return undefined;
}
