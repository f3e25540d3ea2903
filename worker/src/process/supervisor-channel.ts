// Messages on the Node IPC channel between the supervisor and one worker process.
// The channel also carries the listening socket handles (one `listener` message per listener,
// with the handle attached), which is why it is Node's IPC and not the msgpack RPC wire.
//
//   supervisor                         worker
//      │── start {workerId, config,  ─►│  builds its WorkerServer
//      │          plugins}              │
//      │── plugins {endpoints} ───────►│  a plugin came up, moved or went away
//      │── listener {name} + handle ──►│  listens on its duplicate of the kernel socket
//      │◄──────────── listening {name} ─│
//      │◄───────────────────── ready ───│  every configured listener is accepting
//      │── stats {id} ────────────────►│
//      │◄──────────── stats {id, …} ───│
//      │── drain {deadline} ──────────►│  stop accepting, finish in-flight, exit 0
//      │── stop ──────────────────────►│  close everything now, exit 0
//      │◄── fatal {code, message} ──────│  then the worker exits 1
import type { MosnConfig } from '@mosn/config';
import type { MetricJson } from '@mosn/ipc-protocol';

export interface WorkerCounters {
  connectionsActive: number;
  connectionsTotal: number;
  requestsTotal: number;
  /** Access log records this worker dropped (queue full, logging plugin away). */
  accessLogDropped: number;
}

/** Where a running plugin serves, and how to authenticate to it. */
export interface PluginEndpoint {
  name: string;
  socketPath: string;
  secret: string;
  /** Per-call timeout from the plugin's config. */
  timeoutMs: number;
}

export type SupervisorToWorker =
  | { type: 'start'; workerId: number; generation: number; config: MosnConfig; plugins: PluginEndpoint[] }
  | { type: 'plugins'; plugins: PluginEndpoint[] }
  | { type: 'listener'; name: string }
  | { type: 'stats'; id: number; metrics?: boolean }
  | { type: 'logLevel'; level: string }
  | { type: 'drain'; deadline: number }
  | { type: 'stop' };

export type WorkerToSupervisor =
  | { type: 'listening'; name: string; port: number }
  | { type: 'ready' }
  | { type: 'stats'; id: number; counters: WorkerCounters; metrics?: MetricJson[] }
  | { type: 'metrics'; metrics: MetricJson[] }
  | { type: 'drained'; forced: number; counters: WorkerCounters; metrics?: MetricJson[] }
  | { type: 'fatal'; code: string; message: string };

/** Env variables the supervisor sets on a worker so its very first log lines carry its identity. */
export const WORKER_ENV = {
  id: 'MOSN_WORKER_ID',
  generation: 'MOSN_WORKER_GENERATION',
  /** Lets tools (and tests) find every worker of a supervisor, even after the supervisor is gone. */
  supervisorPid: 'MOSN_SUPERVISOR_PID',
} as const;
