// Real plugin processes for the tests: a 0700 temp dir for the socket, the launch environment,
// the handshake line read from stdout, and cleanup in t.after().
// (The test runner also loads this file as a test file; it has no side effects.)

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  PLUGIN_ENV,
  PLUGIN_MAGIC_COOKIE,
  PLUGIN_PROTOCOL_VERSION,
  PluginInitialize,
  connectUnix,
  createIpcConnection,
  parseHandshake,
} from '@mosn/ipc-protocol';
import type { Handshake, IpcLogger, MessageConnection, PluginInitializeResult, PluginRole } from '@mosn/ipc-protocol';

export const FIXTURE = fileURLToPath(new URL('../fixtures/fixture-plugin.js', import.meta.url));
export const LAUNCHER = fileURLToPath(new URL('../fixtures/launcher.js', import.meta.url));

/** Rejects if `promise` has not settled within `timeoutMs`; the timer never outlives it. */
export function withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `check` every 20 ms until it is true, or fails at the deadline. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** True while `pid` runs (a zombie, exited but not reaped, counts as gone). */
export async function isRunning(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Field 3, after "(comm)": the state letter.
  return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

export async function runtimeDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mosn-sdk-'));
  await chmod(dir, 0o700);
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export function launchEnv(dir: string, secret: string, name = 'fixture'): NodeJS.ProcessEnv {
  return {
    ...process.env,
    [PLUGIN_ENV.magicCookie]: PLUGIN_MAGIC_COOKIE,
    [PLUGIN_ENV.protocolVersions]: String(PLUGIN_PROTOCOL_VERSION),
    [PLUGIN_ENV.socket]: join(dir, `${name}.sock`),
    [PLUGIN_ENV.secret]: secret,
    [PLUGIN_ENV.name]: name,
    [PLUGIN_ENV.logLevel]: 'debug',
  };
}

export interface PluginProcess {
  readonly child: ChildProcess;
  readonly secret: string;
  readonly stdoutLines: string[];
  /** stderr lines, parsed when they are JSON. */
  readonly logs: Record<string, unknown>[];
  readonly stderrText: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The first stdout line, parsed; rejects if the process never prints one. */
  readonly handshake: Promise<Handshake>;
}

/** Spawns `script` (default: the fixture plugin) with `env`; killed in t.after(). */
export function spawnPlugin(t: TestContext, env: NodeJS.ProcessEnv, script = FIXTURE, args = ['--plugin']): PluginProcess {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const stdoutLines: string[] = [];
  const stderr: string[] = [];
  const logs: Record<string, unknown>[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr.push(line);
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push({ text: line });
    }
  });
  const firstLine = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      stdoutLines.push(line);
      if (stdoutLines.length === 1) resolve(line);
    });
    lines.on('close', () => reject(new Error(`the plugin closed stdout without a handshake line; stderr: ${stderr.join('\n')}`)));
  });
  const handshake = withDeadline(firstLine, 10_000, 'the handshake line').then(parseHandshake);
  // Not every test reads the handshake; an unobserved rejection must not fail them.
  handshake.catch(() => {});
  return { child, secret: String(env[PLUGIN_ENV.secret]), stdoutLines, logs, stderrText: () => stderr.join('\n'), exited, handshake };
}

/** A fixture plugin in its own 0700 dir, up and serving (handshake read). */
export async function startPlugin(t: TestContext): Promise<PluginProcess & { readonly socketPath: string }> {
  const dir = await runtimeDir(t);
  const plugin = spawnPlugin(t, launchEnv(dir, randomBytes(16).toString('hex')));
  const { socketPath } = await plugin.handshake;
  return { ...plugin, socketPath };
}

const quietLogger: IpcLogger = { error: () => {}, warn: () => {} };

export async function connect(t: TestContext, socketPath: string): Promise<{ connection: MessageConnection; closed: Promise<void> }> {
  const socket = await connectUnix(socketPath);
  const closed = once(socket, 'close').then(() => {});
  const connection = createIpcConnection(socket, { logger: quietLogger });
  connection.listen();
  t.after(() => {
    connection.dispose();
    socket.destroy();
  });
  return { connection, closed };
}

export function initialize(
  connection: MessageConnection,
  secret: string,
  role: PluginRole,
  config?: unknown,
): Promise<PluginInitializeResult> {
  return connection.sendRequest(PluginInitialize, {
    protocolVersion: PLUGIN_PROTOCOL_VERSION,
    secret,
    role,
    ...(role === 'worker' ? { workerId: 1 } : {}),
    ...(config === undefined ? {} : { config }),
  });
}

/** Connects and initializes as host with a valid fixture config. */
export async function connectHost(t: TestContext, plugin: { socketPath: string; secret: string }): Promise<MessageConnection> {
  const { connection } = await connect(t, plugin.socketPath);
  await initialize(connection, plugin.secret, 'host', { header: 'x-team' });
  return connection;
}
