// Runs the real `mosnctl` as a child process, the way an operator would, and cleans up after.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ControlStatus, connectUnix, createIpcConnection, type StatusResult } from '@mosn/ipc-protocol';
import { isAlive, waitFor, waitForExit } from './deadline.js';
import { childPids } from './processes.js';

export const MOSNCTL = fileURLToPath(new URL('../../../../supervisor/bin/mosnctl.js', import.meta.url));

export interface CommandResult {
  pid: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a mosnctl command to completion. */
export function runMosnctl(args: readonly string[], timeoutMs = 30_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MOSNCTL, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mosnctl ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ pid: child.pid ?? -1, code, stdout, stderr });
    });
  });
}

export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mosn-e2e-'));
  // Registered before the processes that write into it, so it runs first while they may still
  // write (a plugin gzipping a rotated log): retry, and never throw — a throwing after-hook would
  // skip the ones that stop those processes and leave them running.
  t.after(() => rm(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 }).catch(() => undefined));
  return dir;
}

/** Removes `<tmpdir>/mosn-<pid>-*`, the plugin socket directory of supervisor `pid`. */
async function removeRuntimeDirs(pid: number): Promise<void> {
  const prefix = `mosn-${pid}-`;
  const names = await readdir(os.tmpdir()).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => rm(path.join(os.tmpdir(), n), { recursive: true, force: true })));
}

export async function writeConfig(dir: string, config: unknown, name = 'mosn.json'): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return file;
}

export async function queryStatus(dir: string): Promise<StatusResult> {
  const socket = await connectUnix(path.join(dir, 'mosn.sock'), { timeoutMs: 1000 });
  const connection = createIpcConnection(socket, { logger: { error: () => undefined, warn: () => undefined } });
  connection.listen();
  try {
    return await connection.sendRequest(ControlStatus);
  } finally {
    connection.dispose();
    socket.destroy();
  }
}

export class RunningMosn {
  #lastStatus: StatusResult | undefined;
  #output = '';

  constructor(
    readonly dir: string,
    readonly configFile: string,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (c: Buffer) => (this.#output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (this.#output += c.toString()));
  }

  /** Everything the supervisor printed so far (its log and its workers'). */
  get output(): string {
    return this.#output;
  }

  async status(): Promise<StatusResult> {
    this.#lastStatus = await queryStatus(this.dir);
    return this.#lastStatus;
  }

  /** Waits until the supervisor runs with `count` ready workers. */
  async ready(count: number, timeoutMs = 15_000): Promise<StatusResult> {
    return waitFor(
      async () => {
        if (this.child.exitCode !== null) throw new Error(`mosnctl exited with ${this.child.exitCode}:\n${this.#output}`);
        const s = await this.status();
        const ready = s.workers.filter((w) => w.state === 'ready');
        return s.supervisor.state === 'running' && ready.length === count ? s : undefined;
      },
      `${count} ready workers`,
      timeoutMs,
    );
  }

  port(listener: string): number {
    const found = this.#lastStatus?.listeners.find((l) => l.name === listener);
    if (found === undefined) throw new Error(`no listener "${listener}" in the last status`);
    return found.port;
  }

  /** Every pid this run is known to have: the supervisor and the workers of the last status. */
  knownPids(): number[] {
    const supervisor = this.child.pid ?? -1;
    const workers = this.#lastStatus?.workers.map((w) => w.pid) ?? [];
    const children = supervisor > 0 ? childPids(supervisor) : [];
    return [...new Set([supervisor, ...workers, ...children])].filter((p) => p > 0);
  }

  exited(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }
}

/** Writes `config` into a fresh temp dir (which is also its uds_dir), starts mosnctl, waits for ready workers. */
export async function startMosn(
  t: TestContext,
  config: unknown,
  options: { workers?: number; args?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<RunningMosn> {
  const dir = await tempDir(t);
  const configFile = await writeConfig(dir, config);
  const workers = options.workers ?? 2;
  const child = spawn(process.execPath, [MOSNCTL, 'start', '-c', configFile, '--workers', String(workers), ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  const mosn = new RunningMosn(dir, configFile, child);
  t.after(async () => {
    // Whatever the test did, leave no process behind.
    const pids = mosn.knownPids().filter(isAlive);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    await waitForExit(pids, 5000);
    // A killed supervisor leaves its plugins' socket directory; the next one would sweep it.
    if (child.pid !== undefined) await removeRuntimeDirs(child.pid);
  });
  await mosn.ready(workers);
  return mosn;
}
