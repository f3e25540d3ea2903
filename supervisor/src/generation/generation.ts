// A generation: N workers started from one config. While it is the serving generation, a worker
// that dies is replaced (same worker id, jittered backoff); once it drains, nothing is replaced.
import type { Logger } from 'pino';
import type { MosnConfig } from '@mosn/config';
import type { WorkerStatus } from '@mosn/ipc-protocol';
import type { PluginEndpoint } from '@mosn/worker';
import type { BoundListener } from '../listener/listener-sockets.js';
import { Backoff } from './backoff.js';
import type { RawOutput } from './output-forwarder.js';
import { WorkerProcess, describeExit } from './worker-process.js';

export interface GenerationOptions {
  number: number;
  config: MosnConfig;
  workerCount: number;
  entry: string;
  listeners: readonly BoundListener[];
  logger: Logger;
  output: RawOutput;
  readyTimeoutMs: number;
  /** The plugin endpoints as they are now; each worker reads them when it starts. */
  plugins: () => PluginEndpoint[];
  /** Called once for every worker process of this generation that exits (crash, drain, kill). */
  onWorkerExit?: (worker: WorkerProcess) => void;
}

interface Slot {
  worker: WorkerProcess;
  restarts: number;
  backoff: Backoff;
  timer: NodeJS.Timeout | undefined;
}

export class Generation {
  readonly number: number;
  readonly config: MosnConfig;
  readonly #slots = new Map<number, Slot>();
  readonly #logger: Logger;
  #serving = false;

  constructor(private readonly options: GenerationOptions) {
    this.number = options.number;
    this.config = options.config;
    this.#logger = options.logger.child({ component: 'generation', generation: options.number });
  }

  /** Starts every worker; resolves when all are ready, otherwise kills them all and rethrows the first failure. */
  async start(): Promise<void> {
    const workers: WorkerProcess[] = [];
    for (let id = 1; id <= this.options.workerCount; id++) {
      const worker = this.#fork(id);
      workers.push(worker);
      this.#slots.set(id, { worker, restarts: 0, backoff: new Backoff(), timer: undefined });
    }
    const results = await Promise.allSettled(workers.map((w) => w.start()));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) {
      for (const w of workers) w.kill();
      await Promise.all(workers.map((w) => w.exited));
      throw failure.reason;
    }
    this.#serving = true;
    for (const [id, slot] of this.#slots) this.#watch(id, slot.worker);
  }

  get listeners(): readonly BoundListener[] {
    return this.options.listeners;
  }

  get pids(): number[] {
    return [...this.#slots.values()].map((s) => s.worker.pid);
  }

  async status(): Promise<WorkerStatus[]> {
    return Promise.all(
      [...this.#slots.entries()].map(async ([id, slot]) => {
        const counters = (await slot.worker.stats()) ?? slot.worker.lastCounters;
        return {
          id,
          pid: slot.worker.pid,
          generation: this.number,
          state: slot.worker.state,
          startedAt: slot.worker.startedAt,
          restarts: slot.restarts,
          connectionsActive: counters.connectionsActive,
          connectionsTotal: counters.connectionsTotal,
          requestsTotal: counters.requestsTotal,
          accessLogDropped: counters.accessLogDropped ?? 0,
          requestsPerSecond: Math.round(slot.worker.requestsPerSecond * 10) / 10,
        };
      }),
    );
  }

  /** Stops replacing workers and drains them all; resolves when every worker has exited. */
  async drain(deadline: number): Promise<void> {
    this.#stopSupervising();
    await Promise.all([...this.#slots.values()].map((s) => s.worker.drain(deadline)));
  }

  /** Stops replacing workers and closes them all at once. */
  async stop(): Promise<void> {
    this.#stopSupervising();
    await Promise.all([...this.#slots.values()].map((s) => s.worker.stop()));
  }

  #stopSupervising(): void {
    this.#serving = false;
    for (const slot of this.#slots.values()) clearTimeout(slot.timer);
  }

  #fork(id: number): WorkerProcess {
    const { number, config, entry, listeners, logger, output, readyTimeoutMs, plugins, onWorkerExit } = this.options;
    const worker = new WorkerProcess({ workerId: id, generation: number, entry, config, listeners, logger, output, readyTimeoutMs, plugins });
    if (onWorkerExit !== undefined) void worker.exited.then(() => onWorkerExit(worker));
    return worker;
  }

  /** The live worker processes (one per slot). */
  /** Workers' counters and metrics for the periodic report (each also refreshes its requests/s). */
  async sample(): Promise<void> {
    await Promise.all([...this.#slots.values()].map((slot) => slot.worker.sample()));
  }

  /** Restarts of this generation's workers so far. */
  get restarts(): number {
    return [...this.#slots.values()].reduce((n, s) => n + s.restarts, 0);
  }

  workers(): WorkerProcess[] {
    return [...this.#slots.values()].map((s) => s.worker);
  }

  /** SIGKILLs every worker (a generation beyond the bound of draining ones). */
  async kill(): Promise<void> {
    this.#stopSupervising();
    for (const slot of this.#slots.values()) slot.worker.kill();
    await Promise.all([...this.#slots.values()].map((s) => s.worker.exited));
  }

  #watch(id: number, worker: WorkerProcess): void {
    void worker.exited.then((exit) => {
      const slot = this.#slots.get(id);
      if (!this.#serving || exit.expected || slot === undefined || slot.worker !== worker) return;
      const delay = slot.backoff.next(Date.now() - worker.startedAt);
      this.#logger.error({ worker: id, pid: worker.pid, delayMs: delay }, `worker died (${describeExit(exit)}); restarting`);
      // One pending replacement per slot: a replacement that dies while starting is seen here and
      // by its start() rejection, and must not be forked twice.
      clearTimeout(slot.timer);
      slot.timer = setTimeout(() => this.#replace(id, slot), delay);
    });
  }

  #replace(id: number, slot: Slot): void {
    if (!this.#serving) return;
    const worker = this.#fork(id);
    slot.worker = worker;
    slot.restarts += 1;
    this.#watch(id, worker);
    worker.start().then(
      () => this.#logger.info({ worker: id, pid: worker.pid }, 'worker replaced'),
      (err: unknown) => {
        // start() killed it, so the exit watcher sees an expected exit: schedule the next try here.
        if (!this.#serving || slot.worker !== worker) return;
        const delay = slot.backoff.next(0);
        this.#logger.error({ worker: id, err, delayMs: delay }, 'replacement worker failed to start; retrying');
        clearTimeout(slot.timer);
        slot.timer = setTimeout(() => this.#replace(id, slot), delay);
      },
    );
  }
}
