// Deadlines instead of sleeps, for plugin tests: poll a condition until it holds or the deadline
// passes, and say what was awaited when it does not.

export interface WaitOptions {
  /** Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Between attempts; default 20 ms. */
  readonly intervalMs?: number;
}

/** Resolves with the first truthy result of `check` (which may be async and may throw: that counts as not yet). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`expected ${what} within ${timeoutMs} ms, found it not yet${last === undefined ? '' : ` (last error: ${(last as Error).message})`}`, { cause: last });
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
}
