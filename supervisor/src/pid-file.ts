import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SUPERVISOR_ERROR_CODES, SupervisorError } from './errors.js';

export async function writePidFile(file: string, pid: number): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${pid}\n`);
  } catch (err) {
    throw new SupervisorError(SUPERVISOR_ERROR_CODES.pidFile, `cannot write pid file ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** Removes the pid file only if it still names this process (a newer supervisor may own it). */
export async function removePidFile(file: string, pid: number): Promise<void> {
  const content = await readFile(file, 'utf8').catch(() => undefined);
  if (content?.trim() === String(pid)) await rm(file, { force: true });
}
