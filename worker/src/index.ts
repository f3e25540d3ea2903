// The public surface of @mosn/worker. Explicit named exports only.

export { WorkerServer } from './worker-server.js';
export type { WorkerServerOptions } from './worker-server.js';
export { MosnWorkerError, WORKER_ERROR_CODES } from './errors.js';
export type { WorkerErrorCode } from './errors.js';
export { DEFAULT_HTTP_LIMITS } from './codec/http1/limits.js';
export type { HttpLimits } from './codec/http1/limits.js';
export type { WorkerCountersSnapshot } from './stats/worker-stats.js';

// The process side: what the supervisor needs to fork a worker and talk to it.
export { WORKER_MAIN_PATH } from './process/entry-path.js';
export { WORKER_ENV } from './process/supervisor-channel.js';
export type { PluginEndpoint, SupervisorToWorker, WorkerCounters, WorkerToSupervisor } from './process/supervisor-channel.js';
