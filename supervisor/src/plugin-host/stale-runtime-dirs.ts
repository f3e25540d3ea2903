// A supervisor that is killed (kill -9, the OOM killer) cannot remove its plugins' runtime
// directory, `<tmpdir>/mosn-<pid>-XXXXXX`. The next supervisor of this user removes those of
// supervisors that are gone, so that /tmp does not fill with dead sockets over months of restarts.
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

const RUNTIME_DIR = /^mosn-(\d+)-[A-Za-z0-9]{6}$/;

/** Whether a process with this pid exists (ours or another user's: EPERM means it exists). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the runtime directories in `tmpdir` left by supervisors that no longer run: named as
 * PluginHost names them, owned by this user, holding nothing but sockets. A directory whose pid is
 * running (maybe reused by another process) is left alone. Returns the directories removed; never
 * throws (a directory that cannot be read or removed is skipped).
 */
export async function removeStaleRuntimeDirs(tmpdir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(tmpdir);
  } catch {
    return [];
  }
  const uid = process.getuid?.();
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(RUNTIME_DIR.exec(name)?.[1] ?? Number.NaN);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || isRunning(pid)) continue;
    const dir = path.join(tmpdir, name);
    try {
      const stat = await lstat(dir);
      if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) continue;
      const entries = await readdir(dir, { withFileTypes: true });
      if (!entries.every((entry) => entry.isSocket())) continue;
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // Gone meanwhile, or not ours to remove: nothing to do.
    }
  }
  return removed;
}
