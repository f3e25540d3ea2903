// One forked worker process and the supervisor's view of it.
//
//   fork ──► starting ──(ready)──► ready ──(drain)──► draining ──► exited
//               │                    │
//               └──(fatal / exit / ready timeout)────────────────► exited
import { fork, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import type { MetricJson } from '@mosn/ipc-protocol';
import type { MosnConfig } from '@mosn/config';
import { WORKER_ENV, type PluginEndpoint, type SupervisorToWorker, type WorkerCounters, type WorkerToSupervisor } from '@mosn/worker';
import type { BoundListener } from '../listener/listener-sockets.js';
import { SUPERVISOR_ERROR_CODES, SupervisorError } from '../errors.js';
import { OutputForwarder, type RawOutput } from './output-forwarder.js';

export type WorkerState = 'starting' | 'ready' | 'draining' | 'exited';

export interface WorkerProcessOptions {
  workerId: number;
  generation: number;
  entry: string;
  config: MosnConfig;
  listeners: readonly BoundListener[];
  logger: Logger;
  output: RawOutput;
  readyTimeoutMs: number;
  /** The plugin endpoints as they are now (read when the worker starts). */
  plugins: () => PluginEndpoint[];
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the supervisor asked for it (drain, stop, kill). */
  expected: boolean;
}

export class WorkerProcess {
  readonly workerId: number;
  readonly generation: number;
  readonly startedAt = Date.now();
  readonly exited: Promise<WorkerExit>;
  state: WorkerState = 'starting';
  /** The counters from the worker's latest report; what it served is kept after it exits. */
  lastCounters: WorkerCounters = { connectionsActive: 0, connectionsTotal: 0, requestsTotal: 0, accessLogDropped: 0 };
  /** The worker's metrics registry from its latest report (kept after it exits, for the retired totals). */
  lastMetrics: MetricJson[] | undefined;
  /** Requests per second between the last two samples (see sample()). */
  requestsPerSecond = 0;
  #sample: { at: number; requests: number } | undefined;

  readonly #child: ChildProcess;
  readonly #output: OutputForwarder;
  readonly #logger: Logger;
  readonly #pendingStats = new Map<number, (counters: WorkerCounters | undefined) => void>();
  #nextStatsId = 1;
  #expectedExit = false;
  #fatal: string | undefined;
  #onReady: (() => void) | undefined;

  constructor(private readonly options: WorkerProcessOptions) {
    this.workerId = options.workerId;
    this.generation = options.generation;
    this.#child = fork(options.entry, [], {
      env: { ...process.env, [WORKER_ENV.id]: String(options.workerId), [WORKER_ENV.generation]: String(options.generation), [WORKER_ENV.supervisorPid]: String(process.pid) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.#logger = options.logger.child({ worker: options.workerId, pid: this.#child.pid, generation: options.generation });
    // Worker stdout is pino JSON that already names the worker: pass it through as is. Stderr
    // (crash traces, runtime warnings) is wrapped into our own log records.
    this.#output = new OutputForwarder({
      line: (text, stream) => (stream === 'stdout' ? options.output.write(text) : this.#logger.warn({ stream }, text)),
    });
    this.#output.attach(this.#child.stdout, 'stdout');
    this.#output.attach(this.#child.stderr, 'stderr');
    this.#child.on('message', (message: WorkerToSupervisor) => this.#onMessage(message));
    // A send to a dying child fails asynchronously; the exit handler deals with the death itself.
    this.#child.on('error', (err) => this.#logger.warn({ err }, 'worker channel error'));
    this.exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.state = 'exited';
        for (const reply of this.#pendingStats.values()) reply(undefined);
        this.#pendingStats.clear();
        resolve({ code, signal, expected: this.#expectedExit });
      });
    });
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** Recent output of the worker, for error reports. */
  recentOutput(): string[] {
    return this.#output.recent();
  }

  /** Sends config and listener handles; resolves when the worker listens on all of them. */
  async start(): Promise<void> {
    const { config, listeners, readyTimeoutMs } = this.options;
    this.#send({ type: 'start', workerId: this.workerId, generation: this.generation, config, plugins: this.options.plugins() });
    for (const listener of listeners) {
      this.#child.send({ type: 'listener', name: listener.name } satisfies SupervisorToWorker, listener.handle as never, { keepOpen: true });
    }
    let timer: NodeJS.Timeout | undefined;
    const ready = new Promise<void>((resolve) => (this.#onReady = resolve));
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), readyTimeoutMs)));
    const outcome = await Promise.race([ready.then(() => 'ready' as const), this.exited, timeout]);
    clearTimeout(timer);
    if (outcome === 'ready') return;
    const reason =
      outcome === 'timeout'
        ? `worker ${this.workerId} (pid ${this.pid}) did not report ready within ${readyTimeoutMs} ms`
        : (this.#fatal ?? `worker ${this.workerId} (pid ${this.pid}) exited while starting (${describeExit(outcome)})`);
    this.kill();
    await this.exited;
    throw new SupervisorError(SUPERVISOR_ERROR_CODES.workerStart, reason, { workerLog: this.recentOutput() });
  }

  /** Asks the worker for its counters; undefined when it does not answer in time. */
  /** Counters and metrics for the periodic report; updates requestsPerSecond. */
  async sample(timeoutMs = 1000): Promise<WorkerCounters | undefined> {
    const counters = await this.stats(timeoutMs);
    if (counters === undefined) return undefined;
    const now = Date.now();
    const previous = this.#sample;
    if (previous !== undefined && now > previous.at) this.requestsPerSecond = ((counters.requestsTotal - previous.requests) * 1000) / (now - previous.at);
    this.#sample = { at: now, requests: counters.requestsTotal };
    return counters;
  }

  /** The worker applies a new log level to all its loggers. */
  setLogLevel(level: string): void {
    if (this.state !== 'exited') this.#send({ type: 'logLevel', level });
  }

  stats(timeoutMs = 1000, metrics = false): Promise<WorkerCounters | undefined> {
    if (this.state === 'exited') return Promise.resolve(undefined);
    const id = this.#nextStatsId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pendingStats.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.#pendingStats.set(id, (counters) => {
        clearTimeout(timer);
        this.#pendingStats.delete(id);
        resolve(counters);
      });
      this.#send({ type: 'stats', id, ...(metrics ? { metrics: true } : {}) });
    });
  }

  /** Graceful: the worker stops accepting, finishes in-flight work, exits; SIGKILL after the deadline. */
  async drain(deadline: number, graceMs = 1000): Promise<WorkerExit> {
    this.#expectedExit = true;
    if (this.state !== 'exited') {
      this.state = 'draining';
      this.#send({ type: 'drain', deadline });
    }
    return this.#killAfter(deadline + graceMs - Date.now());
  }

  /** Fast: the worker closes everything at once; SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 2000): Promise<WorkerExit> {
    this.#expectedExit = true;
    this.#send({ type: 'stop' });
    return this.#killAfter(graceMs);
  }

  kill(): void {
    this.#expectedExit = true;
    if (this.state !== 'exited') this.#child.kill('SIGKILL');
  }

  async #killAfter(ms: number): Promise<WorkerExit> {
    const timer = setTimeout(() => {
      this.#logger.warn({ afterMs: ms }, 'worker did not exit in time, killing it');
      this.#child.kill('SIGKILL');
    }, Math.max(0, ms));
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** Tells a live worker where the plugins are now. */
  updatePlugins(plugins: PluginEndpoint[]): void {
    if (this.state !== 'exited') this.#send({ type: 'plugins', plugins });
  }

  #send(message: SupervisorToWorker): void {
    if (this.#child.connected) this.#child.send(message);
  }

  #onMessage(message: WorkerToSupervisor): void {
    switch (message.type) {
      case 'ready':
        if (this.state === 'starting') this.state = 'ready';
        this.#onReady?.();
        return;
      case 'stats':
        this.lastCounters = message.counters;
        if (message.metrics !== undefined) this.lastMetrics = message.metrics;
        this.#pendingStats.get(message.id)?.(message.counters);
        return;
      case 'metrics':
        this.lastMetrics = message.metrics;
        return;
      case 'drained':
        this.lastCounters = message.counters;
        if (message.metrics !== undefined) this.lastMetrics = message.metrics;
        return;
      case 'fatal':
        this.#fatal = message.message;
        this.#logger.error({ code: message.code }, message.message);
        return;
      case 'listening':
        return;
    }
  }
}

export function describeExit(exit: { code: number | null; signal: NodeJS.Signals | null }): string {
  return exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.code ?? 'unknown'}`;
}
