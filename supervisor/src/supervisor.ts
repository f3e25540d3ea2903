// The master process: validates the config, owns the listening sockets, runs a generation of
// workers, serves the control socket. It never touches user traffic.
import os from 'node:os';
import type { Logger } from 'pino';
import { loadConfig, type MosnConfig } from '@mosn/config';
import type { StatusResult } from '@mosn/ipc-protocol';
import { WORKER_MAIN_PATH } from '@mosn/worker';
import { ControlServer } from './control/control-server.js';
import { controlSocketPath } from './control/socket-path.js';
import { Generation } from './generation/generation.js';
import type { RawOutput } from './generation/output-forwarder.js';
import { ListenerSockets } from './listener/listener-sockets.js';
import { removePidFile, writePidFile } from './pid-file.js';
import type { Stage } from './stages.js';
import { VERSION } from './version.js';

export interface SupervisorOptions {
  configPath: string;
  /** Overrides `workers.count` from the config (mosnctl start --workers N). */
  workers?: number | undefined;
  logger: Logger;
  /** Where worker output goes (the supervisor's own stdout, line by line). */
  output: RawOutput;
  readyTimeoutMs?: number | undefined;
}

export class Supervisor {
  stage: Stage = 'loading-config';
  readonly startedAt = Date.now();
  readonly #logger: Logger;
  readonly #listeners = new ListenerSockets();
  #config: MosnConfig | undefined;
  #control: ControlServer | undefined;
  #current: Generation | undefined;
  #generationCounter = 0;
  #stopping: Promise<void> | undefined;
  #resolveStopped!: () => void;
  /** Resolves once the supervisor has fully stopped (workers gone, sockets closed). */
  readonly stopped = new Promise<void>((resolve) => (this.#resolveStopped = resolve));

  constructor(private readonly options: SupervisorOptions) {
    this.#logger = options.logger.child({ component: 'supervisor' });
  }

  get config(): MosnConfig | undefined {
    return this.#config;
  }

  /** Runs the start-up stages; on failure undoes what was done and rethrows (nothing is left running). */
  async start(): Promise<void> {
    try {
      this.stage = 'loading-config';
      const config = await loadConfig(this.options.configPath);
      this.#config = config;
      this.options.logger.level = config.log_level;

      this.stage = 'opening-control-socket';
      this.#control = await ControlServer.open(controlSocketPath(config), this, this.options.logger);

      this.stage = 'binding-listeners';
      await this.#listeners.bindAll(config.listeners);

      this.stage = 'starting-workers';
      const generation = this.#newGeneration(config);
      await generation.start();
      this.#current = generation;

      if (config.pid !== undefined) await writePidFile(config.pid, process.pid);
      this.stage = 'running';
      this.#logger.info(
        { workers: generation.pids, listeners: this.#listeners.list().map((l) => `${l.name} ${l.address} (port ${l.port})`) },
        'mosn started',
      );
    } catch (err) {
      await this.#current?.stop();
      await this.#teardown();
      throw err;
    }
  }

  /** Graceful: drain workers up to workers.drain_timeout. Fast: close everything now. Idempotent. */
  stop(graceful: boolean): Promise<void> {
    this.#stopping ??= this.#stop(graceful);
    return this.#stopping;
  }

  async status(): Promise<StatusResult> {
    const workers = (await this.#current?.status()) ?? [];
    return {
      supervisor: {
        pid: process.pid,
        version: VERSION,
        configPath: this.#config?.source ?? this.options.configPath,
        startedAt: this.startedAt,
        generation: this.#current?.number ?? 0,
        state: this.stage,
      },
      workers,
      listeners: this.#listeners.list().map((l) => ({ name: l.name, address: l.address, port: l.port })),
    };
  }

  #newGeneration(config: MosnConfig): Generation {
    this.#generationCounter += 1;
    return new Generation({
      number: this.#generationCounter,
      config,
      workerCount: this.options.workers ?? config.workers.count ?? os.availableParallelism(),
      entry: WORKER_MAIN_PATH,
      listeners: this.#listeners.list(),
      logger: this.options.logger,
      output: this.options.output,
      readyTimeoutMs: this.options.readyTimeoutMs ?? 10_000,
    });
  }

  async #stop(graceful: boolean): Promise<void> {
    this.stage = 'stopping';
    const drainMs = this.#config?.workers.drain_timeout ?? 30_000;
    this.#logger.info({ graceful, drainMs: graceful ? drainMs : 0 }, 'mosn stopping');
    const generation = this.#current;
    if (generation !== undefined) {
      if (graceful) await generation.drain(Date.now() + drainMs);
      else await generation.stop();
    }
    await this.#teardown();
    this.#logger.info('mosn stopped');
  }

  async #teardown(): Promise<void> {
    this.#listeners.closeAll();
    await this.#control?.close();
    this.#control = undefined;
    if (this.#config?.pid !== undefined) await removePidFile(this.#config.pid, process.pid);
    this.stage = 'stopped';
    this.#resolveStopped();
  }
}
