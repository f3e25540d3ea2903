// Entry point of a worker process, forked by the supervisor with an IPC channel.
// It owns no sockets of its own: listening handles arrive over the channel, and it exits when
// the supervisor says so or when the channel goes away (the supervisor died: never linger).
import { pino, type Logger } from 'pino';
import { PluginClients } from './plugin/plugin-clients.js';
import { WorkerServer } from './worker-server.js';
import type { SupervisorToWorker, WorkerToSupervisor } from './process/supervisor-channel.js';
import { WORKER_ENV } from './process/supervisor-channel.js';
import { levelTracking, setTrackedLevel, trackLevel } from './process/log-level.js';
import type { MetricJson } from './stats/metrics/metric-json.js';

const workerId = Number(process.env[WORKER_ENV.id] ?? 0);
const generation = Number(process.env[WORKER_ENV.generation] ?? 0);
let logger: Logger = pino({ base: { pid: process.pid, worker: workerId, generation } });

let server: WorkerServer | undefined;
let plugins: PluginClients | undefined;
let drainTimeoutMs = 30_000;
let expectedListeners = new Set<string>();
const listening = new Set<string>();
let shuttingDown = false;

/** Resolves once the message is handed to the channel, so a send before exit is not lost. */
function send(message: WorkerToSupervisor): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || process.send === undefined) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

function fatal(code: string, message: string, cause?: unknown): void {
  logger.error({ code, err: cause }, message);
  void send({ type: 'fatal', code, message }).then(() => exit(1));
}

async function exit(code: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  try {
    await server?.close();
    plugins?.close();
  } finally {
    // Everything that matters is closed and the supervisor has our last message; do not wait
    // for stray timers (pool idle timers, keep-alive sockets being torn down) to end the loop.
    logger.flush();
    process.exit(code);
  }
}

/** The worker's registry, for the supervisor (which keeps the figures of exited workers). */
async function finalMetrics(): Promise<{ metrics?: MetricJson[] }> {
  const metrics = await server?.metricsSnapshot().catch(() => undefined);
  return metrics === undefined ? {} : { metrics };
}

let draining: Promise<void> | undefined;

/** Idempotent: the supervisor's drain and a SIGTERM may both arrive. */
function drain(deadline: number): Promise<void> {
  draining ??= drainOnce(deadline);
  return draining;
}

async function drainOnce(deadline: number): Promise<void> {
  if (server === undefined || shuttingDown) return exit(0);
  await server.stopAccepting();
  const { forced } = await server.drain(deadline);
  logger.info({ forced }, 'worker drained');
  // Last records out and acknowledged, so that the drop count sent below is final.
  await server.settleAccessLogs(Math.max(100, Math.min(1000, deadline - Date.now())));
  await send({ type: 'drained', forced, counters: server.stats(), ...(await finalMetrics()) });
  await exit(0);
}

function onMessage(message: SupervisorToWorker, handle: unknown): void {
  switch (message.type) {
    case 'start': {
      logger = trackLevel(pino({ level: message.config.log_level, base: { pid: process.pid, worker: workerId, generation }, ...levelTracking }));
      plugins = new PluginClients(message.config.plugins.map((p) => p.name), workerId, logger);
      plugins.update(message.plugins);
      server = new WorkerServer({
        config: message.config,
        logger,
        plugins,
        workerId,
        generation,
        onMetricsSnapshot: (metrics) => void send({ type: 'metrics', metrics }),
      });
      drainTimeoutMs = message.config.workers.drain_timeout;
      expectedListeners = new Set(message.config.listeners.map((l) => l.name));
      if (expectedListeners.size === 0) void send({ type: 'ready' });
      return;
    }
    case 'listener': {
      if (server === undefined || handle === undefined || handle === null) {
        return fatal('MOSN_ERR_WORKER_PROTOCOL', `expected a start message and a handle before listener "${message.name}"`);
      }
      server.listen(message.name, handle as object).then(
        ({ port }) => {
          listening.add(message.name);
          void send({ type: 'listening', name: message.name, port });
          if (listening.size === expectedListeners.size) void send({ type: 'ready' });
        },
        (err: unknown) => {
          const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'MOSN_ERR_LISTEN';
          fatal(code, err instanceof Error ? err.message : String(err), err);
        },
      );
      return;
    }
    case 'plugins':
      plugins?.update(message.plugins);
      return;
    case 'stats': {
      const counters = server?.stats() ?? { connectionsActive: 0, connectionsTotal: 0, requestsTotal: 0, accessLogDropped: 0 };
      if (message.metrics !== true) {
        void send({ type: 'stats', id: message.id, counters });
        return;
      }
      void finalMetrics().then((metrics) => send({ type: 'stats', id: message.id, counters, ...metrics }));
      return;
    }
    case 'logLevel':
      setTrackedLevel(message.level);
      return;
    case 'drain':
      void drain(message.deadline);
      return;
    case 'stop':
      void exit(0);
      return;
  }
}

process.on('message', onMessage as (message: unknown, handle: unknown) => void);
// The supervisor is gone (even SIGKILLed): a worker without a master must not keep serving.
process.on('disconnect', () => void exit(0));
// Ctrl+C and a terminal hang-up reach the whole process group; the supervisor decides what workers do.
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);
// A SIGTERM sent to the worker alone (an operator, a process manager): drain like a stop would.
process.on('SIGTERM', () => void drain(Date.now() + drainTimeoutMs));
process.on('uncaughtException', (err) => fatal('MOSN_ERR_WORKER_CRASH', `uncaught exception: ${err.message}`, err));
process.on('unhandledRejection', (err) => fatal('MOSN_ERR_WORKER_CRASH', `unhandled rejection: ${String(err)}`, err));
