/**
 * The plugin's side of the socket: accepts connections (one session each), creates the runtime
 * when the host first initializes, and runs the shutdown sequence once:
 *
 *   plugin/shutdown, SIGTERM or parent gone
 *     → stop accepting connections (open ones keep working: in-flight calls must answer)
 *     → new hook calls answer `shuttingDown`; wait for in-flight calls (bounded)
 *     → the author's shutdown (bounded)
 *
 * Deciding when to exit the process is left to `serve` (through `exit`), the entry point.
 */
import type { Server, Socket } from 'node:net';
import { listenUnix } from '@mosn/ipc-protocol';
import type { MessageConnection } from '@mosn/ipc-protocol';
import type { AnyPluginDefinition } from './definition.js';
import { PLUGIN_SDK_ERROR_CODES, PluginSdkError, messageOf } from './errors.js';
import { PluginRuntime } from './plugin-runtime.js';
import { HostLink } from './host-api.js';
import { EXIT_CONFIG_INVALID, openSession } from './session.js';
import type { SessionHost } from './session.js';
import type { PluginLogger } from './types.js';

// After a failed host initialize: how long the answer may take to reach the host before exiting anyway.
const FAIL_EXIT_GRACE_MS = 1_000;

export interface PluginServerOptions {
  readonly definition: AnyPluginDefinition;
  readonly socketPath: string;
  readonly secret: string;
  /** The plugin's configured name. */
  readonly name: string;
  readonly logger: PluginLogger;
  /** Ends the process; `serve` owns it. */
  readonly exit: (code: number, reason: string) => void;
}

export class PluginServer implements SessionHost {
  readonly logger: PluginLogger;
  readonly secret: string;
  readonly pluginName: string;
  readonly pluginVersion: string;
  readonly #options: PluginServerOptions;
  #server: Server | undefined;
  #runtime: PluginRuntime | undefined;
  #starting: Promise<PluginRuntime> | undefined;
  #shutdown: Promise<void> | undefined;
  #exiting = false;
  readonly hostLink = new HostLink();

  constructor(options: PluginServerOptions) {
    this.#options = options;
    this.logger = options.logger;
    this.secret = options.secret;
    this.pluginName = options.name;
    this.pluginVersion = options.definition.version;
  }

  get runtime(): PluginRuntime | undefined {
    return this.#runtime;
  }

  get shuttingDown(): boolean {
    return this.#shutdown !== undefined;
  }

  /** Listens on the socket (0600, stale file replaced). Throws `MOSN_ERR_PLUGIN_START`. */
  async listen(): Promise<void> {
    const { socketPath } = this.#options;
    try {
      this.#server = await listenUnix(socketPath, { logger: this.logger, onConnection: (socket) => openSession(socket, this) });
    } catch (error) {
      throw new PluginSdkError(PLUGIN_SDK_ERROR_CODES.start, `plugin ${this.pluginName}: cannot serve on ${socketPath}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  initializeRuntime(config: unknown): Promise<PluginRuntime> {
    if (this.#runtime !== undefined) return Promise.resolve(this.#runtime);
    // Validated once: a second host (e.g. after the supervisor reconnects) gets the same runtime.
    this.#starting ??= PluginRuntime.start(this.#options.definition, config, { logger: this.logger, name: this.pluginName, host: this.hostLink }).then(
      (runtime) => {
        this.#runtime = runtime;
        this.logger.info({ hooks: runtime.hooks }, `plugin ${this.pluginName} initialized`);
        return runtime;
      },
    );
    return this.#starting;
  }

  failInitialize(code: number, connection: MessageConnection, socket: Socket): void {
    const reason = code === EXIT_CONFIG_INVALID ? 'invalid config' : 'setup failed';
    const fallback = setTimeout(() => this.exit(reason, code), FAIL_EXIT_GRACE_MS);
    socket.once('close', () => {
      clearTimeout(fallback);
      this.exit(reason, code);
    });
    // Runs after the error reply is queued (see session.ts); writes it, then closes.
    setImmediate(() => connection.dispose());
  }

  shutdown(reason: string): Promise<void> {
    this.#shutdown ??= this.#doShutdown(reason);
    return this.#shutdown;
  }

  /** `plugin/exit` or a signal: code 0 once shutdown was asked for, 1 without (LSP's rule). */
  exit(reason: string, code: number = this.#shutdown === undefined ? 1 : 0): void {
    if (this.#exiting) return;
    this.#exiting = true;
    this.#options.exit(code, reason);
  }

  hostDisconnected(): void {
    // The host hung up after asking for shutdown: it will not send `exit`; finish and go.
    if (this.#shutdown !== undefined) void this.#shutdown.then(() => this.exit('host disconnected after shutdown', 0));
  }

  async #doShutdown(reason: string): Promise<void> {
    this.logger.info({ reason }, `plugin ${this.pluginName} shutting down`);
    // Stop accepting; sessions already open stay, so in-flight calls can still answer.
    this.#server?.close();
    await this.#runtime?.shutdown();
    this.logger.info({ reason }, `plugin ${this.pluginName} shut down`);
  }
}
