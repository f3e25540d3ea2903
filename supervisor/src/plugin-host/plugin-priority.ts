// A plugin's `nice`: set on every thread of its process once it has said hello.
//
// On Linux niceness belongs to each thread, and setpriority(pid) moves only the main one. Node's
// V8 and libuv threads exist before the handshake, so each is set from /proc/<pid>/task; threads
// made later (the thread pool starts lazily, children the plugin spawns) inherit the main
// thread's. Done by the supervisor rather than a `nice` wrapper so that a command that cannot be
// run still fails with spawn's own error.
import { readdirSync } from 'node:fs';
import os from 'node:os';

/** Sets niceness `nice` on each thread of `pid` (its main thread only where /proc has no task list). */
export function setPluginPriority(pid: number, nice: number): void {
  let threads: number[];
  try {
    threads = readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    threads = [pid];
  }
  for (const tid of threads) {
    try {
      os.setPriority(tid, nice);
    } catch (error) {
      // A thread that ended since the listing is not an error; the process itself must take it.
      if (tid === pid) throw error;
    }
  }
}
