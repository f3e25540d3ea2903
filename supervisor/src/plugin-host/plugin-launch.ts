// One launch of a plugin executable, go-plugin style:
//
//   execa (own process group, env: cookie, versions, socket path, secret)
//     └─ stdout: "1|<version>|unix|<socket>|msgpack"  (lines before it are logged and skipped, a few)
//   connect ─► plugin/initialize {role: host, secret, config} ─► plugin/initialized ─► running
//
// Any step failing, or the start timeout passing, kills the process group and rejects.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import type { Logger } from 'pino';
import type { PluginConfig } from '@mosn/config';
import {
  HostSetLogLevel,
  LOG_LEVELS,
  RPC_ERROR_CODES,
  PLUGIN_ENV,
  PLUGIN_MAGIC_COOKIE,
  PLUGIN_PROTOCOL_VERSION,
  PluginExit,
  PluginInitialize,
  PluginInitialized,
  PluginShutdown,
  ResponseError,
  connectUnix,
  createIpcConnection,
  parseHandshake,
  type MessageConnection,
  type PluginErrorData,
  type SetLogLevelResult,
} from '@mosn/ipc-protocol';
import { SUPERVISOR_ERROR_CODES, SupervisorError } from '../errors.js';
import { OutputForwarder } from '../generation/output-forwarder.js';
import { setPluginPriority } from './plugin-priority.js';

/** Lines a plugin may print on stdout before its handshake (a banner, a stray log) before we give up. */
const MAX_LINES_BEFORE_HANDSHAKE = 20;

export interface PluginExitInfo {
  code: number | undefined;
  signal: string | undefined;
}

export interface PluginLaunch {
  readonly pid: number;
  readonly socketPath: string;
  readonly secret: string;
  readonly pluginVersion: string;
  /** The hooks the plugin said it serves in its initialize result. */
  readonly hooks: readonly string[];
  readonly connection: MessageConnection;
  readonly exited: Promise<PluginExitInfo>;
  /** plugin/shutdown, plugin/exit, then SIGKILL to the group if it is still there after `graceMs`. */
  shutdown(graceMs: number): Promise<PluginExitInfo>;
  /** SIGKILL to the whole process group. */
  kill(): void;
}

export interface LaunchOptions {
  runtimeDir: string;
  launchNumber: number;
  logger: Logger;
  /** Serves what a plugin may ask of its host (admin actions) on the host connection. */
  hostRequests?: HostRequestHandlers;
  /** MOSN's admin.address, passed in the environment. */
  adminAddress?: string | undefined;
}

export interface HostRequestHandlers {
  setLogLevel(level: string): SetLogLevelResult;
}

export async function launchPlugin(config: PluginConfig, options: LaunchOptions): Promise<PluginLaunch> {
  const { logger } = options;
  const secret = randomBytes(24).toString('base64url');
  const socketPath = path.join(options.runtimeDir, `${config.name}.${options.launchNumber}.sock`);
  const child = execa(config.command, config.args, {
    cwd: config.cwd,
    env: {
      ...config.env,
      [PLUGIN_ENV.magicCookie]: PLUGIN_MAGIC_COOKIE,
      [PLUGIN_ENV.protocolVersions]: String(PLUGIN_PROTOCOL_VERSION),
      [PLUGIN_ENV.socket]: socketPath,
      [PLUGIN_ENV.secret]: secret,
      [PLUGIN_ENV.name]: config.name,
      ...(options.adminAddress === undefined ? {} : { [PLUGIN_ENV.adminAddress]: options.adminAddress }),
    },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    // Its own process group, so that a kill reaches whatever the plugin spawned.
    detached: true,
    reject: false,
  });
  const exited: Promise<PluginExitInfo> = child.then(
    (r) => ({ code: r.exitCode, signal: r.signal }),
    () => ({ code: undefined, signal: undefined }),
  );
  const kill = (): void => killGroup(child);
  forwardStderr(child, logger);

  const failWith = async (message: string, cause?: unknown): Promise<never> => {
    kill();
    await exited;
    throw new SupervisorError(SUPERVISOR_ERROR_CODES.pluginStart, `plugin "${config.name}": ${message}`, { cause });
  };

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), config.start_timeout)));
  try {
    if (child.pid === undefined) return await failWith(`cannot run ${JSON.stringify(config.command)}: ${await spawnError(child)}`);
    const handshake = await Promise.race([readHandshake(child, logger), exited.then((e) => ({ exit: e })), timeout]);
    if (handshake === 'timeout') return await failWith(`no handshake line on stdout within ${config.start_timeout} ms`);
    if ('exit' in handshake) return await failWith(`exited before its handshake (${describePluginExit(handshake.exit)})`);
    if ('error' in handshake) return await failWith(handshake.error);
    if (config.nice !== 0) {
      try {
        setPluginPriority(child.pid, config.nice);
      } catch (error) {
        return await failWith(`cannot set its nice to ${config.nice}: ${(error as Error).message}`, error);
      }
    }

    const socket = await Promise.race([connectUnix(handshake.socketPath, { timeoutMs: config.start_timeout }), timeout]);
    if (socket === 'timeout') return await failWith(`socket ${handshake.socketPath} did not accept within ${config.start_timeout} ms`);
    const connection = createIpcConnection(socket, { logger });
    const hostRequests = options.hostRequests;
    // Admin actions are for the management plugin (the one that serves `metrics`), not for any plugin.
    let servesMetrics = false;
    connection.onRequest(HostSetLogLevel, (params) => {
      if (!servesMetrics) {
        return new ResponseError(RPC_ERROR_CODES.unauthorized, `host/setLogLevel: expected a plugin serving "metrics" (the management plugin), found ${config.name}, which does not`, {
          code: SUPERVISOR_ERROR_CODES.control,
        });
      }
      const level: unknown = params?.level;
      if (typeof level !== 'string' || !(LOG_LEVELS as readonly string[]).includes(level) || hostRequests === undefined) {
        return new ResponseError(RPC_ERROR_CODES.failed, `host/setLogLevel: expected a level of ${LOG_LEVELS.join(', ')}, found ${JSON.stringify(level)}`, {
          code: SUPERVISOR_ERROR_CODES.control,
        });
      }
      return hostRequests.setLogLevel(level);
    });
    connection.listen();
    let initialized;
    try {
      initialized = await Promise.race([
        connection.sendRequest(PluginInitialize, { protocolVersion: PLUGIN_PROTOCOL_VERSION, secret, role: 'host', config: config.config }),
        timeout,
      ]);
    } catch (err) {
      connection.dispose();
      return await failWith(`initialize failed: ${describeInitializeError(err)}`, err);
    }
    if (initialized === 'timeout') {
      connection.dispose();
      return await failWith(`no answer to initialize within ${config.start_timeout} ms`);
    }
    await connection.sendNotification(PluginInitialized);
    servesMetrics = Array.isArray(initialized.hooks) && initialized.hooks.includes('metrics');
    return {
      pid: child.pid,
      socketPath: handshake.socketPath,
      secret,
      pluginVersion: initialized.pluginVersion,
      hooks: Array.isArray(initialized.hooks) ? initialized.hooks : [],
      connection,
      exited,
      kill,
      async shutdown(graceMs) {
        const killer = setTimeout(kill, graceMs);
        try {
          await Promise.race([connection.sendRequest(PluginShutdown), exited]);
          await connection.sendNotification(PluginExit);
        } catch {
          // Already gone, or it cannot answer: the timer or the exit settles it.
        }
        const exit = await exited;
        clearTimeout(killer);
        connection.dispose();
        return exit;
      },
    };
  } catch (err) {
    if (err instanceof SupervisorError) throw err;
    return await failWith((err as Error).message, err);
  } finally {
    clearTimeout(timer);
  }
}

