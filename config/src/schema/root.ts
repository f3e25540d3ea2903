// The whole file: `servers` (exactly one), `cluster_manager`, `pid`, `uds_dir`, and our extensions
// `workers` and `plugins`. Its output is the MosnConfig the rest of MOSN.ts reads.

import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { LogLevel, MosnConfig } from '../types.js';
import { clusterManagerSchema } from './cluster.js';
import { duration, exactlyOne, mosnObject, nonEmptyString, oneOf } from './common.js';
import { listenerSchema } from './listener.js';
import { pluginSchema, settleFailureMode } from './plugin.js';
import { routerConfigSchema } from './router.js';

export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
export const DEFAULT_READY_TIMEOUT_MS = 10_000;
export const DEFAULT_METRICS_FLUSH_INTERVAL_MS = 1_000;

// MOSN's level names (pkg/configmanager) → pino's.
const LOG_LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error', FATAL: 'fatal' } as const;

const server = mosnObject('server', {
  default_log_level: oneOf('log level', ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']).default('INFO'),
  listeners: z.array(listenerSchema).default([]),
  routers: z.array(routerConfigSchema).default([]),
}).transform((s) => ({
  log_level: LOG_LEVELS[s.default_log_level] satisfies LogLevel,
  listeners: s.listeners,
  routers: s.routers,
}));

export interface RootContext {
  /** What becomes `MosnConfig.source`. */
  source: string;
  /** Folder that relative paths in the file are resolved against. */
  baseDir: string;
}

export function rootSchema(context: RootContext) {
  const workers = mosnObject('workers', {
    count: z.number().int().min(1).max(1024).default(() => availableParallelism()),
    drain_timeout: duration().default(DEFAULT_DRAIN_TIMEOUT_MS),
    ready_timeout: duration().default(DEFAULT_READY_TIMEOUT_MS),
  });
  const absolute = (p: string): string => (isAbsolute(p) ? p : resolve(context.baseDir, p));

  return mosnObject('root', {
    servers: exactlyOne(server, 'server'),
    cluster_manager: clusterManagerSchema.default([]),
    pid: nonEmptyString.optional(),
    uds_dir: nonEmptyString.optional(),
    workers: workers.optional(),
    plugins: z.array(pluginSchema(context.baseDir)).default([]),
    admin: mosnObject('admin', {
      address: mosnObject('adminAddress', {
        socket_address: mosnObject('socketAddress', {
          address: nonEmptyString,
          port_value: z.number().int().min(0).max(65_535),
        }),
      }),
    }).optional(),
    metrics: mosnObject('metrics', {
      enabled: z.boolean().default(true),
      flush_interval: duration().default(DEFAULT_METRICS_FLUSH_INTERVAL_MS),
    }).optional(),
  }).transform((root): MosnConfig => {
    // exactlyOne guarantees the entry; the check keeps the types honest without a cast.
    const first = root.servers[0];
    if (first === undefined) throw new Error('unreachable: servers validated to hold one entry');
    return {
      source: context.source,
      pid: root.pid === undefined ? undefined : absolute(root.pid),
      uds_dir: root.uds_dir === undefined ? context.baseDir : absolute(root.uds_dir),
      log_level: first.log_level,
      workers: {
        count: root.workers?.count ?? availableParallelism(),
        drain_timeout: root.workers?.drain_timeout ?? DEFAULT_DRAIN_TIMEOUT_MS,
        ready_timeout: root.workers?.ready_timeout ?? DEFAULT_READY_TIMEOUT_MS,
      },
      listeners: first.listeners.map((l) => ({ ...l, stream_filters: l.stream_filters.map((f) => settleFailureMode(f, root.plugins)) })),
      routers: first.routers,
      clusters: root.cluster_manager,
      plugins: root.plugins,
      admin_address: adminAddress(root.admin?.address.socket_address),
      metrics: {
        enabled: root.metrics?.enabled ?? true,
        flush_interval: root.metrics?.flush_interval ?? DEFAULT_METRICS_FLUSH_INTERVAL_MS,
      },
    };
  });
}

function adminAddress(socket: { address: string; port_value: number } | undefined): string | undefined {
  if (socket === undefined) return undefined;
  return socket.address.includes(':') ? `[${socket.address}]:${socket.port_value}` : `${socket.address}:${socket.port_value}`;
}

// Type-level check that the schema's output is the contract the other packages code against.
type Assignable<T extends U, U> = T;
export type RootSchemaOutput = Assignable<z.output<ReturnType<typeof rootSchema>>, MosnConfig>;
