/**
 * Notices that the process that launched the plugin is gone, so that a supervisor killed with
 * SIGKILL leaves no orphan plugins. stdin EOF cannot tell (the supervisor does not give plugins a
 * stdin pipe), so poll: the parent is gone when our ppid changed (we were re-parented to init or
 * a subreaper) or when the original parent pid no longer exists.
 */

const DEFAULT_INTERVAL_MS = 500;

export interface ParentWatchdogOptions {
  readonly onParentGone: (parentPid: number) => void;
  readonly intervalMs?: number;
}

export interface ParentWatchdog {
  stop(): void;
}

export function watchParent(options: ParentWatchdogOptions): ParentWatchdog {
  const parentPid = process.ppid;
  // Started directly by init (or detached already): there is no parent to lose.
  if (parentPid <= 1) return { stop: () => {} };
  const timer = setInterval(() => {
    if (process.ppid === parentPid && isAlive(parentPid)) return;
    clearInterval(timer);
    options.onParentGone(parentPid);
  }, options.intervalMs ?? DEFAULT_INTERVAL_MS);
  // The watchdog alone must never keep the plugin alive.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else (cannot be our parent any more, but be safe).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