type HandshakeOutcome = { socketPath: string } | { error: string };

/** The parts of execa's subprocess the helpers below use. */
interface Child {
  readonly pid?: number | undefined;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  kill(signal: NodeJS.Signals): boolean;
}

/** Reads stdout until the handshake line; later stdout lines are a plugin bug, logged and dropped. */
function readHandshake(child: Child, logger: Logger): Promise<HandshakeOutcome> {
  return new Promise((resolve) => {
    let skipped = 0;
    let done = false;
    // OutputForwarder bounds a line's length: a plugin printing without newlines cannot grow our memory.
    new OutputForwarder({
      line: (line) => {
        if (done) {
          logger.warn({ line }, 'plugin wrote to stdout after its handshake (stdout is for the handshake only; log to stderr)');
          return;
        }
        if (/^\d+\|/.test(line)) {
          done = true;
          try {
            resolve({ socketPath: parseHandshake(line).socketPath });
          } catch (err) {
            resolve({ error: (err as Error).message });
          }
          return;
        }
        skipped += 1;
        logger.warn({ line }, 'plugin printed a line before its handshake; skipped');
        if (skipped > MAX_LINES_BEFORE_HANDSHAKE) {
          done = true;
          resolve({ error: `printed ${skipped} lines on stdout without a handshake line ("1|<version>|unix|<socket>|msgpack")` });
        }
      },
    }).attach(child.stdout, 'stdout');
    if (child.stdout === null) resolve({ error: 'stdout is not readable' });
  });
}

/** The plugin's stderr, line by line, into our log with its name. */
function forwardStderr(child: Child, logger: Logger): void {
  new OutputForwarder({
    line: (line) => {
      // SDK plugins log pino JSON: keep its fields; anything else is a plain line.
      if (line.startsWith('{')) {
        try {
          const record = JSON.parse(line) as { level?: number; msg?: string };
          const level = (record.level ?? 30) >= 50 ? 'error' : (record.level ?? 30) >= 40 ? 'warn' : 'info';
          logger[level]({ plugin_log: record }, record.msg ?? '');
          return;
        } catch {
          // Not JSON after all.
        }
      }
      logger.info({ stream: 'stderr' }, line);
    },
  }).attach(child.stderr, 'stderr');
}

function killGroup(child: Child): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

async function spawnError(result: PromiseLike<{ originalMessage?: string | undefined; shortMessage?: string | undefined }>): Promise<string> {
  const r = await result;
  return r.originalMessage ?? r.shortMessage ?? 'spawn failed';
}

function describeInitializeError(err: unknown): string {
  if (err instanceof ResponseError) {
    const data = err.data as PluginErrorData | undefined;
    const issues = data?.issues?.map((i) => `  config.${i.path.join('.')}: ${i.message}`) ?? [];
    return [err.message, ...issues].join('\n');
  }
  return (err as Error).message;
}

export function describePluginExit(exit: PluginExitInfo): string {
  return exit.signal !== undefined ? `killed by ${exit.signal}` : `exit code ${exit.code ?? 'unknown'}`;
}
