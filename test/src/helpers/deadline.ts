import { isProcessAlive as isAlive } from '@mosn/supervisor';
/** Polls `probe` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const suffix = lastError === undefined ? '' : ` (last error: ${(lastError as Error).message})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${suffix}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export { isProcessAlive as isAlive } from '@mosn/supervisor';

/** Waits until none of `pids` exists any more. */
export async function waitForExit(pids: readonly number[], timeoutMs = 10_000): Promise<void> {
  await waitFor(() => (pids.some(isAlive) ? undefined : true), `processes ${pids.join(', ')} to exit`, timeoutMs);
}
