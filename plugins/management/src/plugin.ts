/**
 * The management plugin: the admin HTTP API and Prometheus metrics of the whole proxy, out of the
 * supervisor and the workers on purpose (a slow scrape or a bug here never touches forwarding).
 *
 *   workers ──plugin/metrics (every interval)──► ReportStore ──► MetricsView (prom-client aggregate)
 *   supervisor ──plugin/metrics + state────────┘                         │
 *   operator / Prometheus ──HTTP──► AdminServer ──► endpoints ◄──────────┘
 *   POST /api/v1/update_loglevel ──► ctx.host.setLogLevel ──► supervisor ──► every worker
 *
 * Written with @mosn/plugin-sdk only, as any third-party plugin would be. `main.ts` serves it;
 * tests run it in-process with `@mosn/plugin-sdk/testing` (`createManagementPlugin({ now })`
 * lets them drive the clock).
 */
import { isIP, type AddressInfo } from 'node:net';
import { ThrottledLog } from '@mosn/plugin-sdk';
import type { PluginDefinition } from '@mosn/plugin-sdk';
import { AdminServer } from './admin/admin-server.js';
import { LogLevelMemo } from './admin/log-level.js';
import { managementConfigSchema, type AdminAddress } from './config.js';
import { MANAGEMENT_ERROR_CODES } from './errors.js';
import { MetricsView } from './metrics/aggregation.js';
import { ReportStore } from './metrics/report-store.js';

export const MANAGEMENT_PLUGIN_VERSION = '0.1.0';

export interface ManagementState {
  readonly server: AdminServer;
  readonly store: ReportStore;
  readonly view: MetricsView;
  /** Where the admin API listens, with the port the system picked when configured with port 0: `127.0.0.1:34901`, `[::1]:34901`. */
  readonly address: string;
  readonly port: number;
  /** Logs a problem with a report (rate-limited per kind of problem). */
  readonly warn: (problem: string) => void;
  /** The address was in use at start: listening is retried until it is free (or shutdown). */
  retrying: boolean;
}

export interface ManagementPluginOptions {
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

const LISTEN_RETRY_MS = 250;

/** Listens as soon as the address is free; undefined if asked to stop first. */
async function retryListen(server: AdminServer, address: AdminAddress, keepTrying: () => boolean): Promise<AddressInfo | undefined> {
  while (keepTrying()) {
    await new Promise((resolve) => setTimeout(resolve, LISTEN_RETRY_MS));
    if (!keepTrying()) return undefined;
    try {
      return await server.listen(address);
    } catch (error) {
      if ((error as { cause?: { code?: unknown } }).cause?.code !== 'EADDRINUSE') throw error;
    }
  }
  return undefined;
}

export type ManagementPluginDefinition = PluginDefinition<typeof managementConfigSchema, ManagementState>;

export function createManagementPlugin(options: ManagementPluginOptions = {}): ManagementPluginDefinition {
  const now = options.now ?? Date.now;
  return {
    name: 'management',
    version: MANAGEMENT_PLUGIN_VERSION,
    config: managementConfigSchema,
    async setup({ config, logger, name, host }) {
      const store = new ReportStore({ intervalMs: config.interval, now });
      const warnings = new ThrottledLog(logger, { now });
      const warn = (problem: string) => warnings.log('warn', problem.replace(/\d+/g, '#'), { code: MANAGEMENT_ERROR_CODES.reportInvalid }, `metrics report: ${problem}`);
      const view = new MetricsView(store, warn);
      const context = { store, view, host, logger: logger.child({ component: 'admin-server' }), plugin: { name, version: MANAGEMENT_PLUGIN_VERSION }, logLevel: new LogLevelMemo() };
      const server = new AdminServer({ context, adminToken: config.admin_token });
      const listening = (bound: { address: string; port: number; family: string }): string => {
        const address = bound.family === 'IPv6' ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`;
        logger.info({ address, port: bound.port, token: config.admin_token !== undefined }, `admin API listening on http://${address}/`);
        if (!isLoopback(bound.address) && config.admin_token === undefined) {
          logger.warn({ address }, `admin API on ${address} is reachable from other machines and has no admin_token: anyone who reaches it can change the log level`);
        }
        return address;
      };
      let bound;
      try {
        bound = await server.listen(config.address);
      } catch (error) {
        // In use: during a reload that replaces this plugin, the previous instance serves the
        // admin API until it is stopped (after the new one is up): keep trying until it is free.
        // Any other failure (no such interface, no permission) fails the start.
        if ((error as { cause?: { code?: unknown } }).cause?.code !== 'EADDRINUSE') throw error;
        logger.warn({ code: MANAGEMENT_ERROR_CODES.listenFailed, address: config.address.text }, `${(error as Error).message}; retrying every ${LISTEN_RETRY_MS} ms until it is free`);
        const state = { server, store, view, address: config.address.text, port: config.address.port, warn, retrying: true };
        void retryListen(server, config.address, () => state.retrying).then((b) => b !== undefined && listening(b));
        return state;
      }
      return { server, store, view, address: listening(bound), port: bound.port, warn, retrying: false };
    },
    hooks: {
      metrics(report, { state }) {
        const result = state.store.accept(report);
        result.problems.forEach(state.warn);
      },
    },
    shutdown({ state }) {
      state.retrying = false;
      return state.server.close();
    },
  };
}

/** The plugin as `main.ts` serves it. */
export const managementPlugin: ManagementPluginDefinition = createManagementPlugin();

function isLoopback(address: string): boolean {
  if (isIP(address) === 4) return address.startsWith('127.');
  return address === '::1' || address.startsWith('::ffff:127.');
}
