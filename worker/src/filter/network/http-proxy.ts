// Network filter `proxy`: the HTTP/1.1 reverse proxy. Built once per listener from its config
// (the router table and the shared cluster manager are resolved here, so that a missing router is
// a startup error); each accepted connection then becomes an HttpConnection.

import type net from 'node:net';
import type { Logger } from 'pino';
import type { HttpLimits } from '../../codec/http1/limits.js';
import type { ConnectionTracker } from '../../listener/connection-tracker.js';
import type { RouteTable } from '../../router/index.js';
import type { WorkerStats } from '../../stats/worker-stats.js';
import type { ClusterManager } from '../../upstream/cluster-manager.js';
import { HttpConnection } from './http-connection.js';
import type { RequestIdGenerator } from './request-id.js';
import type { StreamFilterChain } from '../stream/stream-filter-chain.js';
import type { AccessLogRecorder } from '../../access-log/access-log-recorder.js';
import type { ListenerMetrics } from '../../stats/metrics/worker-metrics.js';

/** What every connection of one `proxy` listener shares. */
export interface HttpProxyContext {
  readonly listenerName: string;
  readonly routes: RouteTable;
  readonly clusters: ClusterManager;
  readonly limits: HttpLimits;
  readonly stats: WorkerStats;
  readonly requestIds: RequestIdGenerator;
  readonly logger: Logger;
  /** The listener's stream filters (auth, plugin checks); undefined when it has none. */
  readonly streamFilters: StreamFilterChain | undefined;
  /** The listener's access logs; undefined when it has none (then nothing is noted per request). */
  readonly accessLog: AccessLogRecorder | undefined;
  /** The listener's metric children; undefined when metrics are off. */
  readonly listenerMetrics: ListenerMetrics | undefined;
}

/** The per-listener factory: takes each accepted socket. */
export function httpProxyFilter(ctx: HttpProxyContext, tracker: ConnectionTracker): (socket: net.Socket) => HttpConnection {
  return (socket) => new HttpConnection(ctx, socket, tracker);
}
