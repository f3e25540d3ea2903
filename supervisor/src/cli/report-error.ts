import { SupervisorError } from '../errors.js';

/** Writes a failure for a human on stderr: the message, the code, and a failed worker's last lines. */
export function reportError(err: unknown, write: (text: string) => void = (t) => process.stderr.write(t)): void {
  const code = typeof (err as { code?: unknown })?.code === 'string' ? ` [${(err as { code: string }).code}]` : '';
  const message = err instanceof Error ? err.message : String(err);
  write(`mosnctl: ${message}${code}\n`);
  if (err instanceof SupervisorError && err.workerLog.length > 0) {
    write(`last lines of the worker's output:\n${err.workerLog.map((l) => `  ${l}`).join('\n')}\n`);
  }
}
