// Child processes for benches: spawned in their own process group, all stopped on exit (normal,
// error or Ctrl+C), so that a bench never leaves anything behind.

import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';

const children = new Set();

export function spawnManaged(name, command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...options });
  child.benchName = name;
  child.output = '';
  const keep = (chunk) => {
    child.output += chunk;
    if (child.output.length > 64 * 1024) child.output = child.output.slice(-32 * 1024);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** Stops one child (its whole process group) and waits for it to exit. */
export async function stop(child, timeoutMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

export async function stopAll() {
  await Promise.all([...children].map((c) => stop(c)));
}

function stopAllNow() {
  for (const child of children) signalGroup(child, 'SIGKILL');
}

process.on('exit', stopAllNow);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    stopAllNow();
    process.exit(130);
  });
}

export function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Exits 1 saying how to install them when wrk or nginx is missing (scripts with no fallback upstream). */
export function requireWrkAndNginx() {
  if (hasCommand('wrk') && hasCommand('nginx')) return;
  console.error('wrk and nginx are needed: run bench/setup.sh (apt-get install -y wrk nginx)');
  process.exit(1);
}

/** A port below the ephemeral range (32768+) that is free now. */
export async function freePort(used = new Set()) {
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (port === 2024 || used.has(port)) continue;
    const ok = await new Promise((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) {
      used.add(port);
      return port;
    }
  }
  throw new Error('no free port found below 32768');
}

/** Resolves once something accepts on port, rejects at the deadline or if `child` exits first. */
export async function waitForPort(port, child, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`${child.benchName} exited before listening on ${port}:\n${child.output}`);
    }
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on ${port} after ${timeoutMs} ms${child ? ':\n' + child.output : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `taskset -c CPU cmd args` when pinning is on and taskset exists. */
export function pinned(cpu, command, args) {
  if (cpu === undefined || !hasCommand('taskset')) return [command, args];
  return ['taskset', ['-c', String(cpu), command, ...args]];
}

/**
 * CPU time (user + system, ms) used so far by process `rootPid` and every process below it (a
 * bench child and what it forked: nginx's worker, MOSN.ts's workers and plugins, which run in
 * process groups of their own). CPU per request is a steadier measure than requests/s on a
 * machine shared with other work.
 */
export function treeCpuMs(rootPid) {
  const hz = 100; // USER_HZ: 100 on Linux for every architecture in use
  const procs = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15
    procs.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
  }
  const inTree = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      if (p === rootPid) return true;
      p = procs.get(p)?.ppid ?? 0;
    }
    return false;
  };
  let ticks = 0;
  for (const [pid, proc] of procs) if (inTree(pid)) ticks += proc.ticks;
  return (ticks * 1000) / hz;
}
