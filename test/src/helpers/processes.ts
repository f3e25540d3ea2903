import { isProcessAlive } from '@mosn/supervisor';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Pids whose parent is `pid`, read from /proc (Linux). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 is the parent pid; the command name (field 2) may contain spaces, so parse after ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

/** Pids of live processes started as workers of supervisor `pid` (found by their environment). */
export function workersOf(pid: number): number[] {
  const found: number[] = [];
  const marker = `MOSN_SUPERVISOR_PID=${pid}\0`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!isProcessAlive(Number(entry))) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) found.push(Number(entry));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

/** How many file descriptors `pid` has open (Linux). */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** What each of `pid`'s file descriptors points at, to say which one a leak is. */
export function fdTargets(pid: number): string[] {
  const targets: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      targets.push(`${fd}→${readlinkSync(`/proc/${pid}/fd/${fd}`)}`);
    } catch {
      // Closed while we looked.
    }
  }
  return targets;
}
